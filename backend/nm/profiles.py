"""The NetworkManager profile for each persistent host object of a topology.

A host-level interface marked ``persist: true`` becomes one keyfile profile, so NM recreates
it at every boot: id ``netwright-<topology>-<key>``, a UUID derived from topology and key (the
same design always maps to the same profile), and user-data ``netwright.topology``,
``netwright.key`` and ``netwright.digest`` (a hash of the settings Netwright wrote, so a
re-apply of an unchanged design is a no-op and a changed one updates the profile in place).

Example::

    >>> from netwright.backend.topology import parse_topology
    >>> t = parse_topology("netwright: 1\\nname: lab\\ninterfaces:\\n"
    ...                    "  br0: {kind: bridge, persist: true, addresses: [10.0.0.1/24]}\\n")
    >>> profile = build_profile(t, "br0")
    >>> profile["connection"]["id"].value, profile["ipv4"]["method"].value
    ('netwright-lab-br0', 'manual')
"""

from __future__ import annotations

import hashlib
import json
import uuid
from typing import Any, Final

from dbus_fast.signature import Variant

from netwright.backend.nm import names
from netwright.backend.nm.client import NmVersion
from netwright.backend.topology.model import (
    Bridge,
    Ipvlan,
    Macvlan,
    Topology,
    Vlan,
    Vxlan,
    dhcp_entries,
    static_addresses,
)

PERSIST_KINDS: Final = ("bridge", "macvlan", "vlan", "vxlan", "ipvlan")
MIN_VERSION: Final = {"ipvlan": NmVersion(1, 52, 0)}
"""NM releases before these have no profile type for the kind."""

_MACVLAN_MODES: Final = {"vepa": 1, "bridge": 2, "private": 3, "passthru": 4, "source": 5}
_IPVLAN_MODES: Final = {"l2": 1, "l3": 2, "l3s": 3}
_UUID_NAMESPACE: Final = uuid.UUID("6f1c1f5e-7b0a-4a51-9d0e-2f6b3c8e4a10")

Profile = dict[str, dict[str, Variant]]


def profile_id(topology: str, key: str) -> str:
    """The connection id people see in ``nmcli connection``: ``netwright-<topology>-<key>``."""
    return f"{names.PROFILE_PREFIX}{topology}-{key}"


def profile_uuid(topology: str, key: str) -> str:
    return str(uuid.uuid5(_UUID_NAMESPACE, f"{topology}/{key}"))


def persistent_keys(topology: Topology) -> list[str]:
    """Host-level interfaces marked persist, parents and masters before their dependants."""
    wanted = {k for k, link in topology.interfaces.items()
              if link.persist and link.namespace is None}
    ordered: list[str] = []

    def visit(key: str, seen: frozenset[str]) -> None:
        if key in ordered or key in seen:
            return
        link = topology.interfaces[key]
        for dep in (getattr(link, "parent", None), link.master, getattr(link, "dev", None)):
            if dep in wanted:
                visit(dep, seen | {key})
        ordered.append(key)

    for key in sorted(wanted):
        visit(key, frozenset())
    return ordered


def _ip_settings(topology: Topology, key: str) -> dict[str, dict[str, Variant]]:
    link = topology.interfaces[key]
    statics = static_addresses(link)
    dhcp = dhcp_entries(link)
    v4 = [a for a in statics if a.version == 4]
    v6 = [a for a in statics if a.version == 6]
    ipv4: dict[str, Variant] = {"method": Variant("s", "auto" if dhcp else
                                                  ("manual" if v4 else "disabled"))}
    if v4:
        ipv4["address-data"] = Variant("aa{sv}", [
            {"address": Variant("s", str(a.ip)), "prefix": Variant("u", a.network.prefixlen)}
            for a in v4])
    if dhcp and dhcp[0].client_id:
        ipv4["dhcp-client-id"] = Variant("s", dhcp[0].client_id)
    ipv6: dict[str, Variant] = {"method": Variant("s", "manual" if v6 else "ignore")}
    if v6:
        ipv6["address-data"] = Variant("aa{sv}", [
            {"address": Variant("s", str(a.ip)), "prefix": Variant("u", a.network.prefixlen)}
            for a in v6])
    return {"ipv4": ipv4, "ipv6": ipv6}


def _kind_settings(topology: Topology, key: str) -> dict[str, dict[str, Variant]]:
    link = topology.interfaces[key]

    def parent_name(parent: str | None) -> str:
        if parent is None:
            return ""
        return topology.kernel_name(parent) if parent in topology.interfaces else parent

    if isinstance(link, Bridge):
        return {"bridge": {"stp": Variant("b", link.stp),
                           "vlan-filtering": Variant("b", link.vlan_filtering)}}
    if isinstance(link, Macvlan):
        return {"macvlan": {"parent": Variant("s", parent_name(link.parent)),
                            "mode": Variant("u", _MACVLAN_MODES[link.mode]),
                            "promiscuous": Variant("b", True), "tap": Variant("b", False)}}
    if isinstance(link, Ipvlan):
        return {"ipvlan": {"parent": Variant("s", parent_name(link.parent)),
                           "mode": Variant("u", _IPVLAN_MODES[link.mode]),
                           "private": Variant("b", link.flag == "private"),
                           "vepa": Variant("b", link.flag == "vepa")}}
    if isinstance(link, Vlan):
        vlan = {"parent": Variant("s", parent_name(link.parent)), "id": Variant("u", link.id),
                "flags": Variant("u", 1)}
        if link.protocol != "802.1Q":
            vlan["protocol"] = Variant("s", link.protocol)
        return {"vlan": vlan}
    if isinstance(link, Vxlan):
        vxlan = {"id": Variant("u", link.vni), "destination-port": Variant("u", link.port)}
        remote = link.remote or link.group
        if remote:
            vxlan["remote"] = Variant("s", str(remote))
        if link.local:
            vxlan["local"] = Variant("s", str(link.local))
        if link.dev:
            vxlan["parent"] = Variant("s", parent_name(link.dev))
        return {"vxlan": vxlan}
    raise ValueError(f"{link.kind} {key} has no NetworkManager profile type")


def build_profile(topology: Topology, key: str) -> Profile:
    """The complete profile for persistent interface ``key`` (marks and digest included)."""
    link = topology.interfaces[key]
    connection: dict[str, Variant] = {
        "id": Variant("s", profile_id(topology.name, key)),
        "uuid": Variant("s", profile_uuid(topology.name, key)),
        "type": Variant("s", link.kind),
        "interface-name": Variant("s", topology.kernel_name(key)),
        "autoconnect": Variant("b", link.state == "up"),
    }
    profile: Profile = {"connection": connection, **_kind_settings(topology, key)}
    if link.master is not None:
        connection["master"] = Variant("s", topology.kernel_name(link.master))
        connection["slave-type"] = Variant("s", "bridge")
    else:
        profile.update(_ip_settings(topology, key))
    wired: dict[str, Variant] = {}
    if link.mtu is not None:
        wired["mtu"] = Variant("u", link.mtu)
    if link.mac is not None:
        wired["assigned-mac-address"] = Variant("s", str(link.mac))
    if wired:
        profile["802-3-ethernet"] = wired
    marks = {names.USER_DATA_TOPOLOGY: topology.name, names.USER_DATA_KEY: key}
    marks[names.USER_DATA_DIGEST] = digest(profile)
    profile["user"] = {"data": Variant("a{ss}", marks)}
    return profile


def digest(profile: Profile) -> str:
    """A short hash of the settings (without the user-data marks) that identifies a design."""
    plain = {section: {k: _plain(v) for k, v in values.items()}
             for section, values in profile.items() if section != "user"}
    text = json.dumps(plain, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _plain(value: Any) -> Any:
    if isinstance(value, Variant):
        return [value.signature, _plain(value.value)]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in sorted(value.items())}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def dependencies(topology: Topology, key: str) -> list[str]:
    """Interface keys a persistent object needs at boot: its parent, master or vxlan dev."""
    link = topology.interfaces[key]
    deps = [getattr(link, "parent", None), link.master, getattr(link, "dev", None)]
    return [d for d in deps if d is not None and d in topology.interfaces]
