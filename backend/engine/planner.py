"""Plan: the ordered steps that take the kernel from what was observed to what is desired.

Pure decisions over two data sets (``Desired`` and the observed ``NsState``s); the only kernel
access is reading sysctls. Strict plans (apply, plan) refuse up front when an object the
topology needs is there but not owned by it; lenient plans (rollback, recovery, destroy) skip
such objects instead, so cleaning up never touches anything that is not ours.
"""

from __future__ import annotations

import errno
import ipaddress
from collections.abc import Iterable

from netwright.backend.engine import ops
from netwright.backend.engine.desired import (
    Desired,
    LeaseRouteSpec,
    LinkSpec,
    RouteSpec,
)
from netwright.backend.engine.qdisc import RootQdisc, drift_text, foreign_text, root_qdiscs
from netwright.backend.engine.tables import Owned, TablePlanner, host_sysctl_steps
from netwright.backend.kernel.netns import Where
from netwright.backend.kernel.session import Kernel
from netwright.backend.observe.markers import MARKER_PREFIX, parse_marker
from netwright.backend.observe.state import LinkState, NsState, RouteState, owns
from netwright.backend.observe.sysctls import read_sysctl
from netwright.backend.outcomes.errors import ConflictError, HostMismatch
from netwright.backend.outcomes.results import Action, Step
from netwright.backend.outcomes.target_words import target_words
from netwright.backend.record import field, record
from netwright.backend.topology.fields import sysctl_interface


@record
class _Builder:
    desired: Desired
    observed: dict[Where, NsState]
    kernel: Kernel
    strict: bool
    known: dict[str, LinkSpec]  # every link spec this topology ever had (for veth peers)
    half_made: frozenset[tuple[Where, str]] = frozenset()  # see observe.owns
    steps: list[Step] = field(default_factory=list)
    skip_wheres: set[Where] = field(default_factory=set)
    deleting_wheres: set[Where] = field(default_factory=set)
    conflicts: dict[str, str] = field(default_factory=dict)
    qdiscs: dict[Where, dict[int, RootQdisc]] = field(default_factory=dict)
    before: dict[str, LinkSpec] = field(default_factory=dict)  # link specs as last applied

    def add(self, action: Action, obj: str, text: str, op: ops.Op) -> None:
        self.steps.append(Step(action, obj, text, op))

    def where_text(self, where: Where) -> str:
        label = self.desired.label(where)
        return label if label == "the host" else f"namespace {label}"

    def root_qdisc(self, where: Where, index: int) -> RootQdisc | None:
        """The root qdisc on link ``index`` (one qdisc dump per namespace)."""
        if where not in self.qdiscs:
            self.qdiscs[where] = root_qdiscs(self.kernel.socket(where))
        return self.qdiscs[where].get(index)

    def conflict(self, key: str, message: str) -> None:
        if self.strict:
            raise ConflictError(message)
        self.conflicts[key] = message


def make_plan(desired: Desired, observed: dict[Where, NsState], kernel: Kernel, *,
              strict: bool = True, known: Iterable[LinkSpec] = (),
              conflicts: dict[str, str] | None = None,
              half_made: frozenset[tuple[Where, str]] = frozenset(),
              owned: Owned | None = None) -> list[Step]:
    """Steps from ``observed`` to ``desired``, in execution order.

    A lenient plan skips what is in the way; pass ``conflicts`` to learn what (object key →
    sentence), as status does. ``half_made``: links an interrupted operation was creating
    (from its journal), the only unmarked links that count as this topology's. ``owned``:
    where the topology had nftables tables and the origins of its host sysctls.
    """
    known_specs = {spec.key: spec for spec in known}
    before = dict(known_specs)  # as last applied (impairment to remove is read from here)
    known_specs.update(desired.links)
    b = _Builder(desired, observed, kernel, strict, known_specs, half_made=half_made,
                 before=before)
    if conflicts is not None:
        b.conflicts = conflicts
    _plan_namespaces(b)
    _check_host_nics(b)
    _plan_links(b)
    _plan_routes_and_sysctls(b)
    _plan_tables_and_host(b, owned or Owned())
    order = {id(step): index for index, step in enumerate(b.steps)}
    b.steps.sort(key=lambda s: (s.op.phase, order[id(s)]))
    return b.steps


def _plan_tables_and_host(b: _Builder, owned: Owned) -> None:
    wheres = set(b.desired.tables) | set(owned.table_wheres)
    if wheres:
        planner = TablePlanner(b.desired, wheres, b.strict, b.conflict, b.where_text,
                               skip=frozenset(b.skip_wheres | b.deleting_wheres),
                               previous=owned.previous_tables)
        b.steps += planner.steps()
    host = b.desired.host_where
    b.steps += host_sysctl_steps(b.desired, dict(owned.origins),
                                 lambda key: read_sysctl(host, key), set(owned.others))


def _had_ipv6(b: _Builder) -> bool:
    """Whether the topology as last applied may have left IPv6 neighbour entries: it had
    IPv6 (its links then have link-local addresses too), or its links are unknown. Without
    IPv6 a destroy need not open a socket in each namespace to look (0.1 s at N = 500)."""
    return not b.before or any(spec.link_local for spec in b.before.values())


def _plan_namespaces(b: _Builder) -> None:
    name = b.desired.name
    wanted = {ns.where: ns for ns in b.desired.namespaces.values()}
    # once, not per namespace: each looks at every link (0.05 s at N = 500 when per namespace)
    had_ipv6 = _had_ipv6(b)
    children = _children_by_where(b)
    for where, state in b.observed.items():
        if where is None or where == b.desired.host_where or not state.exists:
            continue
        owner = parse_marker(state.marker)
        if where in wanted:
            if state.marker != wanted[where].alias:
                key = wanted[where].key  # the name the user knows (in a lab, not `where`)
                if owner is not None and owner[0] != name:
                    b.conflict(key, f"a namespace named {key} already exists and belongs to"
                               f" topology {owner[0]}: rename the namespace in this topology,"
                               f" or destroy {owner[0]} first (netwright destroy {owner[0]})")
                else:
                    b.conflict(key, f"a namespace named {key} already exists and does not"
                               f" belong to topology {name}; Netwright never takes over a"
                               " namespace it did not create: rename the namespace in the"
                               " topology, or remove the existing one by hand")
                b.skip_wheres.add(where)
        elif owner is not None and owner[0] == name and state.foreign:
            label = b.desired.label(where)
            b.conflict(owner[1], f"namespace {label} holds {', '.join(state.foreign)}, which"
                       f" topology {name} did not create; deleting the namespace would destroy"
                       f" {'it' if len(state.foreign) == 1 else 'them'}: move"
                       f" {'it' if len(state.foreign) == 1 else 'them'} out first (ip -n"
                       f" {where} link set {state.foreign[0]} netns 1) and try again")
            b.skip_wheres.add(where)
        elif owner is not None and owner[0] == name:
            b.deleting_wheres.add(where)
            b.add("delete", owner[1], f"delete namespace {b.desired.label(where)} and"
                  " everything in it", ops.NetnsDelete(ops.PHASE_NETNS_DEL, where,
                                                       alias=state.marker or "",
                                                       ident=state.ident or 0,
                                                       children=children.get(where, ()),
                                                       ipv6=had_ipv6))
    for ns in b.desired.namespaces.values():
        seen = b.observed.get(ns.where)
        if seen is None or not seen.exists:
            b.add("create", ns.key, f"create namespace {ns.key}",
                  ops.NetnsCreate(ops.PHASE_NETNS_NEW, ns.where, alias=ns.alias, ipv6=ns.ipv6))


LOWER_KINDS = frozenset({"macvlan", "macvtap", "ipvlan", "ipvtap", "vlan"})


def _children_by_where(b: _Builder) -> dict[Where, tuple[str, ...]]:
    """The topology's links stacked on a parent in another namespace, by their namespace:
    they sit on the parent's segment until the kernel frees the namespace, so deleting the
    namespace deletes them first (``NetnsDelete``)."""
    children: dict[Where, list[str]] = {}
    for spec in b.known.values():
        if (spec.kind in LOWER_KINDS and spec.parent is not None
                and spec.parent_where != spec.where):
            children.setdefault(spec.where, []).append(spec.name)
    return {where: tuple(sorted(names)) for where, names in children.items()}


def _check_host_nics(b: _Builder) -> None:
    """A host NIC the design builds on that the host lacks refuses a strict plan, naming
    every child on it and both places the file names the NIC (host.nics and each child's
    'parent': changing the parents alone leaves them on a NIC the file still lists)."""
    if not b.strict:
        return
    host = b.observed.get(b.desired.host_where)
    missing: dict[str, list[LinkSpec]] = {}
    for spec in b.desired.links.values():
        if spec.parent is None or spec.parent_where != b.desired.host_where:
            continue
        if spec.parent in b.desired.host_nics and (host is None or spec.parent not in host.links):
            missing.setdefault(spec.parent, []).append(spec)
    if not missing:
        return
    nic, children = next(iter(missing.items()))
    where = target_words("lab" if b.desired.host_where else "host")
    kinds = "/".join(sorted({spec.kind for spec in children}))
    keys = sorted(spec.key for spec in children)
    named = keys[0] if len(keys) == 1 else f"{', '.join(keys[:-1])} and {keys[-1]}"
    built = "is" if len(keys) == 1 else "are"
    raise HostMismatch(
        f"{kinds} {named} {built} built on host NIC {nic}, which {where} does not"
        f" have: put a NIC it has ('ip link') in place of {nic}, under host.nics and in"
        f" each 'parent: {nic}', or try the design in the lab (--lab)")


def _level(spec: LinkSpec, specs: dict[str, LinkSpec], depth: int = 0) -> int:
    """Creation order: a link after its parent/underlay (and a veth after both ends' parents)."""
    if depth > 64 or spec.parent is None:
        return 0
    parent = next((s for s in specs.values()
                   if s.name == spec.parent and s.where == spec.parent_where), None)
    return 0 if parent is None else 1 + _level(parent, specs, depth + 1)


def _owned(b: _Builder, where: Where, link: LinkState) -> bool:
    """Marked as this topology's (or half-created by it, per its journal): nothing else is."""
    if link.name == "lo":  # carries the namespace's marker; goes with the namespace
        return False
    owner = link.owner
    if owner is not None:
        return owner[0] == b.desired.name
    return owns(b.desired.name, ops.link_group(b.desired.name), where,
                (link.name, link.alias, link.group), b.half_made)


def _plan_links(b: _Builder) -> set[str]:
    desired = b.desired
    specs = desired.links
    created: set[str] = set()
    replaced: set[str] = set()
    keep: set[tuple[Where, str]] = set()
    for key, spec in specs.items():
        if spec.where in b.skip_wheres:
            continue
        state = b.observed.get(spec.where)
        link = state.links.get(spec.name) if state and state.exists else None
        if link is None:
            created.add(key)
            continue
        if not _owned(b, spec.where, link) or (link.owner and link.owner[1] != key):
            owner = link.owner
            other = owner[0] if owner and owner[0] != desired.name else None
            whose = f"belongs to topology {other}" if other else \
                "does not belong to this topology"
            way_out = f"destroy {other} first (netwright destroy {other})" if other else \
                "remove the existing one by hand"
            b.conflict(key, f"an interface named {spec.name} already exists in"
                       f" {b.where_text(spec.where)} and {whose}; Netwright never deletes,"
                       " moves or re-addresses it: rename the interface in the topology"
                       f" ('name:'), or {way_out}")
            continue
        reason = _replace_reason(b, spec, link)
        if reason:
            replaced.add(key)
            created.add(key)
            b.add("delete", key, f"delete {link.kind} {spec.name} in"
                  f" {b.where_text(spec.where)} to re-create it ({reason})",
                  ops.LinkDelete(ops.PHASE_LINK_DEL, spec.where, index=link.index,
                                 name=spec.name))
            continue
        keep.add((spec.where, spec.name))
        _plan_link_changes(b, spec, link)
    # a veth pair is created (or re-created) as a whole
    for key in list(created):
        peer = specs[key].peer_key
        if peer and peer in specs and peer not in created:
            created.add(peer)
            replaced.add(peer)
            keep.discard((specs[peer].where, specs[peer].name))
            state = b.observed.get(specs[peer].where)
            link = state.links.get(specs[peer].name) if state else None
            if link is not None:
                b.add("delete", peer, f"delete veth {link.name} in"
                      f" {b.where_text(specs[peer].where)} to re-create the pair with {key}",
                      ops.LinkDelete(ops.PHASE_LINK_DEL, specs[peer].where, index=link.index,
                                     name=link.name))
    _plan_link_deletes(b, keep, replaced)
    _plan_link_creates(b, created)
    return created


def _replace_reason(b: _Builder, spec: LinkSpec, link: LinkState) -> str:
    if link.kind != spec.kind:
        return f"it is a {link.kind}, the topology wants a {spec.kind}"
    if link.alias is None:
        return "it was left half-created"
    for attr, value in spec.compare:
        seen = link.info.get(attr)
        if seen is not None and seen != value:
            return f"{attr.split('_')[-1].lower()} is {seen}, the topology wants {value}"
    if spec.parent is not None:
        if spec.kind == "vxlan":  # the underlay is kind data, in the namespace it was made in
            parent_state = b.observed.get(spec.parent_where)
            index = link.info.get("IFLA_VXLAN_LINK")
        else:
            parent_state = b.observed.get(spec.parent_where if link.link_netnsid is not None
                                          else spec.where)
            index = link.link
        parent = parent_state.by_index(index) if parent_state else None
        if parent is not None and parent.name != spec.parent:
            return f"its parent is {parent.name}, the topology wants {spec.parent}"
    return ""


def _plan_link_changes(b: _Builder, spec: LinkSpec, link: LinkState) -> None:
    where_text = b.where_text(spec.where)
    state = b.observed[spec.where]
    if spec.mtu is not None and link.mtu != spec.mtu:
        b.add("modify", spec.key, f"set mtu {spec.mtu} on {spec.name} in {where_text}"
              f" (now {link.mtu})", ops.LinkSet(ops.PHASE_LINK_SET, spec.where, name=spec.name,
                                                mtu=spec.mtu))
    if spec.mac is not None and (link.mac or "").lower() != spec.mac:
        b.add("modify", spec.key, f"set mac {spec.mac} on {spec.name} in {where_text}",
              ops.LinkSet(ops.PHASE_LINK_SET, spec.where, name=spec.name, mac=spec.mac))
    master = state.by_index(link.master)
    if spec.master is not None and (master is None or master.name != spec.master):
        b.add("modify", spec.key, f"attach {spec.name} to bridge {spec.master} in {where_text}",
              ops.LinkSet(ops.PHASE_LINK_SET, spec.where, name=spec.name, master=spec.master))
    elif spec.master is None and master is not None:
        b.add("modify", spec.key, f"detach {spec.name} from bridge {master.name} in"
              f" {where_text}", ops.LinkSet(ops.PHASE_LINK_SET, spec.where, name=spec.name,
                                            master=""))
    for cidr in sorted(set(spec.addresses) - link.addresses):
        _plan_address(b, spec, cidr, "modify")
    for cidr in sorted(set(spec.addresses) & link.addresses):
        if (cidr in spec.nodad) != (cidr in link.nodad):  # only added again changes it
            b.add("modify", spec.key, f"remove address {cidr} from {spec.name} in"
                  f" {where_text} to add it again {'without' if cidr in spec.nodad else 'with'}"
                  " duplicate address detection",
                  ops.AddrDel(ops.PHASE_ADDR_DEL, spec.where, name=spec.name, cidr=cidr))
            _plan_address(b, spec, cidr, "modify")
    for cidr in sorted(link.addresses - set(spec.addresses)):
        b.add("modify", spec.key, f"remove address {cidr} from {spec.name} in {where_text}",
              ops.AddrDel(ops.PHASE_ADDR_DEL, spec.where, name=spec.name, cidr=cidr))
    _plan_qdisc(b, spec, link)
    if link.up != spec.up:
        b.add("modify", spec.key, f"{'bring' if spec.up else 'take'} {spec.name}"
              f" {'up' if spec.up else 'down'} in {where_text}",
              ops.LinkSet(ops.PHASE_LINK_STATE, spec.where, name=spec.name, up=spec.up))


def _plan_qdisc(b: _Builder, spec: LinkSpec, link: LinkState) -> None:
    """Impairment changed in place (never by re-creating the link); removed when the design
    no longer asks for it. Read only for links that have or had one. A root qdisc someone
    made by hand (htb, say) is never replaced: a strict plan refuses with the cure, a
    lenient one (rollback, status) leaves it; nor is it removed with our impairment."""
    before = b.before.get(spec.key)
    if spec.qdisc is None and (before is None or before.qdisc is None):
        return
    root = b.root_qdisc(spec.where, link.index)
    seen = root.signature if root is not None else None
    where_text = b.where_text(spec.where)
    if spec.qdisc is not None and root is not None and root.foreign:
        b.conflict(spec.key, foreign_text(spec.qdisc, root, spec.name, where_text,
                                          spec.where))
        return
    # the text says what the kernel holds against the design: it is also status's drift
    if spec.qdisc is not None and seen != spec.qdisc.signature():
        other_kind = root is not None and seen is not None and root.kind != spec.qdisc.kind
        b.add("modify", spec.key, f"impair {spec.name} in {where_text}: {spec.qdisc.text}"
              f" ({drift_text(spec.qdisc, root)})",
              ops.QdiscSet(ops.PHASE_LINK_STATE, spec.where, name=spec.name, spec=spec.qdisc,
                           clear=root.handle if root is not None and other_kind else 0))
    elif spec.qdisc is None and root is not None and seen is not None:
        b.add("modify", spec.key, f"remove the impairment of {spec.name} in {where_text}"
              f" ({drift_text(None, root)})",
              ops.QdiscClear(ops.PHASE_LINK_STATE, spec.where, name=spec.name,
                             handle=root.handle))


def _plan_link_deletes(b: _Builder, keep: set[tuple[Where, str]], replaced: set[str]) -> None:
    """Owned links that the topology no longer has (or has elsewhere) are deleted."""
    deleted: set[str] = set(replaced)
    for where, state in b.observed.items():
        if not state.exists or where in b.deleting_wheres or where in b.skip_wheres:
            continue
        keeps_some = any(w == where for w, _ in keep)  # else the whole group may go at once
        for link in sorted(state.links.values(), key=lambda lk: -lk.index):
            if (where, link.name) in keep or not _owned(b, where, link):
                continue
            key = link.owner[1] if link.owner else link.name
            spec = b.desired.links.get(key)
            if spec is not None and spec.where == where and spec.name == link.name:
                continue  # replaced above, or planned as created
            known = b.known.get(key)
            peer = b.known.get(known.peer_key) if known and known.peer_key else None
            if peer is not None and (peer.key in deleted or peer.where in b.deleting_wheres):
                continue  # goes with its peer
            deleted.add(key)
            b.add("delete", key, f"delete {link.kind} {link.name} in {b.where_text(where)}",
                  ops.LinkDelete(ops.PHASE_LINK_DEL, where, index=link.index, name=link.name,
                                 group=0 if keeps_some else link.group,
                                 owner=f"{MARKER_PREFIX}{b.desired.name}:"))


def _plan_link_creates(b: _Builder, created: set[str]) -> None:
    specs = b.desired.links
    host = b.desired.host_where
    done: set[str] = set()
    group = ops.link_group(b.desired.name)
    for key in sorted(created, key=lambda k: (_level(specs[k], specs), k)):
        if key in done:
            continue
        spec = specs[key]
        peer = specs.get(spec.peer_key) if spec.peer_key else None
        if peer is not None and peer.where == host and spec.where != host:
            spec, peer = peer, spec  # send the create where the host end lives
        done.add(spec.key)
        level = _level(spec, specs)
        on = f" on {spec.parent}" if spec.parent else ""
        with_peer = ""
        if peer is not None:
            done.add(peer.key)
            level = max(level, _level(peer, specs))
            with_peer = f" with peer {peer.name} in {b.where_text(peer.where)}"
        b.add("create", spec.key, f"create {spec.kind} {spec.name}{spec.mode_text}{on} in"
              f" {b.where_text(spec.where)}{with_peer}",
              ops.LinkCreate(ops.PHASE_LINK_NEW + min(level, 15), spec.where, spec=spec,
                             peer=peer, group=group))
        for end in (spec, peer):
            if end is None:
                continue
            _plan_new_link_settings(b, end)


def _plan_address(b: _Builder, spec: LinkSpec, cidr: str, action: Action) -> None:
    """Add one address (``nodad``: without duplicate address detection, as the file says)."""
    nodad = cidr in spec.nodad
    b.add(action, spec.key, f"add address {cidr}{' nodad' if nodad else ''} to {spec.name}"
          f" in {b.where_text(spec.where)}",
          ops.AddrAdd(ops.PHASE_ADDR_NEW, spec.where, name=spec.name, cidr=cidr, nodad=nodad))


def _plan_new_link_settings(b: _Builder, spec: LinkSpec) -> None:
    where_text = b.where_text(spec.where)
    if spec.master:
        b.add("create", spec.key, f"attach {spec.name} to bridge {spec.master} in {where_text}",
              ops.LinkSet(ops.PHASE_LINK_SET, spec.where, name=spec.name, master=spec.master))
    for cidr in spec.addresses:
        _plan_address(b, spec, cidr, "create")
    if spec.qdisc is not None:
        b.add("create", spec.key, f"impair {spec.name} in {where_text}: {spec.qdisc.text}",
              ops.QdiscSet(ops.PHASE_LINK_STATE, spec.where, name=spec.name, spec=spec.qdisc))
    if spec.up:
        b.add("create", spec.key, f"bring {spec.name} up in {where_text}",
              ops.LinkSet(ops.PHASE_LINK_STATE, spec.where, name=spec.name, up=True))


def _matches(want: RouteSpec, seen: RouteState) -> bool:
    return (want.to == seen.to and want.via == seen.via
            and (want.dev is None or want.dev == seen.dev)
            and (want.metric is None or want.metric == (seen.metric or 0))
            and (want.src is None or want.src == seen.src))


def _lease_reaches(state: NsState, waiting: LeaseRouteSpec) -> bool:
    """A lease on one of the route's DHCP interfaces holds its gateway's subnet right now."""
    via = ipaddress.ip_address(waiting.route.via or "")
    return any(via in ipaddress.ip_interface(cidr).network
               for name in waiting.interfaces if (link := state.links.get(name)) is not None
               for cidr in link.leased)


def _created(b: _Builder) -> set[tuple[Where, str]]:
    """(where, name) of every link this plan creates: the sysctls it has now (an old link of
    that name, about to be replaced) say nothing about the new one's."""
    made = set()
    for step in b.steps:
        if isinstance(step.op, ops.LinkCreate):
            for end in (step.op.spec, step.op.peer):
                if end is not None:
                    made.add((end.where, end.name))
    return made


def _plan_routes_and_sysctls(b: _Builder) -> None:
    created = _created(b)
    for ns in b.desired.namespaces.values():
        if ns.where in b.skip_wheres:
            continue
        state = b.observed.get(ns.where)
        fresh = state is None or not state.exists
        seen = [] if fresh or state is None else list(state.routes)
        action: Action = "create" if fresh else "modify"
        for route in ns.routes:
            match = next((r for r in seen if _matches(route, r)), None)
            if match is not None:
                seen.remove(match)
                continue
            b.add(action, ns.key, f"add {route.text()} in namespace {ns.key}",
                  ops.RouteAdd(ops.PHASE_ROUTE_NEW, ns.where, route=route))
        for waiting in ns.lease_routes:
            match = next((r for r in seen if _matches(waiting.route, r)), None)
            if match is not None:
                seen.remove(match)
            elif state is not None and _lease_reaches(state, waiting):
                # the lease is there, the route is not (deleted by hand): add it back; the
                # client may add it in the same instant at a renew, hence EEXIST is fine
                b.add(action, ns.key, f"add {waiting.route.text()} in namespace {ns.key}",
                      ops.RouteAdd(ops.PHASE_ROUTE_NEW, ns.where, route=waiting.route,
                                   tolerated=frozenset({errno.EEXIST})))
            # else: no lease reaches its gateway yet; the DHCP client adds it when bound
        for extra in seen:
            route = RouteSpec(extra.to, extra.via, extra.dev, extra.metric)
            b.add("modify", ns.key, f"remove {route.text()} from namespace {ns.key}",
                  ops.RouteDel(ops.PHASE_ROUTE_DEL, ns.where, route=route))
        for key, value in ns.sysctls:
            device = sysctl_interface(key)
            if not fresh and (ns.where, device) not in created \
                    and read_sysctl(ns.where, key) == value:
                continue
            phase = ops.PHASE_NETNS_SYSCTL if device is None else ops.PHASE_LINK_SYSCTL
            b.add(action, ns.key, f"set {key} = {value} in namespace {ns.key}",
                  ops.SysctlSet(phase, ns.where, key=key, value=value))
