"""Typing an IPv6 address with ``nodad`` in the Inspector keeps the flag with its address."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.docks.inspector import list_items
from netwright.gui.window.main import MainWindow


def test_a_typed_nodad_stays_with_its_address(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    window.scene.select_keys(["ipvlan1"])
    QApplication.processEvents()
    field = window.inspector.editors["addresses"]
    field.setFocus()
    QTest.keyClick(field, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(field, "192.168.31.5/24, fd00::5/64 nodad")
    QTest.keyClick(field, Qt.Key.Key_Tab)
    QApplication.processEvents()
    assert list(window.document.get(("interfaces", "ipvlan1", "addresses"))) == [
        "192.168.31.5/24", "fd00::5/64 nodad"]
    assert not [p for p in window.document.problems if p.severity == "error"]


def test_list_items_split_on_commas_or_spaces() -> None:
    assert list_items("10.0.0.1/24 fd00::1/64 nodad,dhcp") == [
        "10.0.0.1/24", "fd00::1/64 nodad", "dhcp"]
