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
"""

from __future__ import annotations

from netwright.backend.engine.desired import FORWARDING_SYSCTLS
from netwright.backend.topology import Topology
from netwright.backend.topology.firewall import Masquerade, Publish, Snat
from netwright.backend.topology.model import Host

_FAMILY_WORDS = {"ipv4": "IPv4", "ipv6": "IPv6"}


def host_wide(topology: Topology) -> list[str]:
    """The host-wide settings ``topology`` owns, in words ("IPv4 forwarding on", "masquerade
    of 10.0.0.0/24 out of wlp2s0" …); empty when it changes only its own objects."""
    return list(_settings(topology.host).values())


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
