"""At 1024x700 the Duplicate and Paste sentences fit the status bar beside the problems and
deployment labels (they ran under them, cut off): shorter, still naming what was made, with
the whole sentence in the Plan / Log dock."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gestures import choose, right_click
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

CTRL = Qt.KeyboardModifier.ControlModifier
# c1 with a veth on docker0 and one to a router, each with a fixed MAC: the longest sentence
DESIGN = """\
netwright: 1
name: dupwords
namespaces:
  c1: {}
  router: {}
interfaces:
  docker0: {kind: bridge, addresses: [172.17.0.1/16]}
  veth-c1: {kind: veth, peer: c1-eth0, master: docker0}
  c1-eth0: {kind: veth, name: eth0, namespace: c1, peer: veth-c1, mac: "02:42:ac:11:00:02",
            addresses: [172.17.0.2/16]}
  c1-uplink: {kind: veth, namespace: c1, peer: router-c1, mac: "02:42:ac:11:00:03",
              addresses: [10.9.0.2/24]}
  router-c1: {kind: veth, namespace: router, peer: c1-uplink, addresses: [10.9.0.1/24]}
layout:
  docker0: {x: -140, y: 20}
  c1: {x: 140, y: -20}
  router: {x: 140, y: 200}
"""


def _open(started: Any, tmp_path: Path) -> MainWindow:
    path = tmp_path / "dupwords.yaml"
    path.write_text(DESIGN)
    window: MainWindow = started(1024, 700, path)
    window.deploy_label.setText("dupwords: not deployed")  # as with a backend connected
    window.backend_label.setText("connected to netwrightd (system bus)")
    QApplication.processEvents()
    return window


def _assert_fits(window: MainWindow, starts: str) -> str:
    """The message shows whole left of the first lasting label (Qt draws it there, 2 px
    before, from 6 px in) and the log has the whole sentence."""
    QApplication.processEvents()
    bar = window.statusBar()
    said = bar.currentMessage()
    assert said.startswith(starts), said
    room = window.bottom_panel.button.x() - 2 - 6
    assert bar.fontMetrics().horizontalAdvance(said) <= room, (said, room)
    [logged] = [line for line in window.log.toPlainText().splitlines()
                if line.startswith(starts.split(" ", maxsplit=1)[0])]
    return logged


def _new_keys(window: MainWindow, before: set[str]) -> list[str]:
    return sorted(set(window.document.snapshot.interfaces) - before)


def test_the_duplicate_sentence_fits_at_1024(started: Any, tmp_path: Path) -> None:
    window = _open(started, tmp_path)
    before = set(window.document.snapshot.interfaces)
    header = window.scene.nodes["c1"].sceneBoundingRect().topLeft() + QPointF(40, 12)
    right_click(window.view, window.view.mapFromScene(header))
    choose(window.context_menu, "Duplicate c1")
    [copy] = [k for k in window.document.snapshot.namespaces if k not in ("c1", "router")]
    logged = _assert_fits(window, f"Duplicated c1 as {copy}")
    assert logged.startswith(f"Duplicated c1 as {copy} and its veths' other ends as ")
    assert "new MACs on" in logged
    said = window.statusBar().currentMessage()
    far = [k for k in _new_keys(window, before)
           if window.document.snapshot.namespace_of(k) != copy]
    assert len(far) == 2 and all(k in said for k in far), (far, said)  # what was made


def test_the_paste_sentence_fits_at_1024(started: Any, tmp_path: Path) -> None:
    window = _open(started, tmp_path)
    before = set(window.document.snapshot.interfaces)
    window.scene.select_keys(["c1"])
    window.view.setFocus()
    for key in (Qt.Key.Key_C, Qt.Key.Key_V):
        QTest.keyClick(window.view.viewport(), key, CTRL)
        QApplication.processEvents()
    [copy] = [k for k in window.document.snapshot.namespaces if k not in ("c1", "router")]
    logged = _assert_fits(window, f"Pasted {copy}")
    assert "the veths' other ends" in logged and "new MACs on" in logged
    said = window.statusBar().currentMessage()
    far = [k for k in _new_keys(window, before)
           if window.document.snapshot.namespace_of(k) != copy]
    assert len(far) == 2 and all(k in said for k in far), (far, said)
