"""The live host, read-only: every network namespace (named, or held by a process) and
everything in it, with the owner of each object (a topology's marker, or nobody).

``observe_host()`` reads; ``netwright.backend.observe.to_topology`` turns what it read into a
topology file whose objects are all ``existing``. Nothing here ever writes to the kernel.
"""

from netwright.backend.observe.host import HostView, ObservedNamespace, observe_host
from netwright.backend.observe.namespaces import Holder, NetnsFound, find_namespaces

__all__ = ["Holder", "HostView", "NetnsFound", "ObservedNamespace", "find_namespaces",
           "observe_host"]
