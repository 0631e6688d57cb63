"""Where a deployed topology's interface is: its kernel name and on-disk namespace.

``netwright capture NAME INTERFACE`` names an interface as the topology file does (its key,
or a host NIC the topology builds on); the deployment record (``Engine.deployment``) says
where the target put it. Capturing is restricted to what a deployed topology names, so the
capture permission never reaches interfaces Netwright has nothing to do with.
"""

from __future__ import annotations

from netwright.backend.capture.errors import CaptureError
from netwright.backend.clipped import clipped
from netwright.backend.engine.results import Deployment


def locate(deployment: Deployment, interface: str) -> tuple[str | None, str]:
    """(on-disk namespace or None, kernel name) of ``interface`` in ``deployment``."""
    found = deployment.interfaces.get(interface)
    if found is not None:
        kernel_name, netns = found
        return netns, kernel_name
    if interface in deployment.topology.host.nics:
        return deployment.host_netns, interface
    known = sorted([*deployment.interfaces, *deployment.topology.host.nics])
    raise CaptureError(
        f"topology {deployment.name} has no interface {clipped(interface, 64)!r}; it has: "
        + (", ".join(known) if known else "none"))
