"""What a design changes of the machine itself, beyond the objects Netwright creates.

Namespaces, the links Netwright creates, their addresses and qdiscs, and the routes, sysctls
and rules inside its own namespaces are Netwright's objects: io.netwright.apply is about
them. Two kinds of plan step change how the whole host behaves instead, for every program
and every packet on it: the host's own sysctls (``host.forwarding`` makes the machine a
router, through SysctlSet steps on the host) and the host's inet nftables table
(``host.nat`` masquerades and publishes ports, ``host.firewall`` filters the host's own
traffic, through NftReplace steps on the host). The bridge table on the host is not among
them: its rules match only ports the design creates. Reads the model only, so the answer is
known before anything is planned or changed (netwrightd asks for io.netwright.host then).

Addresses on the links the design creates in the host (AddrAdd steps there) are its own
objects too, except for the route each brings into the host's table: ``address_takeovers``
names those that would take traffic the host sends elsewhere now — a public prefix (say
10.0.0.1/1 routes half the Internet into the design), one that overlaps a subnet or route
the host has (its LAN, a VPN), and a DHCP lease, whose routes a DHCP server decides. Those
need io.netwright.host as well; ``host_prefixes`` reads what the host has.

A macvlan in passthru mode on one of the host's NICs (not a link the design makes) takes
that NIC over: every frame it receives goes to the child, and the host's own traffic on it
stops. ``host_wide`` names that too.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from netwright.backend.kernel.netns import Where
from netwright.backend.kernel.session import Kernel
from netwright.backend.observe.state import observe_ns, owns
from netwright.backend.topology import Topology
from netwright.backend.topology.fields import FORWARDING_SYSCTLS
from netwright.backend.topology.firewall import Masquerade, Publish, Snat
from netwright.backend.topology.model import (
    Host,
    Interface,
    Macvlan,
    dhcp_entries,
    static_entries,
)

Prefix = ipaddress.IPv4Network | ipaddress.IPv6Network

_FAMILY_WORDS = {"ipv4": "IPv4", "ipv6": "IPv6"}


def host_wide(topology: Topology) -> list[str]:
    """The host-wide settings ``topology`` owns, in words ("IPv4 forwarding on", "masquerade
    of 10.0.0.0/24 out of wlp2s0" …); empty when it changes only its own objects."""
    return list(_settings(topology.host).values()) + _nic_takeovers(topology)


def _nic_takeovers(topology: Topology) -> list[str]:
    """The macvlan children in passthru mode on a NIC of the host (see the module's
    opening), in words."""
    out = []
    for key, link in topology.interfaces.items():
        if not isinstance(link, Macvlan) or link.mode != "passthru" or link.existing \
                or link.parent is None:
            continue
        parent = topology.interfaces.get(link.parent)
        if parent is None or parent.existing:  # the host's NIC, not a link the design makes
            out.append(f"macvlan {key} in passthru mode takes the host's NIC {link.parent}"
                       " over, and the host's own traffic on it stops")
    return out


def dropped_settings(previous: Host, host: Host) -> list[str]:
    """What ``previous`` (the design as last applied) set on the host and ``host`` no longer
    does: applying ``host`` restores those sysctls' values from before the deployment and
    takes those rules out of the host's table."""
    now = _settings(host)
    return [_DROPPED.get(key, words) for key, words in _settings(previous).items()
            if key not in now]


_DROPPED = {family: f"the host's {words} forwarding" for family, words in _FAMILY_WORDS.items()}


def _settings(host: Host) -> dict[str, str]:
    """Each host-wide setting of a design's ``host`` part: a key that names it (the family
    for forwarding, the words for the rest) → its words."""
    out = {}
    forwarding = host.forwarding
    for family in FORWARDING_SYSCTLS:
        wanted = getattr(forwarding, family) if forwarding is not None else None
        if wanted is not None:
            out[family] = f"{_FAMILY_WORDS[family]} forwarding {'on' if wanted else 'off'}"
    for entry in host.nat:
        words = _nat_words(entry)
        out[words] = words
    firewall = host.firewall
    hooks = [hook for hook in ("input", "forward", "output")
             if firewall is not None and getattr(firewall, hook) is not None]
    if hooks:
        out["firewall"] = f"the host's firewall on {', '.join(hooks)}"
    return out


def _nat_words(entry: object) -> str:
    if isinstance(entry, Masquerade):
        return f"masquerade of {entry.masquerade.from_} out of {entry.masquerade.out}"
    if isinstance(entry, Snat):
        return f"SNAT of {entry.snat.from_} out of {entry.snat.out} to {entry.snat.to}"
    if isinstance(entry, Publish):
        p = entry.publish
        return f"publishing {p.proto} port {p.port} to {p.to}:{p.to_port or p.port}"
    return "NAT"


def _made_in_host(topology: Topology) -> list[tuple[str, Interface]]:
    """The links ``topology`` creates in the host (not in a namespace, not existing)."""
    return [(key, link) for key, link in topology.interfaces.items()
            if link.namespace is None and not link.existing]


def needs_host_prefixes(topology: Topology) -> bool:
    """Whether ``address_takeovers`` compares anything with the host's prefixes: a static
    address on a link the design creates in the host. Without one the host is not read."""
    return any(static_entries(link) for _key, link in _made_in_host(topology))


def address_takeovers(topology: Topology, taken: Iterable[Prefix]) -> list[str]:
    """The addresses of links ``topology`` creates in the host whose routes would take
    traffic the host sends elsewhere now (see the module's opening); ``taken``: the subnets
    and routes the host has besides this topology's own (``host_prefixes``)."""
    taken = [t for t in taken if t.prefixlen]  # every prefix is inside a default route
    out = []
    for key, link in _made_in_host(topology):
        if dhcp_entries(link):
            out.append(f"a DHCP lease on {key} (its routes are the DHCP server's)")
        for entry in static_entries(link):
            network = entry.interface.network
            if network.prefixlen == network.max_prefixlen:
                continue  # an address alone routes nothing to the link
            if not network.is_private:
                out.append(f"{entry.interface} on {key} (public addresses)")
                continue
            hit = next((t for t in taken if t.version == network.version
                        and network.overlaps(t)), None)
            if hit is not None:
                out.append(f"{entry.interface} on {key} (overlaps the host's {hit})")
    return out


def host_prefixes(kernel: Kernel, where: Where, topology: str) -> list[Prefix]:
    """The subnets of the host's links (but ``topology``'s own) and the destinations of its
    routes, as the kernel has them now in ``where``."""
    state = observe_ns(kernel, where, learned=True)
    out: list[Prefix] = []
    ours = set()
    for link in state.links.values():
        if owns(topology, 0, where, (link.name, link.alias, link.group)):
            ours.add(link.name)
            continue
        out += [ipaddress.ip_interface(a).network for a in link.addresses | link.leased]
    out += [ipaddress.ip_network(r.to, strict=False) for r in state.routes
            if r.to != "default" and r.dev not in ours]
    return out
