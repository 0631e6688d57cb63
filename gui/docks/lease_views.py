"""Where the designer lists DHCP leases: the inspector's lease section and the Leases dock.

Both show what the last status said (``netwright.gui.model.leases``); only the expiry countdown
moves between two status refreshes, so each keeps a one-second timer that runs while it
shows a bound lease and is visible, and touches nothing but the countdown text.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netwright.gui.canvas.focus_ring import FocusRing
from netwright.gui.canvas.items import lease_colour
from netwright.gui.canvas.theme import Theme
from netwright.gui.model.leases import LeaseInfo, lease_rows

KEY_ROLE = Qt.ItemDataRole.UserRole + 1
NO_LEASE = "No lease reported yet: Apply starts this interface's DHCP client."


def _ticker(parent: QWidget, tick: object) -> QTimer:
    timer = QTimer(parent)
    timer.setInterval(1000)
    timer.timeout.connect(tick)
    return timer


class LeasePanel(QGroupBox):
    """The inspector's "DHCP lease" section for one ``dhcp`` interface."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("DHCP lease", parent)
        self.lease: LeaseInfo | None = None
        self.values: dict[str, QLabel] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self._form_holder = QWidget()
        self._form = QFormLayout(self._form_holder)
        self._form.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._form_holder)
        self.sentence = QLabel(NO_LEASE)
        self.sentence.setWordWrap(True)
        self.sentence.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.sentence)
        self.timer = _ticker(self, self.tick)
        self.hide()

    def show_lease(self, visible: bool, lease: LeaseInfo | None) -> None:
        """``visible``: the selected item is a ``dhcp`` interface; ``lease``: its report."""
        self.setVisible(visible)
        if lease == self.lease and self.values:
            self._run_timer()
            return
        self.lease = lease
        while self._form.rowCount():
            self._form.removeRow(0)
        self.values = {}
        if lease is not None:
            for label, value in lease_rows(lease):
                shown = QLabel(value)
                shown.setWordWrap(True)
                shown.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
                self._form.addRow(label, shown)
                self.values[label] = shown
        self.sentence.setText(lease.text if lease is not None else NO_LEASE)
        self._run_timer()

    def tick(self) -> None:
        if self.lease is not None and "Expires" in self.values:
            self.values["Expires"].setText(self.lease.expiry_words())

    def _run_timer(self) -> None:
        parent = self.parentWidget()  # Qt's isVisibleTo(None) is isVisible()
        shown = self.isVisibleTo(parent) if parent is not None else self.isVisible()
        if shown and self.lease is not None and self.lease.bound:
            self.timer.start()
        else:
            self.timer.stop()


class LeasesTable(QTableWidget):
    """Every lease of the deployment; double-click a row to go to its interface."""

    COLUMNS = ("Interface", "Namespace", "Phase", "Address", "Server", "Expires",
               "Client-id sent")
    activated_key = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.theme = theme
        self.leases: dict[str, LeaseInfo] = {}
        self.setHorizontalHeaderLabels(list(self.COLUMNS))
        self.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.horizontalHeader().setStretchLastSection(True)
        self.verticalHeader().hide()
        self.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.cellActivated.connect(self._on_activated)  # a double-click, or Enter
        self.focus_ring = FocusRing(self)  # where the keys are, with no row chosen yet
        self.timer = _ticker(self, self.tick)

    def set_leases(self, leases: dict[str, LeaseInfo]) -> None:
        if leases == self.leases:
            return
        self.leases = dict(leases)
        self.setRowCount(len(leases))
        for row, info in enumerate(sorted(leases.values(), key=lambda i: i.key)):
            cells = (info.key, info.namespace or "(host)", info.phase.replace("-", " "),
                     info.address or "—", info.server or "—", info.expiry_words(),
                     info.client_id_words())
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                item.setToolTip(info.text)
                item.setData(KEY_ROLE, info.key)
                if column in (2, 3):
                    item.setForeground(QBrush(lease_colour(self.theme, info.tone)))
                self.setItem(row, column, item)
        if any(info.bound for info in leases.values()):
            self.timer.start()
        else:
            self.timer.stop()

    def set_theme(self, theme: Theme) -> None:
        """Repaint the phase colours for a light/dark palette switch."""
        self.theme = theme
        leases, self.leases = self.leases, {}
        self.set_leases(leases)

    def summary(self) -> str:
        """The dock's title: how many leases are held of how many asked for."""
        if not self.leases:
            return "Leases"
        bound = sum(1 for info in self.leases.values() if info.bound)
        return f"Leases ({bound} of {len(self.leases)})"

    def row_of(self, key: str) -> int:
        for row in range(self.rowCount()):
            item = self.item(row, 0)
            if item is not None and item.data(KEY_ROLE) == key:
                return row
        return -1

    def tick(self) -> None:
        if not self.isVisible():
            return
        column = self.COLUMNS.index("Expires")
        for row in range(self.rowCount()):
            item = self.item(row, column)
            info = self.leases.get(item.data(KEY_ROLE)) if item is not None else None
            if item is not None and info is not None:
                item.setText(info.expiry_words())

    def _on_activated(self, row: int, _column: int) -> None:
        item = self.item(row, 0)
        if item is not None:
            self.activated_key.emit(str(item.data(KEY_ROLE)))
