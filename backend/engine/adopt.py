"""Adopting: hand objects someone else made (``existing`` in a deployed design) to the
topology, so that from then on they are its own and destroy removes them.

Nothing is ever adopted implicitly: the caller names every object, and the CLI confirms each
one by name first. An object is marked exactly as the engine marks its own (the alias on a
link, the alias on a namespace's loopback), the deployment's record is updated under its
lock, and an object another topology owns is refused. Only a namespace under /run/netns can
be adopted (one held by a process alone would vanish with it).
"""

from __future__ import annotations

from pyroute2.netlink.rtnl import RTM_GETLINK, RTM_NEWLINK
from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg

from netwright.backend.count_words import agreeing
from netwright.backend.engine.store import Store
from netwright.backend.engine.target import Target
from netwright.backend.kernel.encode import ifinfomsg as ifinfomsg_request
from netwright.backend.kernel.netlink import CHANGE, Request, link_summary
from netwright.backend.kernel.netns import Where
from netwright.backend.kernel.session import Kernel
from netwright.backend.observe.markers import marker, parse_marker
from netwright.backend.observe.state import FALLBACK_DEVICES
from netwright.backend.outcomes.errors import ConflictError, NotDeployed
from netwright.backend.record import record
from netwright.backend.topology.model import Topology
from netwright.backend.topology.problems import NetwrightError
from netwright.backend.topology.validate import semantic_problems


class AdoptRefused(NetwrightError):  # noqa: N818 (reads as an outcome)
    """An adopt that cannot be done as asked; the message names the object and the fix."""


@record(frozen=True)
class Adoption:
    """One object to adopt: its key in the design and where the kernel has it."""

    key: str
    namespace: bool  # a namespace (its loopback carries the marker), else an interface
    where: Where
    name: str  # the kernel name (lo for a namespace)
    text: str  # "veth eth0 in namespace red" for the confirmation and the report


def adoptions(topology: Topology, keys: list[str], target: Target) -> list[Adoption]:
    """The objects ``keys`` name in ``topology``, each checked to be adoptable from the
    design's side (an existing interface or namespace of the design)."""
    out: list[Adoption] = []
    for key in dict.fromkeys(keys):
        link = topology.interfaces.get(key)
        ns = topology.namespaces.get(key)
        if link is not None and ns is not None:
            raise AdoptRefused(f"{key} is both an interface and a namespace of {topology.name};"
                               " rename one of them first")
        if link is None and ns is None:
            raise AdoptRefused(f"{topology.name} has no interface or namespace {key}: import"
                               " it into the design first (netwright import, copied as"
                               " existing)")
        if (link is not None and not link.existing) or (ns is not None and not ns.existing):
            raise AdoptRefused(f"{key} is already {topology.name}'s own (not existing):"
                               " nothing to adopt")
        if ns is not None:
            out.append(Adoption(key, True, target.netns_name(key), "lo", f"namespace {key}"))
            continue
        assert link is not None
        where = target.netns_name(link.namespace)
        place = "the host" if link.namespace is None else f"namespace {link.namespace}"
        name = topology.kernel_name(key)
        out.append(Adoption(key, False, where, name, f"{link.kind} {name} in {place}"))
    return out


def adopted(topology: Topology, keys: list[str]) -> Topology:
    """``topology`` with ``keys`` no longer existing; refused if it no longer validates (a
    veth adopted without its peer, an interface without its namespace)."""
    data = topology.model_dump(by_alias=True, exclude_none=True)
    for key in keys:
        section = "namespaces" if key in topology.namespaces else "interfaces"
        data[section][key]["existing"] = False
    result = Topology.model_validate(data)
    errors = [p for p in semantic_problems(result) if p.severity == "error"]
    if errors:
        raise AdoptRefused("adopting " + ", ".join(keys) + " leaves the design invalid: "
                           + "; ".join(p.message for p in errors))
    return result


def adoptable(kernel: Kernel, topology: str, items: list[Adoption]
              ) -> list[tuple[Adoption, int, str | None]]:
    """Each object's index and alias, read only; refused (with the sentence) when it is
    missing, another topology's, or already this one's."""
    found: list[tuple[Adoption, int, str | None]] = []
    for item in items:
        if not kernel.exists(item.where):
            raise AdoptRefused(f"{item.text} is not there: only a namespace under /run/netns"
                               " can be adopted, and the object must exist")
        index = kernel.index(item.where, item.name)
        if index is None:
            raise AdoptRefused(f"{item.text} does not exist on this host")
        alias = kernel.socket(item.where).link_alias(index)
        owner = parse_marker(alias)
        if owner is not None and owner[0] != topology:
            raise ConflictError(f"{item.text} belongs to topology {owner[0]}; it cannot be"
                                f" adopted by {topology}")
        if owner is not None:
            raise AdoptRefused(f"{item.text} already carries {topology}'s marker")
        found.append((item, index, alias))
    for item in items:
        if item.namespace:
            _refuse_strangers(kernel, topology, item, items)
    return found


def _refuse_strangers(kernel: Kernel, topology: str, namespace: Adoption,
                      items: list[Adoption]) -> None:
    """A namespace is adopted only with every link in it: destroy deletes an adopted
    namespace whole, so it refuses one that holds a link the topology does not own, and the
    deployment could never be destroyed."""
    adopting = {i.name for i in items if not i.namespace and i.where == namespace.where}
    strangers = []
    for raw in kernel.socket(namespace.where).dump_raw(RTM_GETLINK, ifinfomsg_request()):
        _index, name, alias, _group = link_summary(raw)
        owner = parse_marker(alias)
        if name != "lo" and name not in FALLBACK_DEVICES and name not in adopting and (
                owner is None or owner[0] != topology):
            strangers.append(name)
    if strangers:
        them = "it" if len(strangers) == 1 else "them"
        raise AdoptRefused(
            f"{namespace.text} holds {', '.join(sorted(strangers))}, which {topology} would"
            f" not own: destroy could never delete the namespace without destroying {them}."
            f" Adopt {them} with it (in the design as existing, then named here too), or move"
            f" {them} out first (ip -n {namespace.where} link set {sorted(strangers)[0]}"
            " netns 1)")


def mark(kernel: Kernel, topology: str, items: list[Adoption]) -> None:
    """Give every object this topology's marker, or none: a refusal or a kernel error undoes
    the marks already set. An object another topology owns is refused before any mark."""
    found = adoptable(kernel, topology, items)
    done: list[tuple[Adoption, int, str | None]] = []
    for item, index, alias in found:
        if not _set_alias(kernel, item.where, index, marker(topology, item.key)):
            for back, back_index, old in reversed(done):
                _set_alias(kernel, back.where, back_index, old or "")
            raise AdoptRefused(f"the kernel refused to mark {item.text}; nothing was adopted")
        done.append((item, index, alias))


def _set_alias(kernel: Kernel, where: Where, index: int, alias: str) -> bool:
    outcome = kernel.socket(where).request_one(Request(
        ifinfmsg, RTM_NEWLINK, CHANGE, {"index": index}, [("IFLA_IFALIAS", alias)]))
    return outcome.ok


def refuse_release(previous: Topology | None, topology: Topology) -> None:
    """Refuse a design that marks existing again what this topology owns (adopted, or made
    by it): applying it would delete the object, which the user meant to keep."""
    if previous is None:
        return
    back = [key for key, link in topology.interfaces.items()
            if link.existing and key in previous.interfaces
            and not previous.interfaces[key].existing]
    back += [key for key, ns in topology.namespaces.items()
             if ns.existing and key in previous.namespaces
             and not previous.namespaces[key].existing]
    if back:
        them = agreeing(len(back), "it", "them")
        raise ConflictError(
            f"{', '.join(back)} {agreeing(len(back), 'belongs', 'belong')} to topology"
            f" {topology.name} (adopted or made by it) but the design marks {them} existing:"
            f" applying the design would delete {them}. Take 'existing: true' out of the"
            f" design, or destroy and apply again to let {them} go")


def preview(store: Store, target: Target, name: str, keys: list[str]) -> list[Adoption]:
    """What ``adopt`` would adopt, checked in the design and in the kernel as ``adopt``
    checks them (nothing is marked): the list a confirmation names, so that nobody confirms
    an adoption that is then refused."""
    record = store.load(name)
    if record is None:
        raise NotDeployed(f"topology {name} is not deployed: apply the design (with the"
                          " objects as existing) first, then adopt them")
    items = adoptions(record.topology, keys, target)
    adopted(record.topology, [i.key for i in items])
    with Kernel() as kernel:
        adoptable(kernel, name, items)
    return items


def adopt(store: Store, target: Target, name: str, keys: list[str]) -> tuple[Topology,
                                                                            list[Adoption]]:
    """Adopt ``keys`` into the deployed topology ``name``: check, mark, record (under the
    deployment's lock). Returns the design as now deployed and what was adopted."""
    with store.lock(name):
        record = store.load(name)
        if record is None:
            raise NotDeployed(f"topology {name} is not deployed: apply the design (with the"
                              " objects as existing) first, then adopt them")
        items = adoptions(record.topology, keys, target)
        result = adopted(record.topology, [i.key for i in items])
        with Kernel() as kernel:
            mark(kernel, name, items)
        store.save(result, record.generation, record.source)
    return result, items
