"""The inspector's host-facts section: what the host says about a NIC or a child's parent.

For a host NIC it shows the NIC's facts (addresses, gateway, DNS, Wi-Fi, NetworkManager) and
offers the host's values when the design's entry lacks them. For an ipvlan, macvlan or vlan
it names the parent's facts and offers "Fill from parent (192.168.31.0/24 via 192.168.31.1)",
disabled with the reason when there is nothing to fill; a macvlan on Wi-Fi gets the warning.
The panel only asks (signals); the window makes the undoable edit.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QGroupBox, QLabel, QVBoxLayout, QWidget

from netwright.gui.docks.wrap_button import WrapButton
from netwright.gui.model.host_facts import HostFacts, HostNic
from netwright.gui.model.host_warnings import wifi_sentence
from netwright.gui.model.prefill import nic_fill_edits, prefill_for
from netwright.gui.model.snapshot import SUB_INTERFACE_KINDS, Snapshot

WARNING_STYLE = "color: palette(text); background: rgba(242, 153, 0, 50);" \
                " border-left: 3px solid #f29900; padding: 2px 4px;"
NO_FACTS = "No host facts: connect a backend (the lab or netwrightd) to see this host's NICs."


def nic_lines(nic: HostNic) -> list[str]:
    """The facts of one NIC, a line each, for the inspector and the host list's tooltip."""
    lines = [f"{nic.name}: {nic.summary()}"]
    if nic.dns:
        lines.append(f"DNS {', '.join(nic.dns)}")
    if nic.kind or nic.mac:
        lines.append(" ".join(part for part in (nic.kind, nic.mac) if part))
    lines.extend(nic.hints)
    return lines


class HostFactsPanel(QGroupBox):
    """Facts of the selected NIC, or of the selected child's parent, and the fill button."""

    fill_requested = Signal(str)  # a child's key: fill its address and route from its parent
    nic_fill_requested = Signal(str)  # a design NIC's key: take the host's values

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Host facts", parent)
        self.key = ""
        self._nic_fill = False
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        self.facts = QLabel()
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.facts)
        self.warning = QLabel()
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        layout.addWidget(self.warning)
        self.fill_button = WrapButton()
        self.fill_button.clicked.connect(self._on_fill)
        layout.addWidget(self.fill_button)
        self.hide()

    def show_for(self, snapshot: Snapshot, facts: HostFacts | None, key: str | None) -> None:
        """Show what the facts say about ``key`` (hidden for anything else)."""
        self.key = key or ""
        kind = snapshot.kind_of(key) if key else ""
        self.warning.hide()
        if kind == "nic" and key is not None:
            self._show_nic(snapshot, facts, key)
        elif kind in SUB_INTERFACE_KINDS and key is not None:
            self._show_child(snapshot, facts, key, kind)
        else:
            self.hide()
            return
        self.show()

    def _show_nic(self, snapshot: Snapshot, facts: HostFacts | None, key: str) -> None:
        self.setTitle("On this host")
        nic = facts.nic(key) if facts is not None else None
        if facts is None:
            self.facts.setText(NO_FACTS)
        elif nic is None:
            self.facts.setText(f"This host has no NIC named {key} ({facts.where()}).")
        else:
            topology = facts.owned_by_deployment(nic)
            owner = f"\nCreated by the deployed topology {topology}." if topology else ""
            self.facts.setText("\n".join(nic_lines(nic)) + owner)
        edits = nic_fill_edits(snapshot, nic) if nic is not None else []
        self._nic_fill = True
        self.fill_button.setVisible(bool(edits))
        if edits:
            values = ", ".join(str(e.value if not isinstance(e.value, list) else
                                   ", ".join(e.value)) for e in edits)
            self.fill_button.setText(f"Use the host's values ({values})")
            self.fill_button.setEnabled(True)
            self.fill_button.setToolTip(f"write what {key} has on this host into the design")

    def _show_child(self, snapshot: Snapshot, facts: HostFacts | None, key: str,
                    kind: str) -> None:
        self.setTitle("From the parent")
        parent = snapshot.interfaces[key].get("parent")
        nic = facts.nic(parent) if facts is not None else None
        if nic is not None:
            self.facts.setText(nic_lines(nic)[0])
        elif facts is None:
            self.facts.setText(NO_FACTS)
        else:
            self.facts.setText(f"The host's facts do not know {parent or 'a parent'};"
                               " the design's entry is used.")
        if kind == "macvlan" and nic is not None and nic.wifi:
            self.warning.setText(wifi_sentence(key, nic.name))
            self.warning.show()
        prefill = prefill_for(snapshot, facts, key)
        self._nic_fill = False
        label = f" ({prefill.source.label()})" if prefill.source is not None else ""
        self.fill_button.setText(f"Fill from parent{label}")
        self.fill_button.setEnabled(bool(prefill.edits))
        self.fill_button.setToolTip(f"adds {prefill.describe()}" if prefill.edits
                                    else prefill.reason)
        self.fill_button.setVisible(True)

    def _on_fill(self) -> None:
        if self.key:
            (self.nic_fill_requested if self._nic_fill else self.fill_requested).emit(self.key)
