"""Rules Netwright does not own, read (never changed) from the kernel for the prediction.

docker's own chains, a firewalld zone or a hand-made table decide packets as much as ours do,
so a check of a deployed topology lists every nftables table in the places it probes (the
host always; the design's namespaces when the design has rules of its own) and hands all but
this design's own tables to the evaluator, which judges them like ours. The design's tables
are taken from the design itself, so a hand edit shows as drift in ``status`` and as a
mismatch here. Also read: whether bridged packets pass the IP hooks (br_netfilter).
"""

from __future__ import annotations

from functools import partial
from typing import Any

from netwright.backend.checks.filtering import Ruleset
from netwright.backend.checks.netns import NamespaceGoneError, call_in
from netwright.backend.checks.network import Place, place_label
from netwright.backend.nft.binding import Nft
from netwright.backend.nft.ruleset import Signature, listed_signature
from netwright.backend.observe.markers import parse_marker
from netwright.backend.topology.problems import NetwrightError

EVALUATED_FAMILIES = ("inet", "ip", "ip6", "bridge")
Designed = dict[tuple[str, str], Signature]  # a design's own tables in one place


def _listing(family: str, name: str, nft: Any) -> list[dict[str, Any]]:
    return nft.list_table(family, name) or []


def read_place(topology: str, place: Place, designed: Designed | None = None
               ) -> tuple[Ruleset, list[str]]:
    """The foreign tables of the namespace this thread is in, and notes about them.
    ``designed``: this design's own tables there by (family, name), with their signature:
    one the kernel holds otherwise (edited by hand) is named, as the prediction follows the
    design and the probes the kernel."""
    ruleset = Ruleset()
    notes: list[str] = []
    nft = Nft()
    ours = f"netwright:{topology}:{place or 'host'}"
    seen: set[tuple[str, str]] = set()
    for family, name in nft.tables():
        items = _listing(family, name, nft)
        marker, signature = listed_signature(items)
        if marker == ours:
            seen.add((family, name))
            if designed is not None and designed.get((family, name), signature) != signature:
                notes.append(_drifted(family, name, place, topology, "differs from the design"
                                      " (edited by hand?)"))
            continue
        if family not in EVALUATED_FAMILIES:
            if any("chain" in i and i["chain"].get("hook") for i in items):
                notes.append(f"table {family} {name} in {place_label(place)} has base chains"
                             " the prediction does not evaluate")
            continue
        other = parse_marker(marker)  # another deployment's own table: say whose
        ruleset.add_listing(items, foreign=True, owned_by=other[0] if other else None)
        ruleset.foreign_tables.append(f"{family} {name}" + (
            f" (topology {other[0]}'s)" if other is not None else ""))
    for family, name in sorted(set(designed or {}) - seen):
        notes.append(_drifted(family, name, place, topology, "is missing (deleted by hand?)"))
    return ruleset, notes


def _drifted(family: str, name: str, place: Place, topology: str, what: str) -> str:
    return (f"table {family} {name} in {place_label(place)} {what}: the prediction follows"
            f" the design, the probes the kernel, so pairs it decides may not match;"
            f" netwright status {topology} shows what differs, and netwright apply puts the"
            " design back")


def read_foreign(topology: str, paths: dict[Place, str], *, observed: bool = False,
                 designed: dict[Place, Designed] | None = None
                 ) -> tuple[dict[Place, Ruleset], list[str]]:
    """Foreign rulesets by place, and the notes that name them (run in a worker thread).
    ``observed``: the live host, whose topology ('live-host') is only the import's name.
    ``designed``: the design's own tables by place (``read_place``), to say which drifted."""
    found: dict[Place, Ruleset] = {}
    notes: list[str] = []
    named: list[str] = []
    for place, path in paths.items():
        try:
            ruleset, said = call_in(path, partial(read_place, topology, place,
                                                  None if designed is None
                                                  else designed.get(place, {})))
        except (NetwrightError, KeyError, TypeError, ValueError) as exc:  # odd JSON too
            if observed and isinstance(exc, NamespaceGoneError):
                raise  # the live host changed under the check: it looks again
            notes.append(f"rules not owned by Netwright could not be read in"
                         f" {place_label(place)}: {exc}")
            continue
        notes += said
        if ruleset.foreign_tables:
            found[place] = ruleset
            named.append(f"{place_label(place)}: " + ", ".join(
                f"table {t}" for t in ruleset.foreign_tables))
    if named:
        whose = "the host's rules" if observed else f"rules {topology} does not own"
        notes.insert(0, f"{whose} are read (never changed) and taken into the prediction — "
                     + "; ".join(named))
    return found, notes
