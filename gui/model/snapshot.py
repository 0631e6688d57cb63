"""A tolerant plain-data view of a topology tree, for drawing.

The canvas must draw whatever the user has, including files the model rejects (an unknown
kind, a dangling peer, a namespace written as ``net1:`` with nothing after it). So it does not
read the validated ``Topology``; it reads this snapshot, which keeps every entry that is a
mapping and ignores what it cannot understand. Validation speaks through the Problems dock.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from netwright.backend.topology.fastload import to_plain
from netwright.backend.topology.problems import TopologyError

SUB_INTERFACE_KINDS = ("ipvlan", "macvlan", "vlan")


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _entries(value: Any) -> dict[str, dict[str, Any]]:
    return {str(k): (v if isinstance(v, dict) else {}) for k, v in _mapping(value).items()}


@dataclass(frozen=True)
class Snapshot:
    """Namespaces, interfaces, host NICs and layout positions as plain dicts."""

    name: str = ""
    namespaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    interfaces: dict[str, dict[str, Any]] = field(default_factory=dict)
    nics: dict[str, dict[str, Any]] = field(default_factory=dict)
    layout: dict[str, tuple[float, float]] = field(default_factory=dict)
    host: dict[str, Any] = field(default_factory=dict)  # forwarding, nat, firewall (and nics)

    members: dict[str | None, list[str]] = field(default_factory=dict)
    bridge_ports: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.members:  # built once: interfaces_in() is asked per namespace
            for key in self.interfaces:
                self.members.setdefault(self.namespace_of(key), []).append(key)
        if not self.bridge_ports:
            for key in self.members.get(None, ()):
                master = self.interfaces[key].get("master")
                if (isinstance(master, str) and self.kind_of(key) != "bridge"
                        and self.namespace_of(master) is None and master != key
                        and self.kind_of(master) == "bridge"):
                    self.bridge_ports.setdefault(master, []).append(key)

    def namespace_of(self, key: str) -> str | None:
        """The namespace an interface is placed in (None: the host, or not an interface)."""
        value = self.interfaces.get(key, {}).get("namespace")
        return str(value) if value is not None and str(value) in self.namespaces else None

    def interfaces_in(self, namespace: str | None) -> list[str]:
        return list(self.members.get(namespace, ()))

    def key_named(self, name: str, namespace: str | None) -> str | None:
        """The key of what the kernel knows as ``name`` in ``namespace`` (None: the host):
        an interface there whose ``name:`` (else key) is ``name``, or on the host a NIC.
        Kernel names are per namespace: two namespaces may each have an ``eth0``."""
        if namespace is None and name in self.nics:
            return name
        return next((key for key in self.members.get(namespace, ())
                     if str(self.interfaces[key].get("name") or key) == name), None)

    def kind_of(self, key: str) -> str:
        if key in self.interfaces:
            return str(self.interfaces[key].get("kind", "?"))
        if key in self.nics:
            return "nic"
        if key in self.namespaces:
            return "namespace"
        return ""

    def label_of(self, key: str) -> str:
        """The kernel name when it differs from the key, e.g. ``veth-a (eth0)``."""
        name = self.interfaces.get(key, {}).get("name")
        return f"{key} ({name})" if name and str(name) != key else key

    def addresses_of(self, key: str) -> list[str]:
        source = self.interfaces.get(key) or self.nics.get(key) or {}
        addresses = source.get("addresses")
        if not isinstance(addresses, list):
            return []
        return ["dhcp" if isinstance(a, dict) or a == "dhcp" else str(a) for a in addresses]

    def host_bridge_of(self, key: str) -> str | None:
        """The host-level bridge whose box shows ``key`` as one of its ports (None: not a
        host-level port of a host-level bridge)."""
        master = self.interfaces.get(key, {}).get("master")
        return master if isinstance(master, str) and key in self.bridge_ports.get(master, ()) \
            else None

    def container_of(self, key: str) -> str | None:
        """The box an interface is drawn in: its namespace, or its host bridge."""
        return self.namespace_of(key) or self.host_bridge_of(key)

    def address_owner(self, address: object) -> str | None:
        """The interface or NIC that has ``address`` (with any prefix length), if any."""
        wanted = str(address).split("/", 1)[0]
        for key in (*self.interfaces, *self.nics):
            if any(a.split("/", 1)[0] == wanted for a in self.addresses_of(key)):
                return key
        return None

    def placed_keys(self) -> list[str]:
        """Everything that has its own position: namespaces, host NICs, host-level interfaces
        (not the ports of a host bridge: they are drawn inside it)."""
        return [*self.nics, *self.namespaces,
                *(k for k in self.interfaces_in(None) if self.host_bridge_of(k) is None)]


def take_snapshot(tree: Any) -> Snapshot:
    try:
        data = _mapping(to_plain(tree))
    except TopologyError:
        return Snapshot()
    layout: dict[str, tuple[float, float]] = {}
    for key, value in _mapping(data.get("layout")).items():
        if isinstance(value, dict):
            x, y = value.get("x", 0), value.get("y", 0)
            if isinstance(x, int | float) and isinstance(y, int | float):
                layout[str(key)] = (float(x), float(y))
    host = _mapping(data.get("host"))
    return Snapshot(
        name=str(data.get("name") or ""),
        namespaces=_entries(data.get("namespaces")),
        interfaces=_entries(data.get("interfaces")),
        nics=_entries(host.get("nics")),
        layout=layout,
        host=host,
    )
