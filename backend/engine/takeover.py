"""Whether a runtime change can cut the host off: forwarding, NAT or filter rules of the host
itself that touch the device carrying its default route.

Like a change of that device's NetworkManager profile, such a change is applied only with
confirmation and then kept on trial (``trial``): a masquerade out of the uplink, a port
published on it, a host filter chain that names it or drops by default (an SSH session can
die with it), or host forwarding switched. Decided from the design and the one it replaces
(no kernel access beyond the list of default-route devices, which the caller passes).
"""

from __future__ import annotations

from netwright.backend.topology.firewall import Chain, Firewall, Masquerade, Publish, Snat
from netwright.backend.topology.model import Host, Topology


def _devices(host: Host) -> set[str]:
    """Every interface the host's NAT entries and filter rules name."""
    named: set[str] = set()
    for entry in host.nat:
        if isinstance(entry, Masquerade):
            named.add(entry.masquerade.out)
        elif isinstance(entry, Snat):
            named.add(entry.snat.out)
        elif isinstance(entry, Publish) and entry.publish.in_:
            named.add(entry.publish.in_)
    for chain in _chains(host.firewall):
        for rule in chain.rules:
            named |= {name for name in (rule.in_, rule.out) if name}
    return named


def _chains(firewall: Firewall | None) -> list[Chain]:
    if firewall is None:
        return []
    return [c for c in (firewall.input, firewall.forward, firewall.output) if c is not None]


def _policy(host: Host | None) -> tuple[object, ...]:
    if host is None:
        return (None, (), None)
    return (host.forwarding, tuple(host.nat), host.firewall)


def runtime_takeover(topology: Topology, previous: Topology | None,
                     uplinks: list[str]) -> str | None:
    """The sentence to confirm, or None when the host's own packet policy is unchanged or
    cannot touch its connection."""
    new, old = topology.host, previous.host if previous else None
    if _policy(new) == _policy(old) or not uplinks:
        return None
    reasons = []
    if (new.forwarding) != (old.forwarding if old else None):
        reasons.append("switches the host's forwarding")
    hit = (_devices(new) | (_devices(old) if old else set())) & set(uplinks)
    if hit:
        reasons.append(f"changes NAT or filter rules on {', '.join(sorted(hit))} (the device"
                       " of the host's default route)")
    drops = [hook for hook in ("input", "output")
             if (chain := getattr(new.firewall, hook, None)) is not None
             and chain.policy == "drop"]
    if drops and (new.firewall != (old.firewall if old else None)):
        reasons.append(f"drops the host's {' and '.join(drops)} by default")
    if not reasons:
        return None
    where = "" if hit else f" (the host's default route leaves by {', '.join(uplinks)})"
    return (f"this {' and '.join(reasons)}{where}: the host may lose its connection. Confirm"
            " to go ahead; the change is then on trial and the previous rules come back by"
            " themselves unless you keep it in time")
