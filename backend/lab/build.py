"""Build and destroy the lab host (see the package docstring for the picture)."""

from __future__ import annotations

import contextlib
import ipaddress
import logging
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from netwright.backend.clipped import clipped
from netwright.backend.dhcp import DhcpClients, DhcpError
from netwright.backend.dhcp.lab_server import (
    LabDhcpServer,
    ServerLease,
    lab_server_dir,
)
from netwright.backend.engine import Engine, NotDeployed, Target, default_state_dir
from netwright.backend.kernel.open_files import refused_as
from netwright.backend.lab.lans import Lan, gateway_cidr, lans, overlap, router_end, served_lan
from netwright.backend.lab.shared_lan import shared_lan_notes, uplink_elsewhere_notes
from netwright.backend.topology.model import HostNic, Topology

LAB_OUTSIDE_ADDRESS = "203.0.113.114"
"""Stands for the seed's 114.114.114.114: an address beyond the gateway (RFC 5737 range)."""
LAB_OUTSIDE_GATEWAY = "203.0.113.1"
LAB_TOPOLOGY_NAME = "nwlab"
LAB_DEFAULT_NICS: dict[str, dict[str, Any]] = {
    "wlp2s0": {"addresses": ["192.168.31.240/24"], "gateway": "192.168.31.1"},
}
"""What a lab holds before any topology names a NIC: the seed's uplink (wlp2s0, its address
and gateway). A lab with no NIC would give the designer's Host dock nothing to build from."""
_OUTSIDE_PREFIX = 24
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Lab:
    """What was built: the namespaces (on-disk names) and the emulated NICs."""

    host_netns: str
    router_netns: str
    outside_netns: str
    outside_address: str
    nics: dict[str, HostNic] = field(default_factory=dict)
    dhcp_leases: Path | None = None
    """The lease file of the router's DHCP server (dnsmasq); None when nothing is served."""


def _names(target: Target) -> tuple[str, str, str]:
    host = target.host_netns
    if host is None:
        raise ValueError("the lab needs a target whose host is a namespace (Target.lab())")
    base = host.removesuffix("-host")
    return host, f"{base}-router", f"{base}-outside"


def outside_refusal(outside: str) -> str | None:
    """Why a check in the lab cannot probe ``outside`` (None: it can). Beyond the lab's
    gateway there is one address, LAB_OUTSIDE_ADDRESS: the router has no route to any other,
    so every probe to 8.8.8.8 comes back "Network is unreachable" whatever the design, a
    mismatch of every pair the design predicts reachable."""
    if outside == LAB_OUTSIDE_ADDRESS:
        return None
    shown = clipped(outside, 64)
    return (f"in the lab only {LAB_OUTSIDE_ADDRESS} (the lab's outside) answers beyond the"
            f" gateway, and {shown} is nowhere in it: every probe to it would fail whatever"
            " the design. Leave --target-outside out (the lab's outside is probed by default);"
            f" explain --deployed --target-outside {shown} predicts it without probing")


def outside_netns(target: Target) -> str:
    """The on-disk name of the lab's outside namespace (where LAB_OUTSIDE_ADDRESS lives)."""
    return _names(target)[2]


def lab_topology(nics: dict[str, HostNic], target: Target,
                 uplink: str | None = None) -> Topology:
    """The lab as a topology of its own, applied on the engine's own namespace.

    Each NIC is a veth to the router; NICs on one subnet share a LAN (see ``lans.py``): their
    router ends join one bridge that holds the gateway once, as one router would. The host's
    default route leaves by ``uplink`` (the NIC that had it) while that NIC has an IPv4
    gateway, else by the first such NIC: a design added later does not take the route from
    under the designs that built on it (docker's masquerade out wlp2s0 when eth1 joins)."""
    host, router, outside = _names(target)
    namespaces: dict[str, Any] = {
        host: {"routes": []},
        router: {"sysctls": {"net.ipv4.ip_forward": 1, "net.ipv6.conf.all.forwarding": 1}},
        outside: {"routes": [{"to": "default", "via": LAB_OUTSIDE_GATEWAY}]},
    }
    interfaces: dict[str, Any] = {
        "r-outside": {"kind": "veth", "peer": "outside0", "namespace": router,
                      "addresses": [f"{LAB_OUTSIDE_GATEWAY}/{_OUTSIDE_PREFIX}"]},
        "outside0": {"kind": "veth", "peer": "r-outside", "namespace": outside,
                     "addresses": [f"{LAB_OUTSIDE_ADDRESS}/{_OUTSIDE_PREFIX}"]},
    }
    separated = _separate_lans(lans(nics))
    if separated:
        namespaces[router]["firewall"] = separated
    for lan in lans(nics):
        if lan.bridged:
            interfaces[lan.router_interface] = {"kind": "bridge", "namespace": router,
                                                "addresses": list(lan.gateways)}
        for name in lan.nics:
            nic = nics[name]
            interfaces[name] = {"kind": "veth", "peer": router_end(name), "namespace": host,
                                "addresses": list(nic.addresses)}
            if nic.mac:
                interfaces[name]["mac"] = nic.mac
            interfaces[router_end(name)] = {
                "kind": "veth", "peer": name, "namespace": router,
                **({"master": lan.router_interface} if lan.bridged
                   else {"addresses": list(lan.gateways)})}
    gateways = {name: cidr.split("/")[0] for name, nic in sorted(nics.items())
                if (cidr := gateway_cidr(nic)) is not None
                and ipaddress.ip_interface(cidr).version == 4}
    out = uplink if uplink in gateways else next(iter(gateways), None)
    if out is not None:
        namespaces[host]["routes"].append({"to": "default", "via": gateways[out], "dev": out})
    return Topology.model_validate({
        "netwright": 1, "name": LAB_TOPOLOGY_NAME,
        "description": "Netwright lab host: emulated uplink NICs, router, outside address",
        "namespaces": namespaces, "interfaces": interfaces,
    })


def _separate_lans(found: list[Lan]) -> dict[str, Any] | None:
    """The router's rules that keep its LANs apart, as separate routers would: each LAN
    reaches the outside, never another LAN nor that LAN's gateway address. The checks
    predict exactly that (a LAN's gateway routes nothing it does not know "beyond what the
    topology describes"); one router forwarding between a laptop's Wi-Fi and Ethernet LANs
    made each such pair a mismatch. None with fewer than two LANs."""
    if len(found) < 2:
        return None
    forward, into = [], []
    for lan in found:
        for other in found:
            if other is lan:
                continue
            forward.append({"action": "drop", "in": lan.router_interface,
                            "out": other.router_interface})
            into += [{"action": "drop", "in": lan.router_interface,
                      "to": str(ipaddress.ip_interface(gateway).ip)}
                     for gateway in other.gateways]
    return {"forward": {"rules": forward}, **({"input": {"rules": into}} if into else {})}


def _infra_engine(state_dir: Path | None) -> Engine:
    return Engine(Path(state_dir or default_state_dir()) / "lab-infra", Target.host())


async def _current(state_dir: Path | None) -> Topology | None:
    """The lab's own topology as last applied (None before it is built)."""
    engine = _infra_engine(state_dir)
    if LAB_TOPOLOGY_NAME not in await engine.deployments():
        return None
    return (await engine.deployment(LAB_TOPOLOGY_NAME)).topology


async def lab_uplink(target: Target | None = None, *,
                     state_dir: Path | None = None) -> str | None:
    """The NIC the lab host's default route leaves by (None without a lab or route)."""
    current = await _current(state_dir)
    if current is None:
        return None
    routes = current.namespaces[_names(target or Target.lab())[0]].routes
    return next((str(r.dev) for r in routes if str(r.to) == "default" and r.dev), None)


async def lab_nics(target: Target | None = None, *,
                   state_dir: Path | None = None) -> dict[str, HostNic]:
    """The emulated NICs the lab host has now, with their gateways (none before it is built)."""
    target = target or Target.lab()
    nics: dict[str, HostNic] = {}
    current = await _current(state_dir)
    if current is None:
        return nics
    host = _names(target)[0]
    for key, link in current.interfaces.items():
        if link.namespace == host:
            nics[key] = HostNic.model_validate(
                {"addresses": [str(a) for a in link.addresses],
                 **({"mac": link.mac} if link.mac else {})})
    _restore_gateways(current, nics)
    return nics


async def build_lab(topology: Topology | None, target: Target | None = None, *,
                    state_dir: Path | None = None) -> Lab:
    """Build (or extend) the lab so ``topology``'s host NICs exist in ``target.host_netns``.

    Idempotent: NICs already in the lab are kept (a NIC named again takes the new addresses),
    so several topologies can share one lab. A lab never has no NIC: with none named yet it
    gets ``LAB_DEFAULT_NICS`` (so ``build_lab(None)`` presents the seed's wlp2s0).
    """
    target = target or Target.lab()
    nics = await lab_nics(target, state_dir=state_dir)
    dropped: list[str] = []
    uplink = await lab_uplink(target, state_dir=state_dir)
    if topology is not None:
        nics.update(topology.host.nics)
        dropped = await _shadowed_defaults(nics, topology, target, state_dir)
        for name in dropped:
            del nics[name]
        uplink = await _uplink_for(topology, uplink, target, state_dir)
    return await _build(nics, target, state_dir, again=bool(dropped), uplink=uplink)


@dataclass(frozen=True)
class LabPrepared:
    """What ``build_lab_for`` did for a plan or apply: its notes for the plan, and the call
    that takes it back should that plan or apply be refused."""

    notes: list[str]
    take_back: Callable[[], Awaitable[None]]

    @contextlib.asynccontextmanager
    async def taken_back_on_refusal(self, failed: Callable[[Exception], object] | None = None
                                    ) -> AsyncIterator[LabPrepared]:
        """A block (the plan or apply) whose refusal, any exception out of it, takes the
        NICs back. A failure to take them back goes to ``failed`` when given, so that the
        refusal stays what the caller hears; without it, it propagates."""
        try:
            yield self
        except BaseException:
            try:
                await self.take_back()
            except Exception as exc:
                if failed is None:
                    raise
                failed(exc)
            raise


async def build_lab_for(topology: Topology, target: Target | None = None, *,
                        state_dir: Path | None = None) -> LabPrepared:
    """``build_lab(topology)`` for a plan or apply of ``topology``: a refused design leaves
    no NIC behind, and a design on another deployment's LAN hears what that breaks."""
    target = target or Target.lab()
    before = await lab_nics(target, state_dir=state_dir)
    built = await build_lab(topology, target, state_dir=state_dir)
    uplink = await lab_uplink(target, state_dir=state_dir)
    owners = await _nic_owners(target, state_dir, besides=topology.name)
    notes = [*shared_lan_notes(topology, built.nics, uplink, owners),
             *uplink_elsewhere_notes(topology, built.nics, uplink, owners)]
    return LabPrepared(notes, lambda: take_back(topology, before, target, state_dir=state_dir))


async def take_back(topology: Topology, before: dict[str, HostNic],
                    target: Target | None = None, *, state_dir: Path | None = None) -> None:
    """Return the NICs ``build_lab(topology)`` added, re-addressed or dropped to what they
    were (``before``), except those another deployment in the lab builds on by now."""
    target = target or Target.lab()
    now = await lab_nics(target, state_dir=state_dir)
    others = await _nics_in_use(target, state_dir, besides=topology.name)
    nics = dict(now)
    for name in (set(topology.host.nics) | (set(before) - set(now))) - others:
        if name in before:
            nics[name] = before[name]
        else:
            nics.pop(name, None)
    if nics != now and nics:
        await _build(nics, target, state_dir, again=bool(set(now) - set(nics)))


async def _build(nics: dict[str, HostNic], target: Target, state_dir: Path | None, *,
                 again: bool, uplink: str | None = None) -> Lab:
    """Apply the lab with ``nics`` (``LAB_DEFAULT_NICS`` if none); ``again``: a NIC left,
    and the host's default route may have gone with it while the plan saw it there.
    ``uplink``: the NIC the default route should leave by (None: the one it leaves by)."""
    if not nics:
        nics = {name: HostNic.model_validate(nic) for name, nic in LAB_DEFAULT_NICS.items()}
    engine = _infra_engine(state_dir)
    wanted = lab_topology(nics, target, uplink or await lab_uplink(target, state_dir=state_dir))
    with refused_as(f"the lab's own network ({len(wanted.namespaces)} namespaces: its host,"
                    " its router, the outside)"):
        await engine.apply(wanted)
        if again:
            await engine.apply(wanted)
    host, router, outside = _names(target)
    leases = _serve_dhcp(nics, router, state_dir)
    return Lab(host, router, outside, LAB_OUTSIDE_ADDRESS, nics, leases)


async def _nic_owners(target: Target, state_dir: Path | None, *,
                      besides: str | None = None) -> dict[str, list[str]]:
    """Each host NIC the lab's deployments (but ``besides``) build on, and which do."""
    deployed = Engine(Path(state_dir or default_state_dir()), target)
    owners: dict[str, list[str]] = {}
    for name in await deployed.deployments():
        if name != besides:
            for nic in (await deployed.deployment(name)).topology.host.nics:
                owners.setdefault(nic, []).append(name)
    return owners


async def _nics_in_use(target: Target, state_dir: Path | None, *,
                       besides: str | None = None) -> set[str]:
    """The host NICs the lab's deployments (but ``besides``) build on."""
    return set(await _nic_owners(target, state_dir, besides=besides))


async def _shadowed_defaults(nics: dict[str, HostNic], topology: Topology, target: Target,
                             state_dir: Path | None) -> list[str]:
    """Lab NICs that must leave the lab for ``topology``: it brings another NIC on the same
    subnet, and no deployment builds on the one there (the stand-in wlp2s0, or the eth1 of a
    design destroyed since): the design meant its own NIC as the host's way onto that LAN, not
    a second one beside it, which took the host's traffic to the LAN's gateway from under the
    design's masquerade."""
    brought = list(topology.host.nics.values())
    shadowed = [name for name, nic in nics.items()
                if name not in topology.host.nics and _same_subnet(nic, brought)]
    if not shadowed:
        return []
    used = await _nics_in_use(target, state_dir)
    return [name for name in shadowed if name not in used]


async def _uplink_for(topology: Topology, uplink: str | None, target: Target,
                      state_dir: Path | None) -> str | None:
    """The NIC the lab host's default route leaves by once ``topology``'s NICs are in: its
    own first NIC with an IPv4 gateway, unless the route leaves by one of its NICs already or
    another deployment builds on the NIC it leaves by. A lab's route stayed on the stand-in
    wlp2s0, or on the eth1 of a design destroyed since, and a design on eth0 then saw its
    masquerade out eth0 take none of the traffic beyond the gateway (its check's mismatches)."""
    if uplink in topology.host.nics:
        return uplink
    if uplink is not None and uplink in await _nics_in_use(target, state_dir,
                                                           besides=topology.name):
        return uplink
    own = [name for name, nic in topology.host.nics.items()
           if (cidr := gateway_cidr(nic)) is not None
           and ipaddress.ip_interface(cidr).version == 4]
    return own[0] if own else uplink


def _same_subnet(nic: HostNic, others: list[HostNic]) -> bool:
    return any(overlap(nic, other) for other in others)


def _serve_dhcp(nics: dict[str, HostNic], router: str, state_dir: Path | None) -> Path | None:
    """The router's dnsmasq serves every LAN with an IPv4 gateway, one range each (skipped
    without dnsmasq)."""
    server = LabDhcpServer(lab_server_dir(Path(state_dir or default_state_dir())), router)
    served = [s for lan in lans(nics) if (s := served_lan(lan, nics)) is not None]
    if not served:
        server.stop()
        return None
    try:
        server.start(served)
    except DhcpError as exc:  # the lab works without DHCP; dhcp interfaces then say so
        _log.warning("the lab serves no DHCP: %s", exc)
        return None
    return server.lease_file


def dhcp_server_leases(state_dir: Path | None = None) -> list[ServerLease]:
    """The leases the lab router's DHCP server holds now (its lease file; [] if none)."""
    return LabDhcpServer(lab_server_dir(Path(state_dir or default_state_dir())), "").leases()


def _restore_gateways(current: Topology, nics: dict[str, HostNic]) -> None:
    """The gateway of a NIC already in the lab is the address of its router end, or of the
    bridge that end is a port of (its LAN's) that lies on the NIC's subnet."""
    for name, nic in list(nics.items()):
        end = current.interfaces.get(router_end(name))
        holder = current.interfaces.get(end.master) if end and end.master else end
        if holder is None:
            continue
        mine = [ipaddress.ip_interface(str(a)).network for a in nic.addresses]
        held = [ipaddress.ip_interface(str(a)).ip for a in holder.addresses]
        gateway = next((str(ip) for ip in held if any(ip in net for net in mine)), None)
        if gateway is None:
            continue
        nics[name] = HostNic.model_validate({**nic.model_dump(mode="json", exclude_none=True),
                                             "gateway": gateway})


async def destroy_lab(target: Target | None = None, *, state_dir: Path | None = None) -> bool:
    """Destroy every deployment in the lab, then the lab itself. False if there was no lab."""
    target = target or Target.lab()
    _names(target)
    deployed = Engine(Path(state_dir or default_state_dir()), target)
    for name in await deployed.deployments():
        await deployed.destroy(name)
    base = Path(state_dir or default_state_dir())
    DhcpClients(base, target).stop_all()  # none should be left; they would keep namespaces
    LabDhcpServer(lab_server_dir(base), _names(target)[1]).stop()
    try:
        await _infra_engine(state_dir).destroy(LAB_TOPOLOGY_NAME)
    except NotDeployed:
        return False
    return True
