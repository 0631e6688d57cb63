"""Links in a topology's link group that the topology does not own: someone else's.

The engine creates every link of a topology in one link group (``ops.link_group``), but the
group is only a hint: anyone can put a link in it (``ip link set X group N``). A link there
without the topology's marker (``observe.owns``) is reported here so status can show it and
plan and destroy can say that they leave it alone; nothing ever changes or deletes it.
"""

from __future__ import annotations

from netwright.backend.engine.desired import Desired
from netwright.backend.kernel.netns import Where
from netwright.backend.observe.state import Interest, NsState
from netwright.backend.record import record


@record(frozen=True)
class ForeignLink:
    """A link in the group that is not ours: its name, namespace and the sentence about it."""

    name: str
    where: Where
    sentence: str


def foreign_links(desired: Desired, observed: dict[Where, NsState],
                  interest: Interest) -> list[ForeignLink]:
    """Every link of ``observed`` in the topology's group that it does not own, except one
    that takes the name of a desired link (the plan reports that as a conflict already)."""
    wanted = {spec.ident for spec in desired.links.values()}
    found: list[ForeignLink] = []
    for where, state in observed.items():
        for link in sorted(state.links.values(), key=lambda lk: lk.name):
            if (link.group != interest.group or (where, link.name) in wanted
                    or interest.owns(where, link.name, link.alias, link.group)):
                continue
            place = desired.label(where)
            place = place if place == "the host" else f"namespace {place}"
            ip = f"ip -n {where}" if where is not None else "ip"
            found.append(ForeignLink(link.name, where, (
                f"{link.name} in {place} is in link group {link.group}, where Netwright creates"
                f" the interfaces of topology {desired.name}, but it does not carry the"
                f" topology's marker: Netwright did not create it, so it never changes or"
                f" deletes it; if it is yours, take it out of the group ({ip} link set"
                f" {link.name} group default)")))
    return found
