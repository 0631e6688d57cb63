"""Measure throughput… in the designer, against a real lab backend: the sentence before Apply,
then a right-click on a namespace, the dialog driven by clicks and keys, iperf3 in the lab
through a tbf rate limit, and the result on the canvas's path within tolerance of the limit.

One lab for the whole story (starting one costs ~2 s): not deployed, unreachable, TCP, UDP,
Cancel (of a 30 s run, at once) and a run right after it, the Checks dock's entry. Each
measurement runs for 1 s, the shortest iperf3 takes.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

from gestures import choose, menu_entries, right_click, right_click_cell
from lab_waits import idle
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest

from netwright.backend.measure.result import TOLERANCE
from netwright.gui.dialogs.measure import MeasureDialog
from netwright.gui.window.main import MainWindow
from tests.tools.rate_limited import LIMIT, rate_limited_design

#: Besides a and b: namespace c, on a subnet a has no route to.
DESIGN = rate_limited_design("guithru").replace(
    "namespaces: {a: {}, b: {}}", "namespaces: {a: {}, b: {}, c: {}}") + (
    "  c0: {kind: veth, peer: c1, namespace: c, addresses: [10.9.7.1/24]}\n"
    "  c1: {kind: veth, peer: c0, namespace: c, addresses: [10.9.7.2/24]}\n")


async def _until(condition, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def _open_from_namespace(window: MainWindow, namespace: str) -> MeasureDialog:
    """Right-click the namespace's header on the canvas, choose Measure throughput."""
    header = window.scene.nodes[namespace].sceneBoundingRect().topLeft() + QPointF(40, 12)
    window.context_menu = None
    right_click(window.view, window.view.mapFromScene(header))
    entry = f"Measure throughput from {namespace}…"
    assert entry in menu_entries(window.context_menu)
    choose(window.context_menu, entry)
    assert window.measure_dialog is not None
    return window.measure_dialog


def _type_seconds(dialog: MeasureDialog, text: str) -> None:
    dialog.seconds.setFocus()
    dialog.seconds.selectAll()
    QTest.keyClicks(dialog.seconds, text)
    QTest.keyClick(dialog.seconds, Qt.Key.Key_Tab)
    assert dialog.seconds.value() == float(text)


def _one_second(dialog: MeasureDialog) -> None:
    _type_seconds(dialog, "1")


def _measure(dialog: MeasureDialog, loop: asyncio.AbstractEventLoop) -> None:
    QTest.mouseClick(dialog.measure_button, Qt.MouseButton.LeftButton)
    assert dialog.running() and dialog.cancel_button.isVisible()
    loop.run_until_complete(_until(lambda: not dialog.running()))
    assert dialog.measurement is not None, dialog.error


def _rate(text: str) -> float:
    value, unit = re.match(r"(?:⚠ )?([\d.]+) ([kMG]?)bit/s", text).groups()  # type: ignore[union-attr]
    return float(value) * {"": 1, "k": 1e3, "M": 1e6, "G": 1e9}[unit]


def test_measure_a_rate_limited_path_from_the_canvas(window: MainWindow, own_lab: Path,
                                                     tmp_path: Path,
                                                     loop: asyncio.AbstractEventLoop) -> None:
    design = tmp_path / "guithru.yaml"
    design.write_text(DESIGN)
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    assert window.open_path(design)
    loop.run_until_complete(idle(window))

    window.measure_action.trigger()  # Topology ▸ Measure Throughput…, before Apply
    dialog = window.measure_dialog
    assert dialog is not None
    assert (dialog.source.currentData(), dialog.target.currentData()) == ("a", "b")
    assert dialog.target.currentText() == "b — b0 10.9.0.2/24"
    _one_second(dialog)
    QTest.mouseClick(dialog.measure_button, Qt.MouseButton.LeftButton)
    loop.run_until_complete(_until(lambda: not dialog.running()))
    assert dialog.error == "'guithru' is not deployed: Apply the design, then measure."
    assert dialog.state.text() == dialog.error
    assert f"Measure: {dialog.error}" in window.log.toPlainText()
    QTest.mouseClick(dialog.close_button, Qt.MouseButton.LeftButton)

    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    assert window.deploy_label.text() == "deployed", window.log.toPlainText()

    dialog = _open_from_namespace(window, "a")
    assert (dialog.source.currentData(), dialog.target.currentData()) == ("a", "b")
    _one_second(dialog)
    dialog.target.setFocus()
    QTest.keyClick(dialog.target, Qt.Key.Key_Down)  # To: c, which a cannot reach
    assert dialog.target.currentData() == "c"
    QTest.mouseClick(dialog.measure_button, Qt.MouseButton.LeftButton)
    loop.run_until_complete(_until(lambda: not dialog.running()))
    assert dialog.error.startswith("c cannot be reached from a: iperf3: unable to connect"
                                   " to server"), dialog.error
    assert dialog.error.endswith("Check (F6) shows which pairs reach each other, and why.")
    QTest.keyClick(dialog.target, Qt.Key.Key_Up)  # back to b
    _measure(dialog, loop)
    label = window.measure_label
    assert label is not None and label.scene() is window.scene
    # counts group thousands ("1,472 retransmits")
    assert re.fullmatch(r"(⚠ )?[\d.]+ [kM]?bit/s · \d{1,3}(,\d{3})* retransmits?",
                        label.text), label.text
    # TCP's first second is slow start and tbf's drops: never above the limit, and near it
    # on a quiet machine; UDP below shows the limit within tolerance
    assert LIMIT / 4 < _rate(label.text) <= (1 + TOLERANCE) * LIMIT, label.text
    assert label.wire is window.scene.wires[("peer", "a0", "b0")]
    assert window.scene.wires[("peer", "a0", "b0")].result == "reachable"
    log = window.log.toPlainText()
    assert "Measure a → b (10.9.0.2, TCP, 1 s):" in log and "asked 10 Mbit/s, measured" in log

    dialog.udp.click()  # UDP asked at twice the limit: the tbf on a0 lets 10 Mbit/s through
    QTest.keyClicks(dialog.bitrate, "20mbit")
    _measure(dialog, loop)
    label = window.measure_label
    assert label is not None and "% loss ·" in label.text and label.text.endswith("ms jitter")
    assert abs(_rate(label.text) - LIMIT) <= TOLERANCE * LIMIT, label.text
    udp_line = window.log.toPlainText().splitlines()[-1]
    assert udp_line.startswith("Measure a → b (10.9.0.2, UDP, 1 s):"), udp_line
    assert "asked 10 Mbit/s, measured" in udp_line and not label.flagged
    assert dialog.measurement is not None and dialog.measurement.protocol == "udp"

    dialog.tcp.click()  # Cancel stops the backend's iperf3: the next run needs its port
    _type_seconds(dialog, "30")
    QTest.mouseClick(dialog.measure_button, Qt.MouseButton.LeftButton)
    loop.run_until_complete(_until(lambda: dialog.job is not None))
    loop.run_until_complete(asyncio.sleep(0.5))  # sending
    QTest.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    loop.run_until_complete(_until(lambda: not dialog.running(), timeout=5))
    assert dialog.measurement is None
    assert dialog.error == "Cancelled: nothing measured; the backend stopped iperf3."
    assert dialog.measure_button.isVisible() and not dialog.cancel_button.isVisible()
    _one_second(dialog)
    _measure(dialog, loop)  # at once, on the same port
    _type_seconds(dialog, "30")  # Escape closes the dialog as Close does: cancelled too
    QTest.mouseClick(dialog.measure_button, Qt.MouseButton.LeftButton)
    loop.run_until_complete(_until(lambda: dialog.job is not None))
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    loop.run_until_complete(_until(lambda: not dialog.running(), timeout=5))
    assert dialog.error == "Cancelled: nothing measured; the backend stopped iperf3."
    dialog.close()

    right_click_cell(window.checks.matrix, "a", "b/")  # a cell of the Checks dock
    choose(window.checks_menu, "Measure throughput a → b…")
    assert window.measure_dialog is not None and window.measure_dialog is not dialog
    assert window.measure_dialog.isVisible()
    assert (window.measure_dialog.source.currentData(),
            window.measure_dialog.target.currentData()) == ("a", "b")
