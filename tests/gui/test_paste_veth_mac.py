"""Copy and paste of a container namespace copies the other end of its veth too, as Duplicate
does (the pasted copy began with a "needs peer" error), and no copy keeps its original's fixed
MAC (two interfaces with one MAC on one bridge): each gets a fresh locally administered one,
the copied port's anti-spoofing MAC follows it, and the status bar says so."""

from __future__ import annotations

from pathlib import Path

from gestures import choose, right_click
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
DESIGN = """\
netwright: 1
name: pastemac
namespaces:
  c1: {}
interfaces:
  docker0: {kind: bridge, addresses: [172.17.0.1/16]}
  veth-c1:
    kind: veth
    peer: c1-eth0
    master: docker0
    port-firewall:
      anti-spoofing: {mac: "02:42:ac:11:00:02", ips: [172.17.0.2]}
  c1-eth0:
    kind: veth
    name: eth0
    namespace: c1
    peer: veth-c1
    mac: "02:42:ac:11:00:02"
    addresses: [172.17.0.2/16]
layout:
  docker0: {x: -140, y: 20}
  c1: {x: 140, y: -20}
"""


def _open(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "pastemac.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    assert [p.message for p in window.document.problems if p.severity == "error"] == []


def _errors(window: MainWindow) -> list[str]:
    return [f"{p.code} {p.path}: {p.message}" for p in window.document.problems
            if p.severity == "error"]


def _check_copy(window: MainWindow, before_interfaces: set[str]) -> tuple[str, str]:
    snapshot = window.document.snapshot
    new = [k for k in snapshot.interfaces if k not in before_interfaces]
    assert len(new) == 2, new
    [port] = [k for k in new if snapshot.interfaces[k].get("master") == "docker0"]
    [near] = [k for k in new if k != port]
    assert snapshot.interfaces[port]["peer"] == near
    assert snapshot.interfaces[near]["peer"] == port
    mac = str(snapshot.interfaces[near]["mac"])
    assert mac.lower() != "02:42:ac:11:00:02"
    assert int(mac[:2], 16) & 0b11 == 0b10  # locally administered, unicast
    spoofing = snapshot.interfaces[port]["port-firewall"]["anti-spoofing"]
    assert spoofing["mac"] == mac
    return port, near


def test_paste_copies_the_veths_other_end_and_a_fresh_mac(window: MainWindow,
                                                          tmp_path: Path) -> None:
    _open(window, tmp_path)
    before = window.document.snapshot
    window.scene.select_keys(["c1"])
    window.view.setFocus()
    QApplication.processEvents()
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_C, CTRL)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_V, CTRL)
    QApplication.processEvents()

    assert _errors(window) == []  # no "needs peer"
    port, near = _check_copy(window, set(before.interfaces))
    said = window.statusBar().currentMessage()
    copy = next(k for k in window.document.snapshot.namespaces if k != "c1")
    assert said == f"Pasted {copy}, its veth's other end {port} on docker0; new MAC on {near}"

    window.undo_action.trigger()  # one step
    assert set(window.document.snapshot.interfaces) == set(before.interfaces)


def test_duplicate_gives_a_fresh_mac_too(window: MainWindow, tmp_path: Path) -> None:
    _open(window, tmp_path)
    before = window.document.snapshot
    header = window.scene.nodes["c1"].sceneBoundingRect().topLeft() + QPointF(40, 12)
    right_click(window.view, window.view.mapFromScene(header))
    choose(window.context_menu, "Duplicate c1")
    assert _errors(window) == []
    _port, near = _check_copy(window, set(before.interfaces))
    assert window.statusBar().currentMessage().endswith(f"; new MAC on {near}")
