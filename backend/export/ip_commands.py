"""The `ip` commands that build a topology, in the seed's own style.

People learn this networking with `ip netns add`, `ip link add … type ipvlan mode l2` and
`ip -n net1 addr add …`; an export in exactly that language lets them check what Netwright
will do, keep a script, or run it where Netwright is not installed. Host NICs are referenced,
never changed: no command touches them.

Example::

    >>> from netwright.backend.topology import parse_topology
    >>> t = parse_topology("netwright: 1\\nname: t\\nnamespaces: {a: {}}\\n")
    >>> print(shell_script(t).splitlines()[-1])
    ip -n a link set lo up
"""

from __future__ import annotations

import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from netwright.backend.count_words import counted
from netwright.backend.observe.sysctls import FORWARDING
from netwright.backend.topology.fields import sysctl_interface
from netwright.backend.topology.impairment import Impairment, qdisc_choice
from netwright.backend.topology.model import (
    Bridge,
    Dummy,
    Ipvlan,
    Macvlan,
    Topology,
    Veth,
    Vlan,
    Vxlan,
    dhcp_entries,
    static_entries,
)


@dataclass(frozen=True)
class IpCommand:
    """One `ip` invocation: ``namespace`` is where it runs (None = the host)."""

    namespace: str | None
    args: tuple[str, ...]
    program: str = "ip"  # or "sysctl", run through `ip netns exec`; or "tc" (sh only)

    def shell(self) -> str:
        if self.program == "sysctl":
            prefix = ["ip", "netns", "exec", self.namespace] if self.namespace else []
            return shlex.join([*prefix, "sysctl", "-qw", *self.args])
        ns = ["-n", self.namespace] if self.namespace else []
        return shlex.join([self.program, *ns, *self.args])

    def batch(self) -> str:
        """`ip -batch` has no per-line `-n`: namespaced lines go through `netns exec`."""
        if self.program == "sysctl":
            body = ["sysctl", "-qw", *self.args]
        elif self.namespace:
            body = ["ip", *self.args]
        else:
            return shlex.join(list(self.args))
        if self.namespace:
            return shlex.join(["netns", "exec", self.namespace, *body])
        return shlex.join(body)  # a host sysctl has no batch form; never generated today


def _link_options(link: Veth | Bridge | Ipvlan | Macvlan | Vlan | Vxlan | Dummy) -> list[str]:
    options: list[str] = []
    if link.mac:
        options += ["address", link.mac]
    if link.mtu:
        options += ["mtu", str(link.mtu)]
    return options


def _kind_args(link: object) -> list[str]:
    if isinstance(link, Bridge):
        extra = (["stp_state", "1"] if link.stp else []) + (
            ["vlan_filtering", "1"] if link.vlan_filtering else []
        )
        return ["type", "bridge", *extra]
    if isinstance(link, Dummy):
        return ["type", "dummy"]
    if isinstance(link, Ipvlan):
        flag = [] if link.flag == "bridge" else [link.flag]
        return ["type", "ipvlan", "mode", link.mode, *flag]
    if isinstance(link, Macvlan):
        return ["type", "macvlan", "mode", link.mode]
    if isinstance(link, Vlan):
        proto = [] if link.protocol == "802.1Q" else ["protocol", link.protocol]
        return ["type", "vlan", *proto, "id", str(link.id)]
    if isinstance(link, Vxlan):
        args = ["type", "vxlan", "id", str(link.vni)]
        if link.remote:
            args += ["remote", link.remote]
        if link.group:
            args += ["group", link.group]
        if link.local:
            args += ["local", link.local]
        return [*args, "dstport", str(link.port)]
    raise TypeError(f"no ip form for {type(link).__name__}")


def creation_order(topology: Topology) -> list[str]:
    """Interface keys so that every parent, underlay and bridge comes before its users."""
    order: list[str] = []
    placed: set[str] = set()

    def visit(key: str, trail: tuple[str, ...]) -> None:
        if key in placed or key not in topology.interfaces or key in trail:
            return
        link = topology.interfaces[key]
        for dependency in (getattr(link, "parent", None), getattr(link, "dev", None)):
            if dependency:
                visit(dependency, (*trail, key))
        placed.add(key)
        order.append(key)

    # Bridges first so ports can join them as soon as they exist.
    for key in sorted(topology.interfaces, key=lambda k: topology.interfaces[k].kind != "bridge"):
        visit(key, ())
    return order


def _create(topology: Topology, key: str, done: set[str]) -> Iterator[IpCommand]:
    link = topology.interfaces[key]
    name = topology.kernel_name(key)
    if isinstance(link, Veth):
        if key in done or link.peer is None or link.peer not in topology.interfaces:
            return
        peer = topology.interfaces[link.peer]
        done.update({key, link.peer})
        peer_part = ["peer", "name", topology.kernel_name(link.peer), *_link_options(peer)]
        if peer.namespace:
            peer_part += ["netns", peer.namespace]
        here = ["netns", link.namespace] if link.namespace else []
        yield IpCommand(
            None, ("link", "add", name, *here, *_link_options(link), "type", "veth", *peer_part)
        )
        return
    lower = getattr(link, "parent", None) or getattr(link, "dev", None)
    run_in = topology.namespace_of(lower) if lower else link.namespace
    lower_args: list[str] = []
    if isinstance(link, Ipvlan | Macvlan | Vlan) and lower:
        lower_args = ["link", _name_of(topology, lower)]
    move = ["netns", link.namespace] if link.namespace != run_in and link.namespace else []
    args = ["link", "add", *lower_args, "name", name, *move, *_link_options(link)]
    kind = _kind_args(link)
    if isinstance(link, Vxlan) and link.dev:
        kind += ["dev", _name_of(topology, link.dev)]
    yield IpCommand(run_in, (*args, *kind))


def _name_of(topology: Topology, key: str) -> str:
    return topology.kernel_name(key) if key in topology.interfaces else key


def impairment_args(impairment: Impairment | None) -> list[str]:
    """The root qdisc ``netwright apply`` gives an impaired link, as tc(8) arguments: the
    kind and fields ``qdisc_choice`` chose for the engine too (netem, or tbf for a rate
    limit alone, with the engine's burst and latency), in tc's words. netem's jitter is the
    word after its delay, as tc reads it.

    >>> impairment_args(Impairment(rate="10mbit"))
    ['tbf', 'rate', '10mbit', 'burst', '32768', 'latency', '50ms']
    >>> impairment_args(Impairment(delay="40ms", jitter="5ms", loss="1%"))
    ['netem', 'delay', '40ms', '5ms', 'loss', '1%']
    """
    choice = qdisc_choice(impairment)
    if choice is None:
        return []
    args = [choice.kind]
    for name, value in choice.fields:
        if name == "jitter":
            if args[-2:-1] == ["delay"]:
                args.append(_tc_value(value))
            continue
        args += [name, _tc_value(value)]
    return args


def _tc_value(value: str) -> str:
    """A value of the file as one tc word: the file may write "10 mbit" or "40 ms", tc
    reads only "10mbit" and "40ms" (its units are the file's)."""
    return "".join(value.split())


def build_commands(topology: Topology, with_tc: bool = False) -> list[IpCommand]:
    """Every command, in an order the kernel accepts. Existing objects (someone else's) are
    used as they are, never created or changed, as ``netwright apply`` does. ``with_tc``:
    impairments as tc(8) commands too (the sh format; ``ip -batch`` reads only ip commands)."""
    commands: list[IpCommand] = []
    namespaces = {ns: spec for ns, spec in topology.namespaces.items() if not spec.existing}
    for ns, namespace in namespaces.items():
        commands.append(IpCommand(None, ("netns", "add", ns)))
        commands.append(IpCommand(ns, ("link", "set", "lo", "up")))
        owned = namespace.forwarding
        for version, on in ((4, owned.ipv4 if owned else None),
                            (6, owned.ipv6 if owned else None)):
            if on is not None:
                commands.append(IpCommand(ns, (f"{FORWARDING[version]}={int(on)}",),
                                          program="sysctl"))
        for key, value in namespace.sysctls.items():
            if sysctl_interface(key) is None:  # one interface's key waits for it (below)
                commands.append(IpCommand(ns, (f"{key}={value}",), program="sysctl"))
    done: set[str] = set()
    order = [key for key in creation_order(topology) if not topology.interfaces[key].existing]
    for key in order:
        commands.extend(_create(topology, key, done))
    for key in order:
        link = topology.interfaces[key]
        if link.master:
            commands.append(IpCommand(link.namespace, (
                "link", "set", topology.kernel_name(key), "master",
                topology.kernel_name(link.master),
            )))
    for ns, namespace in namespaces.items():  # before the addresses: accept_dad counts
        for key, value in namespace.sysctls.items():
            if sysctl_interface(key) is not None:
                commands.append(IpCommand(ns, (f"{key}={value}",), program="sysctl"))
    for key in order:
        link = topology.interfaces[key]
        for entry in static_entries(link):
            flags = ("nodad",) if entry.nodad else ()
            commands.append(IpCommand(link.namespace, (
                "addr", "add", str(entry.interface), "dev", topology.kernel_name(key), *flags)))
    if with_tc:
        for key in order:
            qdisc = impairment_args(topology.interfaces[key].impairment)
            if qdisc:
                commands.append(IpCommand(topology.interfaces[key].namespace, (
                    "qdisc", "add", "dev", topology.kernel_name(key), "root", "handle", "1:",
                    *qdisc), program="tc"))
    for key in order:
        link = topology.interfaces[key]
        if link.state == "up":
            commands.append(IpCommand(link.namespace, (
                "link", "set", topology.kernel_name(key), "up",
            )))
    for ns, namespace in namespaces.items():
        for route in namespace.routes:
            family = ["-6"] if (route.via and ":" in route.via) or ":" in route.to else []
            args = [*family, "route", "add", route.to]
            if route.via:
                args += ["via", route.via]
            if route.dev:
                args += ["dev", route.dev]
            if route.metric is not None:
                args += ["metric", str(route.metric)]
            if route.src is not None:
                args += ["src", route.src]
            commands.append(IpCommand(ns, tuple(args)))
    return commands


def left_out(topology: Topology, with_tc: bool = False) -> list[str]:
    """What the design holds that the script does not build, one sentence each: never
    dropped silently (``netwright apply`` writes rules as nftables tables, impairment as
    qdiscs, and records the host's forwarding to restore it on destroy). ``with_tc``: the
    script sets impairments with tc (the sh format), so they are not left out."""
    out: list[str] = []
    existing = [*(ns for ns, spec in topology.namespaces.items() if spec.existing),
                *(topology.kernel_name(k) for k, v in topology.interfaces.items()
                  if v.existing)]
    if existing:
        out.append(f"existing (someone else's, used as they are): {', '.join(existing)}")
    host = topology.host
    if host.forwarding is not None and (host.forwarding.ipv4 is not None
                                        or host.forwarding.ipv6 is not None):
        out.append("the host's forwarding (netwright apply sets it and restores it on"
                   " destroy)")
    places = [("the host", host.nat, host.firewall)] + [
        (f"namespace {ns}", spec.nat, spec.firewall)
        for ns, spec in topology.namespaces.items() if not spec.existing]
    for place, nat, firewall in places:
        if nat:
            out.append(f"{counted(len(nat), 'NAT entry', 'NAT entries')} in {place}"
                       " (netwright apply writes them as an nftables table)")
        if firewall is not None:
            out.append(f"the firewall rules of {place} (netwright apply writes them as an"
                       " nftables table)")
    for key, link in topology.interfaces.items():
        if link.existing:
            continue
        name = topology.kernel_name(key)
        if link.port_firewall is not None:
            out.append(f"the bridge-port rules of {name} (netwright apply writes them as an"
                       " nftables table of the bridge family)")
        if link.impairment is not None and not with_tc:
            out.append(f"the impairment of {name} (netwright apply sets it with tc)")
    return out


def _dhcp_notes(topology: Topology) -> list[str]:
    notes = []
    for key, link in topology.interfaces.items():
        for entry in dhcp_entries(link):
            client = f" with client-id {entry.client_id}" if entry.client_id else ""
            notes.append(f"# {topology.kernel_name(key)}: address by DHCP{client}"
                         " (run a DHCP client there; not part of this script)")
    return notes


def shell_script(topology: Topology) -> str:
    """A POSIX shell script (run it with ``sh -e``) that builds the topology."""
    lines = [
        "#!/bin/sh",
        f"# Topology {topology.name}, exported by netwright export --format sh.",
        "# Builds every namespace and interface with ip(8), impairments with tc(8); host NICs"
        " are used, never changed.",
        "set -e",
        *_dhcp_notes(topology),
        *(f"# not in this script: {line}" for line in left_out(topology, with_tc=True)),
        *(command.shell() for command in build_commands(topology, with_tc=True)),
    ]
    return "\n".join(lines) + "\n"


def batch_script(topology: Topology) -> str:
    """Lines for ``ip -batch FILE``; namespaced steps use ``netns exec`` (batch has no -n)."""
    lines = [
        f"# Topology {topology.name}, exported by netwright export --format batch.",
        *_dhcp_notes(topology),
        *(f"# not in this script: {line}" for line in left_out(topology)),
        *(command.batch() for command in build_commands(topology)),
    ]
    return "\n".join(lines) + "\n"
