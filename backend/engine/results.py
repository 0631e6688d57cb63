"""The engine's record of a deployment: where its namespaces and interfaces really are.

The other result types (Plan, ApplyResult, Status …) are shared with the client and live in
``netwright.backend.outcomes.results``; this one carries the topology and the target, which
only the engine and the checks (in the same process) use.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.engine.target import Target
from netwright.backend.record import field, record
from netwright.backend.topology.model import Topology


@record(frozen=True)
class Deployment:
    """What is deployed, and where: the connectivity checks use it to find where to probe.

    ``namespaces`` maps each topology namespace key to its on-disk name (with the target's
    prefix); ``interfaces`` maps each interface key to (kernel name, on-disk namespace name or
    None for the real root namespace).
    """

    name: str
    topology: Topology
    target: Target
    namespaces: dict[str, str]
    interfaces: dict[str, tuple[str, str | None]]
    leases: dict[str, str] = field(default_factory=dict)
    """Interface key → the address (CIDR) its DHCP client holds now."""
    lease_gateways: dict[str, str] = field(default_factory=dict)
    """Interface key → the router of the default route its DHCP client added (the namespace
    had none of its own: ``dhcp/script.py``)."""

    @property
    def host_netns(self) -> str | None:
        """Where the topology's host objects live (None = the real root namespace)."""
        return self.target.host_netns

    def netns_of(self, key: str) -> str | None:
        """On-disk namespace of an interface key or host NIC (None = real root namespace)."""
        if key in self.interfaces:
            return self.interfaces[key][1]
        return self.target.host_netns

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "host_netns": self.host_netns,
            "namespaces": dict(self.namespaces),
            "interfaces": {k: {"name": n, "netns": ns} for k, (n, ns) in self.interfaces.items()},
            **({"leases": dict(self.leases)} if self.leases else {}),
        }
