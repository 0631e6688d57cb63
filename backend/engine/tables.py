"""Plan the nftables tables and host forwarding a topology owns.

Reads our tables in each place that had or will have them (``netwright-<topology>`` in the
inet and bridge families, whose owner marker is the comment of the rule in the unhooked
``netwright-owner`` chain: the name alone proves nothing) and compares their signature (chain
setup, rule digests in order) with the design's. A table that differs, or was edited by hand,
is replaced in one transaction; a table the design no longer has is deleted. A table that
carries our name but not our marker is someone else's: a strict plan refuses, a lenient one
leaves it. Host sysctls the design owns (forwarding) are set, and their value from before
the first change (the *origin*, recorded by the engine) is restored when the design stops
wanting them. Reads only; the ops do the writing.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from netwright.backend.count_words import counted
from netwright.backend.engine import ops
from netwright.backend.engine.desired import Desired
from netwright.backend.kernel import netns
from netwright.backend.kernel.netns import Where
from netwright.backend.nft.ruleset import (
    OWNER_CHAIN,
    Signature,
    TableSpec,
    listed_signature,
    replace_commands,
    table_name,
)
from netwright.backend.outcomes.results import Action, Step
from netwright.backend.record import record

FAMILIES = ("inet", "bridge")


@record(frozen=True)
class TableState:
    family: str
    name: str
    marker: str | None
    signature: Signature


@record(frozen=True)
class Owned:
    """What a plan must know beyond the kernel: where this topology had tables, the recorded
    origins of its host sysctls, and the host sysctls other deployments want."""

    table_wheres: frozenset[Where] = frozenset()
    origins: tuple[tuple[str, str], ...] = ()
    others: frozenset[str] = frozenset()
    previous_tables: tuple[tuple[Where, TableSpec], ...] = ()  # as last applied


TableReader = Callable[[Where, str], dict[str, TableState]]
"""reader(where, table name) → our-named tables there, by family."""


def read_tables(where: Where, name: str) -> dict[str, TableState]:
    """The tables called ``name`` in ``where`` (each family), as the kernel lists them."""
    from netwright.backend.nft.binding import Nft

    def work() -> dict[str, TableState]:
        nft = Nft()
        found = {}
        present = {family for family, table in nft.tables() if table == name}
        for family in FAMILIES:
            items = nft.list_table(family, name) if family in present else None
            if items is not None:
                marker, signature = listed_signature(items)
                found[family] = TableState(family, name, marker, signature)
        return found

    if where is not None and not netns.exists(where):
        return {}
    return netns.in_netns(where, work)


@record
class TablePlanner:
    """Steps for the tables and host sysctls of one plan (see the module's opening)."""

    desired: Desired
    wheres: set[Where]  # places that had or will have our tables
    strict: bool
    conflict: Callable[[str, str], None]
    where_text: Callable[[Where], str]
    reader: TableReader = read_tables
    skip: frozenset[Where] = frozenset()  # namespaces being deleted, or skipped
    previous: tuple[tuple[Where, TableSpec], ...] = ()  # the tables as last applied

    def steps(self) -> list[Step]:
        out: list[Step] = []
        name = table_name(self.desired.name)
        wheres = [w for w in sorted(self.wheres, key=lambda w: w or "") if w not in self.skip]
        with ThreadPoolExecutor(max_workers=max(1, min(16, len(wheres)))) as pool:
            seen_all = list(pool.map(lambda where: self.reader(where, name), wheres))
        for where, seen in zip(wheres, seen_all, strict=True):
            wanted = {t.family: t for t in self.desired.tables.get(where, ())}
            for family in FAMILIES:
                out += self._one(where, wanted.get(family), seen.get(family))
        return out

    def _one(self, where: Where, want: TableSpec | None, seen: TableState | None) -> list[Step]:
        key = "host" if where == self.desired.host_where else self.desired.label(where)
        place = self.where_text(where)
        if seen is not None and not self._ours(seen):
            self.conflict(key, f"a {seen.family} table named {seen.name} exists in {place} and"
                          " does not carry this topology's marker; Netwright never changes a"
                          " table it did not create: remove or rename it by hand")
            return []
        if want is None:
            if seen is None:
                return []
            return [Step("delete", key, f"delete nftables table {seen.family} {seen.name} in"
                         f" {place}", ops.NftDelete(ops.PHASE_NFT_DEL, where,
                                                    family=seen.family, name=seen.name,
                                                    marker=seen.marker or ""))]
        if seen is not None and seen.signature == want.signature():
            return []
        rules = len(want.rules) - 1  # the owner's marker is no rule of the design
        action: Action = "create" if seen is None else "modify"
        verb = "create" if seen is None else "replace"
        changes = "" if seen is None else self._changes(where, want, seen)
        return [Step(action, key, f"{verb} nftables table {want.family}"
                     f" {want.name} in {place} ({counted(rules, 'rule')})"
                     + changes,
                     ops.NftReplace(ops.PHASE_NFT, where, family=want.family,
                                    name=want.name, commands=_frozen(want), marker=want.marker))]

    def _changes(self, where: Where, want: TableSpec, seen: TableState) -> str:
        """The rules this replace adds and removes, against the table as last applied, and
        whether it also undoes edits made by hand."""
        last = next((t for w, t in self.previous if w == where and t.family == want.family),
                    None)
        if last is None:
            return " — it differs from the design"
        had, has = _rule_texts(last), _rule_texts(want)
        lines = [f"+ {text}" for comment, text in has.items() if comment not in had]
        lines += [f"− {text}" for comment, text in had.items() if comment not in has]
        if [c for c in want.signature()[0]] != [c for c in last.signature()[0]]:
            lines.append("~ chain setup (hook, priority or policy)")
        if seen.signature != last.signature():
            lines.append("undo edits made by hand")
        if len(lines) > 12:
            lines = [*lines[:12], f"… and {len(lines) - 12} more"]
        return ": " + "; ".join(lines) if lines else ""

    def _ours(self, seen: TableState) -> bool:
        prefix = f"netwright:{self.desired.name}:"
        return seen.marker is not None and seen.marker.startswith(prefix)


def _rule_texts(table: TableSpec) -> dict[str, str]:
    """Rule comment (digest) → the rule's text, the owner's marker left out."""
    comments = [r["add"]["rule"]["comment"] for r in table.rules
                if r["add"]["rule"]["chain"] != OWNER_CHAIN]
    return dict(zip(comments, table.texts, strict=True))


def _frozen(table: TableSpec) -> str:
    """The replace transaction as JSON text (ops are frozen, plain data)."""
    return json.dumps(replace_commands(table), separators=(",", ":"))


def host_sysctl_steps(desired: Desired, origins: dict[str, str],
                      read: Callable[[str], str | None], others: set[str]) -> list[Step]:
    """Set the host sysctls the design owns; restore the origin of those it dropped (unless
    another deployed topology still wants that key)."""
    host = desired.host_where
    out: list[Step] = []
    wanted = dict(desired.host_sysctls)
    for key, value in sorted(wanted.items()):
        now = read(key)
        if now is not None and now.strip() == value:
            continue
        out.append(Step("modify", "host", f"set {key} = {value} on the host (now"
                        f" {(now or '?').strip()}; {origins.get(key, (now or '?').strip())}"
                        " is restored on destroy)",
                        ops.SysctlSet(ops.PHASE_SYSCTL, host, key=key, value=value)))
    for key, origin in sorted(origins.items()):
        if key in wanted or key in others:
            continue
        now = read(key)
        if now is not None and now.strip() == origin:
            continue
        out.append(Step("modify", "host", f"restore {key} = {origin} on the host (its value"
                        f" before topology {desired.name})",
                        ops.SysctlSet(ops.PHASE_SYSCTL, host, key=key, value=origin)))
    return out
