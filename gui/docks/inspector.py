"""The inspector: edit the selected item, with the contract's sentence at any invalid field.

A value is tried on the document first (``TopologyDocument.trial``); if it would add an error
at this field or on this item, the error is shown under the field and nothing is applied.
Otherwise it becomes one ``SetFieldCommand`` (or ``RenameCommand`` for the key), so every
inspector edit is undoable like any canvas gesture.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from netwright.backend.topology.fields import ADDRESS_FLAGS
from netwright.backend.topology.problems import Problem
from netwright.gui.docks.combo_browse import commit_on_close
from netwright.gui.docks.error_label import error_label
from netwright.gui.docks.host_panel import HostFactsPanel
from netwright.gui.docks.lease_views import LeasePanel
from netwright.gui.docks.packet_panel import PacketPanel, PortFirewallPanel
from netwright.gui.docks.routes_editor import RoutesEditor
from netwright.gui.docks.scroll_into_view import keep_in_view, scroll_into_view
from netwright.gui.docks.wheel_guard import wheel_scrolls_page
from netwright.gui.model.commands import RenameCommand, SetFieldCommand
from netwright.gui.model.document import DELETE, Edit, TopologyDocument
from netwright.gui.model.edits import EditRefusedError, rename_edits
from netwright.gui.model.field_words import TOPOLOGY_LABELS
from netwright.gui.model.host_facts import HostFacts
from netwright.gui.model.leases import LeaseInfo
from netwright.gui.model.snapshot import SUB_INTERFACE_KINDS, Snapshot
from netwright.gui.model.wording import designer_message


@dataclass(frozen=True)
class FieldSpec:
    """One editable field: its key under the entry, its label and how it is edited."""

    name: str
    label: str
    editor: str = "text"  # text, int, list, choice, bool, ref
    choices: tuple[str, ...] = ()
    hint: str = ""


COMMON = (
    FieldSpec("name", "Kernel name", hint="defaults to the key"),
    FieldSpec("namespace", "Namespace", "ref"),
    FieldSpec("addresses", "Addresses", "list", hint="192.168.31.5/24, fd00::5/64 or dhcp"),
    FieldSpec("mtu", "MTU", "int"),
    FieldSpec("mac", "MAC", hint="02:42:ac:11:00:02"),
    FieldSpec("state", "State", "choice", ("up", "down")),
    FieldSpec("master", "Bridge (master)", "ref"),
    FieldSpec("persist", "Persist (NetworkManager)", "bool"),
)
# Link impairment (what the interface does to the packets it sends): dotted names are paths
# under the entry; the last one emptied removes the whole ``impairment`` mapping.
IMPAIRMENT = (
    FieldSpec("impairment.delay", "Delay", hint="e.g. 40ms"),
    FieldSpec("impairment.jitter", "Jitter", hint="e.g. 5ms (needs a delay)"),
    FieldSpec("impairment.loss", "Loss", hint="e.g. 1%"),
    FieldSpec("impairment.duplicate", "Duplication", hint="e.g. 0.1%"),
    FieldSpec("impairment.reorder", "Reordering", hint="e.g. 10% (needs a delay)"),
    FieldSpec("impairment.corrupt", "Corruption", hint="e.g. 0.1%"),
    FieldSpec("impairment.rate", "Rate limit", hint="e.g. 10mbit"),
)
KIND_FIELDS: dict[str, tuple[FieldSpec, ...]] = {
    "bridge": (FieldSpec("stp", "STP", "bool"),
               FieldSpec("vlan-filtering", "VLAN filtering", "bool")),
    "veth": (FieldSpec("peer", "Peer", "ref"),),
    "ipvlan": (FieldSpec("parent", "Parent", "ref"),
               FieldSpec("mode", "Mode", "choice", ("l2", "l3", "l3s")),
               FieldSpec("flag", "Flag", "choice", ("bridge", "private", "vepa"))),
    "macvlan": (FieldSpec("parent", "Parent", "ref"),
                FieldSpec("mode", "Mode", "choice",
                          ("bridge", "vepa", "private", "passthru", "source"))),
    "vlan": (FieldSpec("parent", "Parent", "ref"), FieldSpec("id", "VLAN id", "int"),
             FieldSpec("protocol", "Protocol", "choice", ("802.1Q", "802.1ad"))),
    "vxlan": (FieldSpec("vni", "VNI", "int"), FieldSpec("remote", "Remote"),
              FieldSpec("group", "Group"), FieldSpec("local", "Local"),
              FieldSpec("port", "UDP port", "int"), FieldSpec("dev", "Underlay (dev)", "ref")),
}
NIC_FIELDS = (
    FieldSpec("addresses", "Addresses", "list", hint="the NIC's own, e.g. 192.168.31.240/24"),
    FieldSpec("gateway", "Gateway"),
    FieldSpec("mac", "MAC"),
)
DOCUMENT_FIELDS = (FieldSpec("name", TOPOLOGY_LABELS["name"]),
                   FieldSpec("description", TOPOLOGY_LABELS["description"]))


def parse_value(spec: FieldSpec, raw: Any) -> Any:
    """Editor text → the value stored in the file (DELETE for an empty field)."""
    if spec.editor == "bool":
        return bool(raw) if raw else DELETE
    text = str(raw).strip()
    if text in ("", "(none)", "(host)"):
        return DELETE
    if spec.editor == "int":
        return int(text) if re.fullmatch(r"-?\d+", text) else text
    if spec.editor == "list":
        return list_items(text)
    return text


def list_items(text: str) -> list[str]:
    """``fd00::1/64 nodad, 10.0.0.1/24`` → two entries: commas or spaces separate them,
    and an address flag (``nodad``) stays with the address before it."""
    items: list[str] = []
    for word in re.split(r"[,\s]+", text):
        if word in ADDRESS_FLAGS and items:
            items[-1] += f" {word}"
        elif word:
            items.append(word)
    return items


def show_value(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ", ".join("dhcp" if isinstance(v, dict) or v == "dhcp" else str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def new_errors(before: list[Problem], after: list[Problem], scope: tuple[Any, ...],
               field: tuple[Any, ...]) -> list[Problem]:
    """Errors the edit adds at this field, or on this item as a whole."""
    seen = {(p.code, p.path, p.message) for p in before}
    return [p for p in after if p.severity == "error" and (p.code, p.path, p.message) not in seen
            and (p.path[: len(field)] == field or p.path == scope)]


class Inspector(QWidget):
    """A form for the selected key (or the document when nothing is selected)."""

    renamed = Signal(str, str)
    parent_changed = Signal(str)  # an interface's parent was set here (the window may fill it)

    def __init__(self, document: TopologyDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.key: str | None = None
        self.entry_path: tuple[Any, ...] = ()
        self.editors: dict[str, QWidget] = {}
        self.errors: dict[str, QLabel] = {}
        self._specs: dict[str, FieldSpec] = {}
        self._shown_key: str | None = None
        self._renaming = False
        self._shown_specs: tuple[FieldSpec, ...] = ()
        self._outer = QVBoxLayout(self)
        self._outer.setContentsMargins(6, 6, 6, 6)
        self._title = QLabel()
        self._title.setTextFormat(Qt.TextFormat.RichText)
        self._outer.addWidget(self._title)
        self._body = QWidget()
        self._outer.addWidget(self._body)
        self.leases: dict[str, LeaseInfo] = {}
        self.lease_panel = LeasePanel()
        self._outer.addWidget(self.lease_panel)
        self.host_facts: HostFacts | None = None
        self.host_panel = HostFactsPanel()
        self._outer.addWidget(self.host_panel)
        self._outer.addStretch(1)
        self.routes: RoutesEditor | None = None
        self.packets: PacketPanel | PortFirewallPanel | None = None
        document.content_changed.connect(self.refresh)
        document.replaced.connect(lambda: self.show_key(None))
        self.show_key(None)

    # -- building the form ----------------------------------------------------------------

    def show_key(self, key: str | None) -> None:
        """Show the form of ``key`` (a namespace, interface or NIC); None: the document."""
        if self._renaming:
            return
        snapshot = self.document.snapshot
        if key is not None and key not in snapshot.interfaces and key not in snapshot.namespaces \
                and key not in snapshot.nics:
            key = None
        self.key = key
        kind = snapshot.kind_of(key) if key else "document"
        specs: tuple[FieldSpec, ...]
        if key is None:
            self.entry_path, specs = (), DOCUMENT_FIELDS
            title = "Topology"
        elif key in snapshot.interfaces:
            self.entry_path = ("interfaces", key)
            specs = (FieldSpec("$key", "Key"), *KIND_FIELDS.get(kind, ()), *COMMON,
                     *IMPAIRMENT)
            title = f"{kind} <b>{key}</b>"
        elif key in snapshot.namespaces:
            self.entry_path, specs = ("namespaces", key), (FieldSpec("$key", "Name"),)
            title = f"namespace <b>{key}</b>"
        else:
            self.entry_path, specs = ("host", "nics", key), (FieldSpec("$key", "Name"), *NIC_FIELDS)
            title = f"host NIC <b>{key}</b>"
        self._title.setText(title)
        if key is None or specs != self._shown_specs or key != self._shown_key:
            self._build(specs, snapshot)  # another item's form (a rename keeps this one)
        self._shown_key, self._shown_specs = key, specs
        self.refresh()
        self._follow_title_in_tab_order()  # with what refresh made (the packet panel's)

    def _build(self, specs: tuple[FieldSpec, ...], snapshot: Snapshot) -> None:
        self._outer.removeWidget(self._body)
        self._body.hide()
        self._body.setParent(None)
        self._body.deleteLater()
        self._body = QWidget()
        self._outer.insertWidget(1, self._body)
        form = QFormLayout(self._body)
        form.setContentsMargins(0, 4, 0, 0)
        self.editors, self.errors, self._specs, self.routes = {}, {}, {}, None
        self.packets = None
        for spec in specs:
            editor = self._make_editor(spec, snapshot)
            error = error_label()
            holder = QWidget()
            column = QVBoxLayout(holder)
            column.setContentsMargins(0, 0, 0, 0)
            column.setSpacing(2)
            column.addWidget(editor)
            column.addWidget(error)
            form.addRow(spec.label, holder)
            # the form's label names the holder; a screen reader read the field as "edit"
            editor.setAccessibleName(spec.label)
            self.editors[spec.name] = editor
            self.errors[spec.name] = error
            self._specs[spec.name] = spec
        if self.entry_path[:1] == ("namespaces",):
            self.routes = RoutesEditor(self)
            form.addRow(QLabel("Routes"))
            form.addRow(self.routes)
        self.packets = self._packet_panel(snapshot)
        if self.packets is not None:
            for section in self.packets.sections():
                self.errors[section.name] = section.error
            form.addRow(self.packets)
        self._body.show()

    def _follow_title_in_tab_order(self) -> None:
        """The new form's fields right after the Inspector's title in the tab chain, top to
        bottom. A widget made later joins the window's chain at its end, so after the
        first selection Tab went from the Palette through every other dock and the status
        bar before it reached the Inspector's fields."""
        previous: QWidget = self._title  # Qt orders only focusable widgets: the one before
        while not previous.focusPolicy() & Qt.FocusPolicy.TabFocus:
            before = previous.previousInFocusChain()
            if before is None or before is self._title:
                break
            previous = before
        for widget in self._body.findChildren(QWidget):
            parent = widget.parentWidget()
            if widget.focusPolicy() & Qt.FocusPolicy.TabFocus \
                    and widget.window() is previous.window() \
                    and (parent is None or parent.focusProxy() is not widget):
                # not a combo box's popup list; a tab widget moves with its tab bar
                QWidget.setTabOrder(previous, widget)
                previous = widget

    def _packet_panel(self, snapshot: Snapshot) -> PacketPanel | PortFirewallPanel | None:
        """Forwarding, NAT and firewall for the host (the topology view) and a namespace;
        the port firewall for a bridge port."""
        def commit(name: str, edits: list[Edit], label: str, field: tuple[Any, ...],
                   tolerated: frozenset[str]) -> bool:
            return self.try_edits(name, edits, label, field, tolerated)

        if self.key is None:
            return PacketPanel(self.document, commit, ("host",), None)
        if self.entry_path[:1] == ("namespaces",):
            return PacketPanel(self.document, commit, self.entry_path, self.key)
        link = snapshot.interfaces.get(self.key, {})
        master = link.get("master")
        if (isinstance(master, str) and snapshot.kind_of(master) == "bridge") \
                or "port-firewall" in link:
            return PortFirewallPanel(self.document, commit, self.key)
        return None

    def _make_editor(self, spec: FieldSpec, snapshot: Snapshot) -> QWidget:
        def commit(raw: Any) -> None:
            self.commit(spec.name, raw)

        if spec.editor == "bool":
            box = QCheckBox()
            box.clicked.connect(commit)
            return box
        if spec.editor in ("choice", "ref"):
            combo = QComboBox()
            wheel_scrolls_page(combo)
            combo.setEditable(spec.editor == "ref")
            commit_on_close(combo)  # Down Down Enter: one edit, not two
            combo.addItems(list(spec.choices) or self._references(spec.name, snapshot))
            combo.activated.connect(
                lambda _i, c=combo, s=spec: self.commit(s.name, c.currentText()))
            if (typed := combo.lineEdit()) is not None:
                typed.editingFinished.connect(
                    lambda c=combo, s=spec: self._typed_finished(s.name, c))
            return combo
        line = QLineEdit()
        line.setPlaceholderText(spec.hint)
        line.setToolTip(spec.hint)  # whole: a narrow Inspector cuts the hint off
        line.editingFinished.connect(lambda e=line, s=spec: self._line_finished(s.name, e))
        return line

    def _line_finished(self, name: str, line: QLineEdit) -> None:
        """Only text the user changed is committed (focus moving away is not an edit). A
        refused text stays "changed": Enter tries it again once the design allows it (an
        emptied Delay, refused while a Jitter needs it, once the Jitter is gone)."""
        if line.isModified():
            line.setModified(False)
            if not self.commit(name, line.text()) and not self.errors[name].isHidden():
                line.setModified(True)

    def _typed_finished(self, name: str, combo: QComboBox) -> None:
        """A name typed into an editable box is committed: from now on Ctrl+Z there is the
        design's Undo, not the field's (``window.undo_keys``)."""
        typed = combo.lineEdit()
        if typed is not None:
            typed.setModified(False)
        self.commit(name, combo.currentText())

    def _references(self, name: str, snapshot: Snapshot) -> list[str]:
        kinds = {key: snapshot.kind_of(key) for key in snapshot.interfaces}
        if name == "namespace":
            return ["(host)", *snapshot.namespaces]
        if name == "master":
            return ["(none)", *[k for k, kind in kinds.items() if kind == "bridge"]]
        if name == "peer":
            return ["(none)", *[k for k, kind in kinds.items() if kind == "veth" and k != self.key]]
        if name in ("parent", "dev"):
            others = [k for k, kind in kinds.items()
                      if k != self.key and kind not in SUB_INTERFACE_KINDS[:2]]
            return ["(none)", *snapshot.nics, *others]
        return []

    # -- showing values -------------------------------------------------------------------

    def refresh(self) -> None:
        """Show the document's current values (after any edit, undo or redo). A field the
        Inspector refused keeps what was typed, under its sentence: another edit wiped the
        text ('lots' in Loss) and left the sentence about it under an empty field."""
        if self.key is not None and self.document.get(self.entry_path) is None:
            self.show_key(None)
            return
        for name, editor in self.editors.items():
            value = self.key if name == "$key" else self.document.get(self._path(name))
            editor.blockSignals(True)
            if isinstance(editor, QCheckBox):
                editor.setChecked(bool(value))
            elif isinstance(editor, QComboBox):
                text = show_value(value) or editor.itemText(0)
                if editor.findText(text) < 0:
                    editor.addItem(text)
                editor.setCurrentText(text)
            elif isinstance(editor, QLineEdit) and editor.text() != show_value(value) \
                    and not (editor.hasFocus() and editor.isModified()) \
                    and self.errors[name].isHidden():  # being typed, or refused: kept
                editor.setText(show_value(value))
                if not editor.hasFocus():  # a value wider than the field shows its beginning
                    editor.setCursorPosition(0)
            if isinstance(editor, QLineEdit) and editor.text() == show_value(value):
                # whole in the tooltip (an empty field: its hint, which may be cut off)
                editor.setToolTip(show_value(value) or editor.placeholderText())
            editor.blockSignals(False)
        if self.routes is not None:
            self.routes.load(self.document.get((*self.entry_path, "routes")) or [])
        if self.packets is not None:
            self.packets.load()
        self._show_lease()
        self.host_panel.show_for(self.document.snapshot, self.host_facts, self.key)

    def focus_path(self, path: tuple[Any, ...], take_focus: bool = True) -> None:
        """Show the part of the form a problem's path names, with the keys in it: a field
        (``interfaces.v1.impairment.loss`` → Loss), the routes, a rule's cell, a NAT entry.
        Only the rules and NAT took the focus: Enter on any other problem left the keys in
        the Problems list, and the field to change had to be found with the mouse.
        ``take_focus`` False: shown only (what a fix changed; the keys stay where they are)."""
        entry = self.entry_path
        rest = tuple(path[len(entry):]) if entry and tuple(path[:len(entry)]) == entry else ()
        for length in range(len(rest), 0, -1):
            editor = self.editors.get(".".join(str(part) for part in rest[:length]))
            if editor is not None and editor.isEnabled():
                if take_focus:
                    editor.setFocus(Qt.FocusReason.OtherFocusReason)
                scroll_into_view(editor)
                return
        if rest[:1] == ("routes",) and self.routes is not None:
            table = self.routes.table
            if len(rest) > 1 and isinstance(rest[1], int) and rest[1] < table.rowCount():
                column = rest[2] if len(rest) > 2 and rest[2] in RoutesEditor.COLUMNS \
                    else "to"
                table.setCurrentCell(rest[1], RoutesEditor.COLUMNS.index(str(column)))
            if take_focus:
                table.setFocus(Qt.FocusReason.OtherFocusReason)
            scroll_into_view(self.routes)
            return
        if self.packets is not None:
            self.packets.focus(path, take_focus)

    def set_host_facts(self, facts: HostFacts | None) -> None:
        """The host's NICs (Inspect), shown for a NIC and for a child's parent."""
        self.host_facts = facts
        self.host_panel.show_for(self.document.snapshot, facts, self.key)

    def set_leases(self, leases: dict[str, LeaseInfo]) -> None:
        """The deployment's DHCP leases (from its status), shown for a ``dhcp`` interface."""
        self.leases = dict(leases)
        self._show_lease()

    def _show_lease(self) -> None:
        key, snapshot = self.key, self.document.snapshot
        if key is None or key not in snapshot.interfaces \
                or "dhcp" not in snapshot.addresses_of(key):
            self.lease_panel.show_lease(False, None)
        else:
            self.lease_panel.show_lease(True, self.leases.get(key))

    def set_error(self, name: str, message: str | None) -> None:
        label = self.errors.get(name)
        if label is None:
            return
        label.setText(message or "")
        label.setVisible(bool(message))
        if message:  # a long form scrolls: the sentence must be where the user looks
            keep_in_view(label)

    # -- committing -----------------------------------------------------------------------

    def commit(self, name: str, raw: Any) -> bool:
        """Try the value; apply it as one undo step if it adds no error here. True if applied."""
        if name == "$key":
            return self._rename(str(raw).strip())
        spec = self._specs.get(name)
        if spec is None:
            return False
        path = self._path(name)
        value = parse_value(spec, raw)
        current = self.document.get(path, DELETE)
        if _same(current, value):
            self.set_error(name, None)
            return False
        edits = [Edit(path, value)]
        holder = self.document.get(path[:-1])
        if value is DELETE and len(path) > len(self.entry_path) + 1 and isinstance(
                holder, dict) and set(holder) <= {path[-1]}:
            edits = [Edit(path[:-1], DELETE)]  # its last value: no empty mapping left behind
        # a nested field's sentence may name its mapping ("jitter needs a delay")
        field = path[:-1] if len(path) > len(self.entry_path) + 1 else path
        applied = self.try_edits(name, edits, f"{self.key or 'topology'} {spec.label.lower()}",
                                 field)
        if applied and name == "parent" and self.key is not None:
            self.parent_changed.emit(self.key)
        return applied

    def _path(self, name: str) -> tuple[Any, ...]:
        """Where field ``name`` lives: ``"impairment.delay"`` is two keys deep."""
        return (*self.entry_path, *name.split("."))

    def try_edits(self, name: str, edits: list[Edit], label: str,
                  field: tuple[Any, ...] | None = None,
                  tolerated: frozenset[str] = frozenset()) -> bool:
        """Trial the edits; refuse them with the first error they add at ``field`` (the
        first edit's path unless given) or on this item, else push them as one step.
        ``tolerated``: codes of errors that only say what is still to be given (a rule's
        protocol, for a port typed first), which the caller shows as a hint."""
        field = edits[0].path if field is None else field
        before = self.document.problems
        problems = self.document.trial(edits)
        blocking = [p for p in new_errors(before, problems, self.entry_path, field)
                    if p.code not in tolerated]
        if blocking:
            self.set_error(name, designer_message(blocking[0], where=False))
            return False
        self.set_error(name, None)
        self.document.undo_stack.push(SetFieldCommand(self.document, label, edits))
        return True

    def _rename(self, new: str) -> bool:
        old = self.key
        if old is None or not new or new == old:
            self.set_error("$key", None)
            return False
        try:
            edits = rename_edits(self.document.snapshot, self.document.get, old, new)
        except EditRefusedError as exc:
            self.set_error("$key", str(exc))
            return False
        renamed_path = (*self.entry_path[:-1], new)
        before = self.document.problems
        problems = self.document.trial(edits)
        blocking = new_errors(before, problems, renamed_path, renamed_path)
        blocking = [p for p in blocking if p.path[: len(renamed_path)] == renamed_path]
        if blocking:
            self.set_error("$key", designer_message(blocking[0], where=False))
            return False
        self.set_error("$key", None)
        # The same form now edits the new key, so focus stays where Tab took it; the scene
        # dropping the old item's selection meanwhile must not rebuild the form.
        self.key, self.entry_path, self._shown_key = new, renamed_path, new
        self._renaming = True
        try:
            self.document.undo_stack.push(RenameCommand(self.document, old, new, edits))
        finally:
            self._renaming = False
        self.renamed.emit(old, new)
        self.show_key(new)
        return True


def _same(current: Any, value: Any) -> bool:
    if value is DELETE:
        return current is DELETE or current is None
    if isinstance(value, list) and isinstance(current, list):
        return [str(v) for v in current] == [str(v) for v in value]
    return current is not DELETE and str(current) == str(value) and type(current) is type(value)
