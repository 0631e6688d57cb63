"""A namespace pasted with its interfaces keeps their kernel names: the copy of a container
with ``eth0`` (key ``c1-eth0``, ``name: eth0``) has an ``eth0`` too, so the copied firewall
rule ``in: eth0`` still names it. The names were dropped, and the rule became an error
("names interface 'eth0', which namespace c3 does not have")."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
DESIGN = """netwright: 1
name: names
namespaces:
  c1:
    firewall:
      input: {policy: drop, rules: [{action: accept, in: eth0, proto: tcp, dport: 80}]}
interfaces:
  br0: {kind: bridge, addresses: [10.1.0.1/24]}
  v1: {kind: veth, master: br0, peer: c1-eth0}
  c1-eth0: {kind: veth, name: eth0, namespace: c1, peer: v1, addresses: [10.1.0.2/24]}
"""


def _copy_paste(window: MainWindow, keys: list[str]) -> None:
    window.scene.select_keys(keys)
    window.view.setFocus()
    QApplication.processEvents()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_C, CTRL)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_V, CTRL)
    QApplication.processEvents()


def test_a_pasted_namespace_keeps_its_interfaces_names(window: MainWindow,
                                                       tmp_path: Path) -> None:
    path = tmp_path / "names.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    _copy_paste(window, ["c1"])
    snapshot = window.document.snapshot
    [copy] = [k for k in snapshot.namespaces if k != "c1"]
    [port] = snapshot.interfaces_in(copy)
    assert snapshot.interfaces[port].get("name") == "eth0"
    rule_problems = [p.message for p in window.document.problems
                     if tuple(p.path[:2]) == ("namespaces", copy)]
    assert rule_problems == []


def test_an_interface_pasted_alone_beside_its_original_loses_the_name(
        window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "names.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    _copy_paste(window, ["c1-eth0"])
    snapshot = window.document.snapshot
    [copy] = [k for k in snapshot.interfaces_in("c1") if k != "c1-eth0"]
    assert "name" not in snapshot.interfaces[copy]  # two eth0 in c1 would clash
