"""The inspector of the live host: the same form as a design's, every field read-only.

Values can be selected and copied but not changed: each line is read-only, every other
control is disabled, and a commit that still arrives (a rename, a routes table) is refused.
``ObservedPanel`` puts a line above the form that says why, and what NetworkManager says of
a host device it knows ("managed by NetworkManager: profile …").
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QAbstractSpinBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from netwright.gui.docks.inspector import Inspector
from netwright.gui.model.document import Edit, TopologyDocument
from netwright.gui.model.host_facts import HostFacts

NOTICE = "Observed on the live host — read-only. Copy into Design to change it."
NOTICE_NOTHING = ("The live host, read-only. Select a namespace, a link or a NIC to see what"
                  " was observed; Copy into Design (right-click) brings it into the design.")


class LiveInspector(Inspector):
    """An ``Inspector`` of the observed host that never edits."""

    shown = Signal()  # another key's form (or none) is shown

    def show_key(self, key: str | None) -> None:
        super().show_key(key)
        # nothing selected: the host's own form would be the import's name and empty rules
        self._body.setVisible(self.key is not None)
        self._title.setVisible(self.key is not None)
        self.host_panel.setVisible(self.key is not None)
        self.lock()
        self.shown.emit()

    def refresh(self) -> None:
        super().refresh()
        self.lock()

    def lock(self) -> None:
        """Every control of the current form read-only (lines) or disabled (the rest)."""
        for widget in self.findChildren(QWidget):
            if isinstance(widget, QLineEdit | QPlainTextEdit | QAbstractSpinBox):
                widget.setReadOnly(True)
            elif isinstance(widget, QComboBox | QAbstractButton):
                widget.setEnabled(False)
            elif isinstance(widget, QAbstractItemView):
                widget.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)

    def set_host_facts(self, facts: HostFacts | None) -> None:
        super().set_host_facts(facts)
        self.lock()  # the facts panel's button too

    def commit(self, name: str, raw: Any) -> bool:
        return False

    def try_edits(self, name: str, edits: list[Edit], label: str,
                  field: tuple[Any, ...] | None = None,
                  tolerated: frozenset[str] = frozenset()) -> bool:
        return False


class ObservedPanel(QWidget):
    """The Observed dock: why it is read-only, NetworkManager's words, then the form."""

    def __init__(self, document: TopologyDocument, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        column = QVBoxLayout(self)
        column.setContentsMargins(6, 6, 0, 0)
        self.notice = QLabel(NOTICE_NOTHING)
        self.notice.setWordWrap(True)
        self.notice.setObjectName("live-notice")
        column.addWidget(self.notice)
        self.managed = QLabel()
        self.managed.setWordWrap(True)
        self.managed.setObjectName("live-networkmanager")
        self.managed.hide()
        column.addWidget(self.managed)
        self.held = QLabel()  # what holds the selected anonymous namespace
        self.held.setWordWrap(True)
        self.held.setObjectName("live-holder")
        self.held.hide()
        column.addWidget(self.held)
        self.inspector = LiveInspector(document)
        column.addWidget(self.inspector, 1)
        self.networkmanager: dict[str, str] = {}  # device name → NetworkManager's words
        self.holders: dict[str, str] = {}  # anonymous namespace key → what holds it
        self.inspector.shown.connect(self._follow)

    def set_networkmanager(self, words: dict[str, str]) -> None:
        """What NetworkManager says of each host device (empty: no NetworkManager)."""
        self.networkmanager = dict(words)
        self._follow()

    def set_holders(self, holders: dict[str, str]) -> None:
        """What holds each anonymous namespace ("held by sleep (pid 4242)")."""
        self.holders = dict(holders)
        self._follow()

    def _follow(self) -> None:
        key = self.inspector.key
        held = self.holders.get(key or "")
        self.held.setText(f"Namespace {key}: {held}" if held else "")
        self.held.setVisible(bool(held))
        self.notice.setText(NOTICE if key is not None else NOTICE_NOTHING)
        snapshot = self.inspector.document.snapshot
        entry = snapshot.interfaces.get(key or "") or {}
        on_host = key in snapshot.nics or (key in snapshot.interfaces
                                           and snapshot.namespace_of(key) is None)
        words = self.networkmanager.get(str(entry.get("name") or key)) if on_host else None
        self.managed.setText(f"NetworkManager: {words}" if words else "")
        self.managed.setVisible(bool(words))
