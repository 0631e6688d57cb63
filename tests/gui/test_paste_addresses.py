"""Paste gives the copies free addresses in the same subnets: no duplicate-address error.

Real Ctrl+C / Ctrl+V on the canvas, twice; the document's own validation is the judge.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier


def test_pasted_children_get_free_addresses_in_their_subnet(window: MainWindow,
                                                            seed: Path) -> None:
    assert window.open_path(seed)
    window.scene.select_keys(["net1"])
    window.view.setFocus()
    QApplication.processEvents()
    viewport = window.view.viewport()
    QTest.keyClick(viewport, Qt.Key.Key_C, CTRL)
    QTest.keyClick(viewport, Qt.Key.Key_V, CTRL)
    QTest.keyClick(viewport, Qt.Key.Key_V, CTRL)
    snapshot = window.document.snapshot
    assert {"ipvlan3", "ipvlan4"} <= set(snapshot.interfaces)
    addresses = [str(a) for key in snapshot.interfaces for a in snapshot.addresses_of(key)]
    assert len(addresses) == len(set(addresses)), addresses
    network = ipaddress.ip_network("192.168.31.0/24")
    for key in ("ipvlan3", "ipvlan4"):
        (address,) = snapshot.addresses_of(key)
        interface = ipaddress.ip_interface(address)
        assert interface.network == network
        assert str(interface.ip) not in ("192.168.31.240", "192.168.31.1")  # NIC, gateway
    errors = [p.message for p in window.document.problems if p.severity == "error"]
    assert errors == []
    window.document.undo_stack.undo()
    assert "ipvlan4" not in window.document.snapshot.interfaces
