"""Right-click menus on the canvas: what can be done with an item, a wire or the host.

A mixin of ``MainWindow`` (typed by ``WindowParts``). On an item: delete, duplicate, change
kind (ipvlan ↔ macvlan, keeping addresses and parent), check from its namespace, capture on
an interface, show in the file; on a wire: delete it, capture, go to either end; on the host:
paste, arrange, fit. Every entry is an existing window action, one undo step or a dialog.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QFileDialog, QMenu

from netwright.gui.canvas.room_beside import copy_offset
from netwright.gui.canvas.scene import GRID
from netwright.gui.dialogs.capture import CaptureDialog
from netwright.gui.dialogs.source_view import SECTIONS, SourceDialog, entry_line
from netwright.gui.model.commands import ChangeKindCommand, DuplicateCommand
from netwright.gui.model.duplicate import (
    duplicate_fragment,
    duplicate_words,
    follow_addresses,
    made_short,
)
from netwright.gui.model.edits import paste_edits
from netwright.gui.model.fresh_macs import fresh_macs, mac_words
from netwright.gui.model.kind_change import kind_change_edits, other_kind
from netwright.gui.model.paste import fresh_addresses
from netwright.gui.window.made_note import canvas_before, say_made, show_made

if TYPE_CHECKING:
    from netwright.gui.window.parts import WindowBase as _Base
else:
    _Base = object


class ContextActions(_Base):
    """Context menus of the canvas and what their entries do."""

    context_menu: QMenu | None
    source_dialog: SourceDialog | None
    capture_dialog: CaptureDialog | None

    def show_context_menu(self, target: Any, screen: QPoint) -> None:
        menu = self.build_context_menu(target)
        self.context_menu = menu
        menu.popup(screen)

    def build_context_menu(self, target: Any) -> QMenu:
        """The menu for a key, a wire (relation, a, b) or None (the host's background)."""
        menu = QMenu(self)
        if isinstance(target, str):
            self._item_entries(menu, target)
        elif isinstance(target, tuple):
            _relation, a, b = target
            menu.addAction("Delete this connection", self.delete_selection)
            self._capture_entry(menu, a)
            self.measure_wire_entry(menu, a, b)
            menu.addSeparator()
            menu.addAction(f"Go to {a}", lambda: self.go_to_key(a))
            menu.addAction(f"Go to {b}", lambda: self.go_to_key(b))
        else:
            menu.addAction(self.paste_action)
            menu.addAction(self.layout_action)
            menu.addAction(self.fit_action)
        return menu

    def _item_entries(self, menu: QMenu, key: str) -> None:
        snapshot = self.document.snapshot
        kind = snapshot.kind_of(key)
        menu.addAction(f"Delete {key}", self.delete_selection)
        if kind != "nic":
            menu.addAction(f"Duplicate {key}", lambda: self.duplicate(key))
        other = other_kind(kind)
        if other is not None:
            mode = kind_change_edits(self.document.get, key, other)[1].value
            change = menu.addAction(f"Change to {other} {mode}",
                                    lambda: self.change_kind(key, other))
            if self.host_facts is not None and self.host_facts.lacks(other):
                change.setEnabled(False)  # the backend's kernel could not create it
                change.setToolTip(f"the backend's kernel has no {other}")
        namespace = key if key in snapshot.namespaces else snapshot.namespace_of(key)
        if namespace:
            check = menu.addAction(f"Check from {namespace}", lambda: self.check_from(namespace))
            check.setEnabled(self.check_action.isEnabled())
            if not check.isEnabled():
                check.setToolTip(self.check_action.toolTip())
            self.measure_entry(menu, namespace)
        if key not in snapshot.namespaces:
            self._capture_entry(menu, key)
        menu.addSeparator()
        menu.addAction("Show in File", lambda: self.show_in_file(key))

    def _capture_entry(self, menu: QMenu, key: str) -> None:
        """Capture… on an interface (or a wire's first end), once the design is deployed."""
        entry = menu.addAction(f"Capture on {key}…", lambda: self.capture_interface(key))
        if self.runner.backend is None or not self.deployment.deployed:
            entry.setEnabled(False)
            entry.setToolTip("Apply the design first: capturing needs it deployed")

    def capture_interface(self, key: str, path: str | None = None) -> CaptureDialog | None:
        """Ask where to save (unless ``path``), then capture ``key`` in a CaptureDialog."""
        if path is None:
            path, _ = QFileDialog.getSaveFileName(
                self, f"Capture on {key}", self.capture_suggestion(key),
                "pcapng captures (*.pcapng);;All files (*)")
            if not path:
                return None
        dialog = CaptureDialog(self.runner.backend, self.document.snapshot.name, key, path,
                               parent=self)
        # the outcome in the log, as a measurement's: once the dialog is closed (Escape
        # stops the capture too) nothing said where the packets went, or why none did
        dialog.ended.connect(lambda _result: self.log.appendPlainText(
            f"Capture on {key}: {dialog.state.text()}"))
        self.capture_dialog = dialog
        dialog.show()
        dialog.start()
        return dialog

    def capture_suggestion(self, key: str) -> str:
        """``KEY.pcapng`` beside the design (home for a design never saved), where the other
        files the designer writes are suggested; a bare name opened the dialog in whatever
        folder the designer was started from."""
        return str(Path(self._folder()) / f"{key}.pcapng")

    def duplicate(self, key: str) -> list[str]:
        """A copy of ``key`` (a namespace with its interfaces, and the far end of each of its
        veths: the copy had none, "needs peer") beside it, with free addresses: at the free
        spot nearest its right (``copy_offset``, which Paste shares). The status bar says what
        was copied besides the namespace."""
        snapshot = self.document.snapshot
        fragment, far_ends = duplicate_fragment(snapshot, key)
        offset = copy_offset(fragment, self.scene.nodes, GRID)  # as Paste's
        edits, keys = paste_edits(snapshot, fragment, offset.x(), offset.y())
        if not edits:
            return []
        renames = dict(zip([*fragment["namespaces"], *fragment["interfaces"]], keys,
                           strict=True))
        edits = fresh_addresses(edits, snapshot, self.host_facts)
        edits = follow_addresses(edits, fragment["interfaces"], renames, far_ends)
        edits, new_macs = fresh_macs(edits, snapshot)
        scrolled = canvas_before(self)
        self.push(DuplicateCommand(self.document, key, keys, edits))
        show_made(self, keys, scrolled)
        say_made(self, duplicate_words(key, keys, renames, far_ends) + mac_words(new_macs),
                 made_short("Duplicated", f"{key} as {keys[0]}", far_ends, renames, new_macs))
        return keys

    def change_kind(self, key: str, kind: str) -> bool:
        """ipvlan ↔ macvlan as one undo step; addresses, parent and namespace stay."""
        edits = kind_change_edits(self.document.get, key, kind)
        self.push(ChangeKindCommand(self.document, key, kind, str(edits[1].value), edits))
        self.scene.select_keys([key])
        return True

    def check_from(self, namespace: str) -> None:
        """Check, then open the Checks dock on ``namespace``'s row."""
        self._check_focus = namespace
        self.check()

    def show_in_file(self, key: str) -> SourceDialog:
        """The design's YAML (as it would be saved now) at ``key``'s entry."""
        text = self.document.render()
        kind = self.document.snapshot.kind_of(key)
        section = SECTIONS["nic" if kind == "nic" else
                           "namespace" if key in self.document.snapshot.namespaces
                           else "interface"]
        name = self.document.file.rsplit("/", 1)[-1] if self.document.file else "Untitled"
        dialog = SourceDialog(text, f"{name} — {key}", entry_line(text, section, key), self)
        self.source_dialog = dialog
        dialog.show()
        return dialog
