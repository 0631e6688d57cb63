"""Semantic validation of what breaks a network without an error: MTUs and VXLAN identity.

Every rule here is a warning, because the kernel accepts the design and small pings pass:
interfaces of one layer-2 segment (a veth pair, a bridge and its ports, a parent and its
children) with different MTUs drop every frame bigger than the smallest one without an ICMP
error; a VXLAN whose MTU leaves no room for its encapsulation on the underlay makes every
full-size packet fragment (or vanish where fragments are dropped); two VXLAN ends with
different VNIs or UDP ports, or whose remotes do not point at each other, share nothing. The
MTU each interface will really have comes from ``mtu.Mtus`` (the kernel's defaults and
inheritance); ``vxlan_mismatch`` is also the explanation's reason for such a pair.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterator

from netwright.backend.topology.model import Topology, Veth, Vxlan, static_addresses
from netwright.backend.topology.mtu import VXLAN_OVERHEAD, Mtus, vxlan_family
from netwright.backend.topology.problems import ModelPath, Problem
from netwright.backend.topology.sentence_names import interface_words, namespace_words, place_words


def _warning(code: str, path: ModelPath, message: str) -> Problem:
    return Problem("warning", code, path, message)


def _error(code: str, path: ModelPath, message: str) -> Problem:
    return Problem("error", code, path, message)


def _mtu_path(mtus: Mtus, key: str) -> ModelPath:
    return ("interfaces", key, "mtu") if mtus.explicit(key) else ("interfaces", key)


def _segments(t: Topology) -> Iterator[tuple[str, str, list[str]]]:
    """(what joins them, its key, members) for each veth pair, bridge and parent with its
    children."""
    seen: set[frozenset[str]] = set()
    ports: dict[str, list[str]] = {}
    children: dict[str, list[str]] = {}
    for key, link in t.interfaces.items():
        if isinstance(link, Veth) and link.peer in t.interfaces:
            pair = frozenset((key, link.peer))
            if pair not in seen:
                seen.add(pair)
                yield "veth", key, [key, link.peer]
        if link.master in t.interfaces:
            ports.setdefault(link.master, []).append(key)
        parent = getattr(link, "parent", None)
        if parent in t.interfaces or parent in t.host.nics:
            children.setdefault(parent, []).append(key)
    for bridge, members in ports.items():
        own = [bridge] if t.interfaces[bridge].mtu is not None else []
        yield "bridge", bridge, own + members
    for parent, members in children.items():
        yield "parent", parent, [parent, *members]


def check_segment_mtus(t: Topology) -> Iterator[Problem]:
    """One layer-2 segment, one MTU: the kernel drops a frame bigger than the MTU of the veth
    that receives it or the bridge port that sends it, and says nothing."""
    mtus = Mtus(t)
    for joined_by, joiner, members in _segments(t):
        sizes = {key: mtus.of(key) for key in members}
        low, high = min(sizes.values()), max(sizes.values())
        if low == high:
            continue
        smaller = next(k for k in members if sizes[k] == low)
        bigger = [k for k in members if sizes[k] == high]
        others = ", ".join(bigger)
        verb = "have" if len(bigger) > 1 else "has"
        if joined_by == "veth":
            where = f"the other end of its veth pair, {others}, has {high}"
        elif joined_by == "bridge":
            where = f"{others} on the same bridge ({joiner}) {verb} {high}"
        elif bigger == [joiner]:
            where = f"its parent {joiner} has {high}"
        else:
            where = f"{others}, on the wire of parent {joiner}, {verb} {high}"
        effect = (f"frames bigger than {low} bytes towards {smaller} are dropped without an"
                  " error (small pings pass, full-size packets do not)")
        if joined_by == "parent":  # measured: a sub-interface takes bigger frames in
            effect = (f"{smaller} sends at most {low} bytes while its neighbours send {high},"
                      f" which any veth end or bridge port of MTU {low} on the way drops"
                      " without an error")
        yield _warning("mtu-mismatch", _mtu_path(mtus, smaller),
                       f"{smaller} has MTU {low} but {where}: {effect}; give every interface"
                       f" of this segment the same MTU ('mtu: {low}' on {others}, or 'mtu:"
                       f" {high}' on {smaller})")


def _underlay(t: Topology, link: Vxlan) -> str | None:
    """The key of the interface a vxlan's packets leave by: its ``dev``, else the interface
    of its namespace that holds its ``local`` address."""
    if link.dev is not None:
        return link.dev
    if link.local is None:
        return None
    for key, other in t.interfaces.items():
        if other.namespace == link.namespace and any(
                isinstance(a, str) and a.split("/")[0] == link.local for a in other.addresses):
            return key
    if link.namespace is None:
        for nic, host_nic in t.host.nics.items():
            if any(a.split("/")[0] == link.local for a in host_nic.addresses):
                return nic
    return None


def check_vxlan_mtus(t: Topology) -> Iterator[Problem]:
    """A vxlan's MTU plus its encapsulation must fit the underlay's MTU."""
    mtus = Mtus(t)
    for key, link in t.interfaces.items():
        if not isinstance(link, Vxlan):
            continue
        underlay = _underlay(t, link)
        if underlay is None:
            continue
        family = vxlan_family(link)
        overhead = VXLAN_OVERHEAD[family]
        room = mtus.of(underlay) - overhead
        if mtus.of(key) > room:
            yield _warning("vxlan-mtu-overhead", _mtu_path(mtus, key),
                           f"vxlan {key} has MTU {mtus.of(key)}, but its underlay {underlay} has"
                           f" {mtus.of(underlay)} and VXLAN over IPv{family} adds {overhead}"
                           f" bytes: packets over {room} bytes leave fragmented, and vanish"
                           f" wherever fragments are dropped; set 'mtu: {room}' on {key} (or"
                           f" raise {underlay}'s MTU to {mtus.of(key) + overhead})")


def check_route_sources(t: Topology) -> Iterator[Problem]:
    """A route's preferred source must be an address of its namespace, of the route's
    family: the kernel refuses anything else ("Invalid prefsrc address")."""
    for ns, namespace in t.namespaces.items():
        mine = _place_addresses(t, ns)
        named = namespace_words(ns)  # "of namespace gateway", never "of gateway"
        for index, route in enumerate(namespace.routes):
            if route.src is None:
                continue
            src = ipaddress.ip_address(route.src)
            probe = route.via or (None if route.to == "default" else route.to.split("/")[0])
            family = ipaddress.ip_address(probe).version if probe else src.version
            if src.version != family or route.src not in mine:
                yield _error("route-src-not-local",
                              ("namespaces", ns, "routes", index, "src"),
                              f"route {route.to} in {named} prefers source {route.src}, which"
                              f" is not an IPv{family} address of {named}: the kernel refuses"
                              f" it ('Invalid prefsrc address'); use one of {named}'s own"
                              " addresses")


def link_problems(t: Topology) -> Iterator[Problem]:
    """Every rule of this module, for validate.RULES."""
    yield from check_segment_mtus(t)
    yield from check_vxlan_mtus(t)
    yield from check_vxlan_ends(t)
    yield from check_route_sources(t)


def _place_addresses(t: Topology, namespace: str | None) -> set[str]:
    found = {str(a.ip) for link in t.interfaces.values() if link.namespace == namespace
             for a in static_addresses(link)}
    if namespace is None:
        found |= {str(a.ip) for nic in t.host.nics.values() for a in static_addresses(nic)}
    return found


def _vxlans_at(t: Topology, address: str) -> tuple[bool, list[str]]:
    """(whether the topology holds ``address``, the vxlans in the place that holds it)."""
    for namespace in [None, *t.namespaces]:
        if address in _place_addresses(t, namespace):
            return True, [k for k, link in t.interfaces.items()
                          if isinstance(link, Vxlan) and link.namespace == namespace]
    return False, []


def _underlay_address(t: Topology, link: Vxlan) -> str | None:
    """The address of ``link``'s underlay device in its remote's family, if it has one."""
    underlay = t.interfaces.get(link.dev or "") or t.host.nics.get(link.dev or "")
    if underlay is None or link.remote is None:
        return None
    family = ipaddress.ip_address(link.remote).version
    return next((str(a.ip) for a in static_addresses(underlay) if a.version == family), None)


def vxlan_mismatch(t: Topology, key: str, other: str) -> tuple[str, str] | None:
    """Why vxlan ``key``, whose ``remote`` lies in ``other``'s place, shares nothing with
    ``other`` (a different VNI or UDP port, or a remote that does not point back), with the
    fix; None when the two ends match."""
    link, peer = t.interfaces[key], t.interfaces[other]
    assert isinstance(link, Vxlan) and isinstance(peer, Vxlan)
    if link.vni != peer.vni:
        return (f"{interface_words(key)} sends VNI {link.vni} to {link.remote}; {other} listens"
                " for VNI"
                f" {peer.vni}", f"give both ends one VNI ('vni: {link.vni}' on {other})")
    if link.port != peer.port:
        return (f"{interface_words(key)} sends to UDP port {link.port} of {link.remote}; {other}"
                " listens on"
                f" port {peer.port}", f"give both ends one port ('port: {link.port}' on {other})")
    if peer.group is None and peer.remote is not None and \
            peer.remote not in _place_addresses(t, link.namespace):
        mine = link.local or _underlay_address(t, link) or \
            "an underlay address of " + place_words(link.namespace)
        return (f"{interface_words(key)} sends to {link.remote}, but {other} sends to"
                f" {peer.remote}, not back to"
                f" {place_words(link.namespace)}: frames from {other} never reach {key}",
                f"set 'remote: {mine}' on {other}")
    return None


def check_vxlan_ends(t: Topology) -> Iterator[Problem]:
    """Two tunnel ends that do not agree share nothing, yet each looks fine on its own."""
    warned: set[frozenset[str]] = set()
    for key, link in t.interfaces.items():
        if not isinstance(link, Vxlan) or link.remote is None:
            continue
        held, there = _vxlans_at(t, link.remote)
        if not held:
            continue  # a remote beyond this topology: nothing to compare
        if not there:
            yield _warning("vxlan-remote-unmatched", ("interfaces", key, "remote"),
                           f"{interface_words(key)} sends to {link.remote}, where no vxlan of"
                           " this topology"
                           f" listens: its frames are dropped there; add a vxlan with VNI"
                           f" {link.vni} on port {link.port} beside {link.remote}, or correct"
                           " 'remote'")
            continue
        problems = [(other, vxlan_mismatch(t, key, other)) for other in there]
        if any(problem is None for _other, problem in problems):
            continue
        other, problem = problems[0]
        assert problem is not None
        if frozenset((key, other)) in warned:
            continue  # the same disagreement, seen from the other end
        warned.add(frozenset((key, other)))
        peer = t.interfaces[other]
        assert isinstance(peer, Vxlan)
        code, field = (("vxlan-vni-mismatch", "vni") if peer.vni != link.vni else
                       ("vxlan-port-mismatch", "port") if peer.port != link.port else
                       ("vxlan-remote-unmatched", "remote"))
        path: ModelPath = ("interfaces", key, field)
        if field == "port" and "port" not in link.model_fields_set:
            path = ("interfaces", other, "port")  # the end that names another port
        effect = "one way only" if field == "remote" else "nothing"
        yield _warning(code, path, f"{problem[0]}; the tunnel carries {effect}; {problem[1]}")
