"""Where a deployed topology's interface is: its kernel name and on-disk namespace.

``netwright capture NAME INTERFACE`` names an interface as the topology file does (its key,
or a host NIC the topology builds on); the deployment record (``Engine.deployment``) says
where the target put it. Capturing is restricted to what a deployed topology names, so the
capture permission never reaches interfaces Netwright has nothing to do with.
"""

from __future__ import annotations

import os

from netwright.backend.capture.errors import CaptureError
from netwright.backend.checks.netns import gone_words, netns_path
from netwright.backend.clipped import clipped
from netwright.backend.engine.results import Deployment


def locate(deployment: Deployment, interface: str) -> tuple[str | None, str]:
    """(on-disk namespace or None, kernel name) of ``interface`` in ``deployment``."""
    found = deployment.interfaces.get(interface)
    if found is not None:
        kernel_name, netns = found
        key = deployment.topology.interfaces[interface].namespace
        if netns is not None and key is not None and not os.path.exists(netns_path(netns)):
            # the packet socket's opening said "there is no namespace lab-web"
            raise CaptureError(gone_words(deployment.topology, key, netns_path(netns)))
        return netns, kernel_name
    if interface in deployment.topology.host.nics:
        return deployment.host_netns, interface
    known = sorted([*deployment.interfaces, *deployment.topology.host.nics])
    raise CaptureError(
        f"topology {deployment.name} has no interface {clipped(interface, 64)!r}"
        + _meant(deployment, interface) + "; it has: "
        + (", ".join(known) if known else "none"))


def _meant(deployment: Deployment, interface: str) -> str:
    """What ``interface`` is instead, when it names something else of the topology: a
    namespace (its interfaces are meant), or the kernel name of interfaces keyed otherwise
    (docker-bridge's two eth0, keys c1-eth0 and c2-eth0)."""
    topology = deployment.topology
    if interface in topology.namespaces:
        inside = sorted(key for key, link in topology.interfaces.items()
                        if link.namespace == interface)
        return (f" ({interface} is a namespace: name one of its interfaces, "
                f"{', '.join(inside)})" if inside else f" ({interface} is a namespace)")
    keyed = sorted(key for key in topology.interfaces
                   if key != interface and topology.kernel_name(key) == interface)
    if keyed:
        return (f" ({interface} is the kernel name of {', '.join(keyed)}: name the interface"
                " by its key in the file)")
    return ""
