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
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from netwright.gui.docks.host_panel import NO_FACTS, nic_lines
from netwright.gui.model.host_facts import HostFacts, HostNic

NAME_ROLE = Qt.ItemDataRole.UserRole
SHORT_NOTES = {"managed by NetworkManager": "NM-managed",
               "not managed by NetworkManager": "not NM-managed"}


def nic_entry(nic: HostNic) -> str:
    """Two lines that fit the narrow left dock: name and notes, then addresses and gateway."""
    notes = [SHORT_NOTES.get(note, note) for note in nic.notes()]
    first = f"{nic.name} — {', '.join(notes)}" if notes else nic.name
    network = nic.ipv4_interface()
    gateway = nic.gateway_in(network.network if network is not None else None)
    second = ", ".join(nic.design_addresses()) or "no address"
    return f"{first}\n{second}" + (f" via {gateway}" if gateway else "")


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
        self.nics = QListWidget()
        self.nics.setWordWrap(True)
        self.nics.itemDoubleClicked.connect(self._request)
        self.nics.currentItemChanged.connect(lambda _now, _before: self._update_button())
        layout.addWidget(self.nics)
        buttons = QHBoxLayout()
        self.add_button = QPushButton("Add to design")
        self.add_button.clicked.connect(lambda: self._request(self.nics.currentItem()))
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
        self.nics.clear()
        if facts is None:
            self.heading.setText(note or NO_FACTS)
            self._update_button()
            return
        nics = facts.usable_nics()
        self.heading.setText(f"{len(nics)} NIC{'s' * (len(nics) != 1)} on the {facts.where()}"
                             + (f" ({note})" if note else ""))
        for nic in nics:
            item = QListWidgetItem(nic_entry(nic))
            item.setData(NAME_ROLE, nic.name)
            item.setToolTip("\n".join(nic_lines(nic)))
            self.nics.addItem(item)
            if nic.name == current:
                self.nics.setCurrentItem(item)
        self.set_in_design(self.in_design)

    def set_in_design(self, names: set[str]) -> None:
        """Mark the NICs the design already references (italic; "Show in design")."""
        self.in_design = set(names)
        for index in range(self.nics.count()):
            item = self.nics.item(index)
            present = item.data(NAME_ROLE) in self.in_design
            font = item.font()
            font.setItalic(present)
            item.setFont(font)
            item.setStatusTip("in the design" if present else "")
        self._update_button()

    def selected_name(self) -> str:
        item = self.nics.currentItem()
        return str(item.data(NAME_ROLE)) if item is not None else ""

    def select_name(self, name: str) -> bool:
        for index in range(self.nics.count()):
            item = self.nics.item(index)
            if item.data(NAME_ROLE) == name:
                self.nics.setCurrentItem(item)
                return True
        return False

    def _request(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.add_requested.emit(str(item.data(NAME_ROLE)))

    def _update_button(self) -> None:
        name = self.selected_name()
        self.add_button.setEnabled(bool(name))
        self.add_button.setText("Show in design" if name in self.in_design else "Add to design")
