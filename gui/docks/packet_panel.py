"""The inspector's forwarding, NAT and firewall section, and a bridge port's port firewall.

For the host (the topology view) and a namespace: forwarding per family (leave as it is, on,
off), the NAT entries, and per hook (input, forward, output) the policy, "stateful" and the
rules. For a bridge port: the to-port and from-port chains and anti-spoofing. Every gesture
becomes edits (``model/rule_rows``) handed to the inspector's ``commit``, which trials them
and either pushes one undo step or shows the contract's sentence under the table.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QTimer
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMenu,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from netwright.gui.docks.combo_browse import commit_on_close
from netwright.gui.docks.error_label import error_label, hint_label
from netwright.gui.docks.rows_table import RowsTable
from netwright.gui.docks.scroll_into_view import keep_in_view, scroll_into_view
from netwright.gui.docks.wheel_guard import wheel_scrolls_page
from netwright.gui.model.document import DELETE, Edit, TopologyDocument
from netwright.gui.model.rule_rows import (
    HOOKS,
    NAT_COLUMNS,
    NAT_FIELDS,
    NAT_KINDS,
    PORT_SIDES,
    PORT_WAITS_FOR_PROTOCOL,
    RULE_CHOICES,
    RULE_COLUMNS,
    add_nat_edits,
    add_rule_edits,
    as_written,
    forwarding_edits,
    forwarding_value,
    move_row_edits,
    nat_add_refusal,
    nat_cell_edits,
    nat_cells,
    nat_kind,
    policy_edits,
    protocol_wanted,
    remove_row_edits,
    remove_rule_edits,
    rule_cell_edits,
    rule_cells,
    spoofing_edits,
    stateful_edits,
)

Path = tuple[Any, ...]
# name, edits, undo label, field, codes of errors that only say what is still to be given
Commit = Callable[[str, list[Edit], str, Path, frozenset[str]], bool]
FORWARDING_CHOICES = (("leave as it is", None), ("on", True), ("off", False))
NAT_ADD = {"masquerade": "Masquerade", "snat": "SNAT", "publish": "Publish a port"}


def bring_into_view(widget: QWidget, take_focus: bool = True) -> None:
    """``widget`` scrolled into the Inspector's view, and focused if ``take_focus``; once
    the form has its new layout (a fix's rule, added below the fold, stayed out of view)."""
    if take_focus:
        widget.setFocus()
    QTimer.singleShot(0, widget, lambda: scroll_into_view(widget))


class _Section(QWidget):
    """A part of the panel with its own error line (registered under ``name``)."""

    def __init__(self, document: TopologyDocument, commit: Commit, name: str,
                 owner: str) -> None:
        super().__init__()
        self.document, self._commit, self.name, self.owner = document, commit, name, owner
        self.error = error_label()

    def commit(self, edits: list[Edit], what: str, field: Path,
               tolerated: frozenset[str] = frozenset()) -> bool:
        kept = as_written(edits, self.document.get, self.document.written_empty)
        return bool(kept) and self._commit(self.name, kept, f"{self.owner} {what}", field,
                                           tolerated)

    def get(self, path: Path) -> Any:
        return self.document.get(path)


class ChainEditor(_Section):
    """One chain: its policy, "stateful" and its rules table."""

    def __init__(self, document: TopologyDocument, commit: Commit, chain: Path,
                 owner: str) -> None:
        super().__init__(document, commit, "/".join(map(str, chain)), owner)
        self.chain, self.hook = chain, str(chain[-1])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        row = QHBoxLayout()
        row.addWidget(QLabel("Policy"))
        self.policy = commit_on_close(QComboBox())
        wheel_scrolls_page(self.policy)
        self.policy.addItems(["accept", "drop"])
        self.policy.setToolTip("What happens to a packet no rule decides")
        self.policy.activated.connect(lambda _i: self.commit(
            policy_edits(self.get, chain, self.policy.currentText()), f"{self.hook} policy",
            chain))
        row.addWidget(self.policy)
        self.stateful = QCheckBox("Accept replies (stateful)")
        self.stateful.setToolTip("Replies (established, related) pass before the rules")
        self.stateful.clicked.connect(lambda on: self.commit(
            stateful_edits(self.get, chain, bool(on)), f"{self.hook} stateful", chain))
        row.addStretch(1)
        layout.addLayout(row)
        layout.addWidget(self.stateful)
        self.rules = RowsTable(RULE_COLUMNS, RULE_CHOICES, "Add rule")
        self.rules.cell_edited.connect(self._cell)
        self.rules.row_gesture.connect(self._gesture)
        self.rules.loaded.connect(self._mark_waiting)
        layout.addWidget(self.rules)
        # a refusal's sentence under the table (scrolled into view when it appears): above
        # it, it pushed the rows down as it appeared, and the next click hit the wrong row
        layout.addWidget(self.error)
        # what an accepted rule still needs (its protocol); under the table: above it, it
        # moved the rows down as it appeared, and the click meant for rule 3's proto cell
        # landed on rule 1's
        self.hint = hint_label()
        layout.addWidget(self.hint)

    def load(self) -> None:
        chain = self.get(self.chain)
        chain = chain if isinstance(chain, dict) else {}
        self.policy.setCurrentText(str(chain.get("policy") or "accept"))
        self.stateful.setChecked(bool(chain.get("stateful")))
        rules = chain.get("rules")
        rules = rules if isinstance(rules, list) else []
        if self.rules.load([rule_cells(r) for r in rules]):
            self.error.hide()  # a refused cell's typing is gone: its sentence goes with it
        wanted = protocol_wanted(rules)
        appeared = bool(wanted) and self.hint.isHidden()
        self.hint.setText(wanted)
        self.hint.setVisible(bool(wanted))
        if appeared:  # under the table, below the fold of a 1024×700 window's Inspector
            keep_in_view(self.hint)

    def _mark_waiting(self) -> None:
        """The proto cell of a rule whose port waits for it, in the hint's colour and
        saying so when pointed at: the cell to fill, even with the hint scrolled away."""
        column = RULE_COLUMNS.index("proto")
        rules = self.get((*self.chain, "rules"))
        for row, rule in enumerate(rules if isinstance(rules, list) else []):
            item = self.rules.table.item(row, column)
            if item is None or not protocol_wanted([rule]):
                continue
            item.setBackground(QColor(242, 153, 0, 60))
            item.setToolTip("choose tcp or udp: this rule has a port, and only TCP and UDP"
                            " have ports")

    def _cell(self, row: int, column: str, text: str) -> None:
        """A port typed before its protocol is taken (the hint under the table asks for the
        protocol): refused, it was wiped when the protocol was then chosen."""
        edits = rule_cell_edits(self.get, self.chain, row, column, text)
        tolerated = PORT_WAITS_FOR_PROTOCOL if column in ("dport", "sport") else frozenset()
        self.commit(edits, f"{self.hook} rule {row + 1}", (*self.chain, "rules", row),
                    tolerated)

    def _gesture(self, gesture: str, row: int) -> None:
        rules_path = (*self.chain, "rules")
        if gesture == "add":
            edits, new_row = add_rule_edits(self.get, self.chain, row if row >= 0 else None)
            if self.commit(edits, f"{self.hook}: add rule", self.chain):
                self.rules.load(self.rules_cells(), current=new_row)
                self.rules.table.setFocus()
            return
        if row < 0:
            return
        if gesture == "remove":
            self.commit(remove_rule_edits(self.get, self.chain, row),
                        f"{self.hook}: remove rule {row + 1}", self.chain)
            return
        step = -1 if gesture == "up" else 1
        if self.commit(move_row_edits(self.get, rules_path, row, step),
                       f"{self.hook}: move rule {row + 1} {gesture}", self.chain):
            self.rules.load(self.rules_cells(), current=row + step)

    def focus(self, rest: Path, take_focus: bool = True) -> None:
        """``rules[2].dport`` → that cell, current and focused; else the policy."""
        if rest[:1] == ("rules",) and len(rest) > 1 and isinstance(rest[1], int):
            column = RULE_COLUMNS.index(rest[2]) if len(rest) > 2 and rest[2] in RULE_COLUMNS \
                else 0
            self.rules.table.setCurrentCell(rest[1], column)
            bring_into_view(self.rules.table, take_focus)
        else:
            bring_into_view(self.policy, take_focus)

    def rules_cells(self) -> list[list[str]]:
        rules = self.get((*self.chain, "rules"))
        return [rule_cells(r) for r in (rules if isinstance(rules, list) else [])]


class NatEditor(_Section):
    """The NAT entries of a place: masquerade, SNAT and published ports."""

    def __init__(self, document: TopologyDocument, commit: Commit, base: Path, owner: str,
                 namespace: str | None) -> None:
        super().__init__(document, commit, "/".join(map(str, (*base, "nat"))), owner)
        self.path, self.namespace = (*base, "nat"), namespace
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.entries = RowsTable(NAT_COLUMNS, {"type": NAT_KINDS, "proto": ("tcp", "udp")},
                                 "Add…")
        self.menu = QMenu(self)
        for kind, text in NAT_ADD.items():
            self.menu.addAction(text).triggered.connect(
                lambda _checked=False, k=kind: self.add(k))
        self.entries.cell_edited.connect(self._cell)
        self.entries.row_gesture.connect(self._gesture)
        layout.addWidget(self.entries)
        layout.addWidget(self.error)  # under the table, as a chain's: the rows stay put

    def load(self) -> None:
        entries = self.get(self.path)
        entries = entries if isinstance(entries, list) else []
        if self.entries.load([nat_cells(e) for e in entries],
                             [{"type", *NAT_FIELDS.get(nat_kind(e), ())} for e in entries]):
            self.error.hide()  # a refused cell's typing is gone: its sentence goes with it

    def focus(self, rest: Path, take_focus: bool = True) -> None:
        """``[1].publish.to`` → that entry's cell."""
        if rest and isinstance(rest[0], int):
            field = rest[2] if len(rest) > 2 else "type"
            column = NAT_COLUMNS.index(field) if field in NAT_COLUMNS else 0
            self.entries.table.setCurrentCell(rest[0], column)
        bring_into_view(self.entries.table, take_focus)

    def add(self, kind: str) -> bool:
        refusal = nat_add_refusal(self.document.snapshot, kind, self.namespace)
        if refusal is not None:
            self.error.setText(refusal)
            self.error.show()
            keep_in_view(self.error)  # under the table: on a short Inspector, below the fold
            return False
        edits = add_nat_edits(self.document.snapshot, self.get, self.path, kind, self.namespace)
        if not self.commit(edits, f"NAT: add {kind}", self.path):
            return False
        self.load()  # the new entry current, as a new rule is: its cells are typed next
        self.entries.table.setCurrentCell(self.entries.table.rowCount() - 1, 0)
        self.entries.table.setFocus()
        return True

    def _cell(self, row: int, column: str, text: str) -> None:
        edits = nat_cell_edits(self.get, self.path, row, column, text,
                               snapshot=self.document.snapshot, namespace=self.namespace)
        self.commit(edits, f"NAT entry {row + 1}", (*self.path, row))

    def _gesture(self, gesture: str, row: int) -> None:
        if gesture == "add":
            button = self.entries.buttons["add"]
            # Insert in the table: the button may be scrolled out of the dock, and the menu
            # opened under it there, away from the table, over the bottom panel
            scroll_into_view(button)
            self.menu.popup(button.mapToGlobal(button.rect().bottomLeft()))
        elif row >= 0 and gesture == "remove":
            self.commit(remove_row_edits(self.get, self.path, row),
                        f"NAT: remove entry {row + 1}", self.path)
        elif row >= 0:
            step = -1 if gesture == "up" else 1
            if self.commit(move_row_edits(self.get, self.path, row, step),
                           f"NAT: move entry {row + 1} {gesture}", self.path):
                self.entries.load([nat_cells(e) for e in self.get(self.path)],
                                  current=row + step)


class PacketPanel(QGroupBox):
    """Forwarding, NAT and firewall of the host (``base`` ("host",)) or of a namespace."""

    def __init__(self, document: TopologyDocument, commit: Commit, base: Path,
                 namespace: str | None) -> None:
        super().__init__("Forwarding, NAT and firewall")
        owner = namespace or "host"
        self.document, self.base = document, base
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        form = QFormLayout()
        self.forwarding: dict[str, QComboBox] = {}
        self.forwarding_section = _Section(document, commit, "/".join((*base, "forwarding")),
                                           owner)
        for family in ("ipv4", "ipv6"):
            combo = commit_on_close(QComboBox())
            wheel_scrolls_page(combo)
            combo.addItems([text for text, _ in FORWARDING_CHOICES])
            combo.activated.connect(lambda index, f=family: self.forwarding_section.commit(
                forwarding_edits(document.get, base, f, FORWARDING_CHOICES[index][1]),
                f"{f} forwarding", (*base, "forwarding")))
            form.addRow(f"{family.replace('ipv', 'IPv')} forwarding", combo)
            self.forwarding[family] = combo
        form.addRow(self.forwarding_section.error)
        layout.addLayout(form)
        self.tabs = QTabWidget()
        wheel_scrolls_page(self.tabs.tabBar())
        self.chains = {hook: ChainEditor(document, commit, (*base, "firewall", hook), owner)
                       for hook in HOOKS}
        for hook, editor in self.chains.items():
            self.tabs.addTab(editor, hook)
        self.nat = NatEditor(document, commit, base, owner, namespace)
        self.tabs.addTab(self.nat, "NAT")
        layout.addWidget(self.tabs)

    def sections(self) -> list[_Section]:
        return [self.forwarding_section, *self.chains.values(), self.nat]

    def focus(self, path: Path, take_focus: bool = True) -> None:
        """Bring the tab and the field a problem's path names into view (with the keys in
        it unless ``take_focus`` is False)."""
        rest = tuple(path[len(self.base):]) if tuple(path[:len(self.base)]) == self.base else ()
        if rest[:1] == ("firewall",) and len(rest) > 1 and rest[1] in self.chains:
            self.tabs.setCurrentWidget(self.chains[str(rest[1])])
            self.chains[str(rest[1])].focus(rest[2:], take_focus)
        elif rest[:1] == ("nat",):
            self.tabs.setCurrentWidget(self.nat)
            self.nat.focus(rest[1:], take_focus)
        elif rest[:1] == ("forwarding",):
            family = str(rest[1]) if len(rest) > 1 and rest[1] in self.forwarding else "ipv4"
            bring_into_view(self.forwarding[family], take_focus)

    def load(self) -> None:
        forwarding = self.document.get((*self.base, "forwarding"))
        forwarding = forwarding if isinstance(forwarding, dict) else {}
        for family, combo in self.forwarding.items():
            wanted = forwarding_value(forwarding.get(family))
            combo.setCurrentIndex(next(i for i, (_t, v) in enumerate(FORWARDING_CHOICES)
                                       if v is wanted))
        for editor in self.chains.values():
            editor.load()
        self.nat.load()


class PortFirewallPanel(QGroupBox):
    """A bridge port's rules (nftables' bridge family) and its anti-spoofing."""

    def __init__(self, document: TopologyDocument, commit: Commit, key: str) -> None:
        super().__init__("Port firewall (bridge port)")
        self.document = document
        self.base: Path = ("interfaces", key, "port-firewall")
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 8, 4, 4)
        self.tabs = QTabWidget()
        wheel_scrolls_page(self.tabs.tabBar())
        self.chains = {side: ChainEditor(document, commit, (*self.base, side), key)
                       for side in PORT_SIDES}
        for side, editor in self.chains.items():
            self.tabs.addTab(editor, side)
        spoofing = _Section(document, commit, "/".join((*self.base, "anti-spoofing")), key)
        self.spoofing = spoofing
        form = QFormLayout(spoofing)
        self.mac, self.ips = QLineEdit(), QLineEdit()
        self.mac.setPlaceholderText("the only source MAC, e.g. fa:16:3e:00:00:11")
        self.ips.setPlaceholderText("the only source addresses, e.g. 10.0.0.11")
        path = (*self.base, "anti-spoofing")
        for line, field in ((self.mac, "mac"), (self.ips, "ips")):
            line.editingFinished.connect(lambda e=line, f=field: self._spoofing(e, f, path))
        form.addRow("MAC", self.mac)
        form.addRow("IPs", self.ips)
        form.addRow(spoofing.error)
        self.tabs.addTab(spoofing, "anti-spoofing")
        layout.addWidget(self.tabs)

    def _spoofing(self, line: QLineEdit, field: str, path: Path) -> None:
        if not line.isModified():
            return
        line.setModified(False)
        text = line.text().strip()
        value: Any = DELETE if not text else (
            [p for p in text.replace(",", " ").split() if p] if field == "ips" else text)
        self.spoofing.commit(spoofing_edits(self.document.get, path, field, value),
                             f"anti-spoofing {field}", path)

    def sections(self) -> list[_Section]:
        return [*self.chains.values(), self.spoofing]

    def focus(self, path: Path, take_focus: bool = True) -> None:
        """A chain's field, the anti-spoofing's; the port firewall as a whole (the backend's
        kernel lacking bridge conntrack: "untick Accept replies") → the first stateful
        chain's "Accept replies", else the to-port chain's policy."""
        rest = tuple(path[len(self.base):]) if tuple(path[:len(self.base)]) == self.base else ()
        if not rest and tuple(path) == self.base:
            side = next((s for s, chain in self.chains.items() if chain.stateful.isChecked()),
                        None)
            editor = self.chains[side or PORT_SIDES[0]]
            self.tabs.setCurrentWidget(editor)
            bring_into_view(editor.stateful if side else editor.policy, take_focus)
        elif rest[:1] and rest[0] in self.chains:
            self.tabs.setCurrentWidget(self.chains[str(rest[0])])
            self.chains[str(rest[0])].focus(rest[1:], take_focus)
        elif rest[:1] == ("anti-spoofing",):
            self.tabs.setCurrentWidget(self.spoofing)
            bring_into_view(self.ips if rest[1:2] == ("ips",) else self.mac, take_focus)

    def load(self) -> None:
        for editor in self.chains.values():
            editor.load()
        spoofing = self.document.get((*self.base, "anti-spoofing"))
        spoofing = spoofing if isinstance(spoofing, dict) else {}
        for line, text in ((self.mac, str(spoofing.get("mac") or "")),
                           (self.ips, ", ".join(map(str, spoofing.get("ips") or [])))):
            if line.text() != text and not (line.hasFocus() and line.isModified()) \
                    and self.spoofing.error.isHidden():  # refused: kept under its sentence
                line.setText(text)
