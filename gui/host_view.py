"""The Host dock: the real NICs of the backend's host, to reference in the design.

A design builds on NICs the host already has (``host.nics``), and typing their addresses and
gateway by hand is how a child ends up in the wrong subnet. This list shows what Inspect
reported for each NIC (addresses, gateway, Wi-Fi, NetworkManager) and adds one to the design
with those values on a double-click or "Add to design"; a NIC already in the design is
selected instead. NICs a Netwright topology created are left out: they are not the host's.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netwright.gui.host_facts import HostFacts
from netwright.gui.host_panel import NO_FACTS, nic_lines

NAME_ROLE = Qt.ItemDataRole.UserRole
COLUMNS = ("NIC", "Addresses", "Gateway", "Notes")


class HostNicsView(QWidget):
    """The host's own NICs and the buttons to add one or ask the facts again."""

    add_requested = Signal(str)  # a NIC's name: reference it in the design (or go to it)
    refresh_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.facts: HostFacts | None = None
        self.in_design: set[str] = set()
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        self.heading = QLabel(NO_FACTS)
        self.heading.setWordWrap(True)
        layout.addWidget(self.heading)
        self.tree = QTreeWidget()
        self.tree.setColumnCount(len(COLUMNS))
        self.tree.setHeaderLabels(list(COLUMNS))
        self.tree.setRootIsDecorated(False)
        self.tree.setUniformRowHeights(True)
        self.tree.itemDoubleClicked.connect(lambda item, _c: self._request(item))
        self.tree.currentItemChanged.connect(lambda _now, _before: self._update_button())
        layout.addWidget(self.tree)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add to design")
        self.add_button.clicked.connect(lambda: self._request(self.tree.currentItem()))
        self.refresh_button = QPushButton("Refresh")
        self.refresh_button.setToolTip("ask the backend for the host's facts again")
        self.refresh_button.clicked.connect(self.refresh_requested)
        buttons.addWidget(self.add_button)
        buttons.addStretch(1)
        buttons.addWidget(self.refresh_button)
        layout.addLayout(buttons)
        self._update_button()

    def set_facts(self, facts: HostFacts | None, note: str = "") -> None:
        """Show ``facts`` (None: none yet, ``note`` says why, e.g. the backend's error)."""
        self.facts = facts
        current = self.selected_name()
        self.tree.clear()
        if facts is None:
            self.heading.setText(note or NO_FACTS)
            self._update_button()
            return
        nics = facts.usable_nics()
        self.heading.setText(f"{len(nics)} NIC{'s' * (len(nics) != 1)} on the {facts.where()}"
                             + (f" ({note})" if note else ""))
        for nic in nics:
            gateway = next(iter(nic.gateways), "")
            item = QTreeWidgetItem([nic.name, ", ".join(nic.design_addresses()), gateway,
                                    ", ".join(nic.notes())])
            item.setData(0, NAME_ROLE, nic.name)
            item.setToolTip(0, "\n".join(nic_lines(nic)))
            self.tree.addTopLevelItem(item)
            if nic.name == current:
                self.tree.setCurrentItem(item)
        self.set_in_design(self.in_design)
        for column in range(len(COLUMNS)):
            self.tree.resizeColumnToContents(column)

    def set_in_design(self, names: set[str]) -> None:
        """Mark the NICs the design already references (their action is "Show in design")."""
        self.in_design = set(names)
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            present = item.data(0, NAME_ROLE) in self.in_design
            font = item.font(0)
            font.setItalic(present)
            item.setFont(0, font)
            item.setStatusTip(0, "in the design" if present else "")
        self._update_button()

    def selected_name(self) -> str:
        item = self.tree.currentItem()
        return str(item.data(0, NAME_ROLE)) if item is not None else ""

    def select_name(self, name: str) -> bool:
        for index in range(self.tree.topLevelItemCount()):
            item = self.tree.topLevelItem(index)
            if item.data(0, NAME_ROLE) == name:
                self.tree.setCurrentItem(item)
                return True
        return False

    def _request(self, item: QTreeWidgetItem | None) -> None:
        if item is not None:
            self.add_requested.emit(str(item.data(0, NAME_ROLE)))

    def _update_button(self) -> None:
        name = self.selected_name()
        self.add_button.setEnabled(bool(name))
        self.add_button.setText("Show in design" if name in self.in_design else "Add to design")
