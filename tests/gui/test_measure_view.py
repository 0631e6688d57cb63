"""Measure throughput… without a backend: where it is offered, what the dialog refuses, and
how a result (the MeasureResult the backend returns, as data) is written on the path and in
the log. The measurement itself, through a real lab, is test_measure_lab.py's."""

from __future__ import annotations

from pathlib import Path

from gestures import menu_entries, right_click, right_click_cell
from PySide6.QtCore import QPointF, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog, QLineEdit

from netwright.backend.measure.result import MeasureResult
from netwright.backend.outcomes.errors import NotDeployed
from netwright.gui.model.measure_text import error_sentence, path_label, result_line
from netwright.gui.window.main import MainWindow
from tests.gui.test_measure_lab import DESIGN


def _result(**fields: object) -> MeasureResult:
    base: dict[str, object] = {
        "topology": "guithru", "source": "a", "target": "b", "address": "10.9.0.2",
        "protocol": "tcp", "seconds": 5.0, "sent_bps": 9.6e6, "received_bps": 9.56e6,
        "retransmits": 0, "configured_rate": 10_000_000}
    base.update(fields)
    return MeasureResult(**base)  # type: ignore[arg-type]


def _open(window: MainWindow, tmp_path: Path) -> None:
    design = tmp_path / "guithru.yaml"
    design.write_text(DESIGN)
    assert window.open_path(design)


def test_the_label_says_rate_and_retransmits_or_loss_and_jitter() -> None:
    assert path_label(_result(received_bps=942e6, configured_rate=None)) == \
        "942 Mbit/s · 0 retransmits"
    udp = _result(protocol="udp", retransmits=None, sent_bps=9.8e6, received_bps=9.78e6,
                  lost_percent=0.2, jitter_ms=0.05, lost_packets=2, packets=1000)
    assert path_label(udp) == "9.78 Mbit/s · 0.2 % loss · 0.05 ms jitter"
    assert result_line(udp) == ("a → b (10.9.0.2, UDP, 5 s): 9.78 Mbit/s · 0.2 % loss · 0.05"
                                " ms jitter (2/1000 datagrams lost); asked 9.8 Mbit/s,"
                                " measured 9.78 Mbit/s")
    slow = _result(protocol="udp", sent_bps=1e6, received_bps=1e6, lost_percent=0.0,
                   requested_bps=1_000_000)
    assert slow.within_tolerance() is True  # 1 Mbit/s sent through 10: 1 Mbit/s asked
    fast = _result(protocol="udp", sent_bps=9.9e6, received_bps=9.9e6, lost_percent=0.0,
                   requested_bps=20_000_000)  # 20 asked, the tbf lets 10 through
    assert fast.expected_bps() == 10e6 and "asked 10 Mbit/s" in result_line(fast)
    assert _result(received_bps=6e6).within_tolerance() is False
    assert error_sentence(NotDeployed("topology guithru is not deployed on this machine"),
                          "guithru", "a", "b") == \
        "'guithru' is not deployed: Apply the design, then measure."
    assert error_sentence(RuntimeError("iperf3: unable to connect to server: No route to"
                                       " host"), "guithru", "a", "b").startswith(
        "b cannot be reached from a: iperf3: unable to connect")
    assert error_sentence(RuntimeError("iperf3 is not installed (apt install iperf3)"),
                          "guithru", "a", "b") == (
        "iperf3 is not installed where the backend runs: install it there (apt install"
        " iperf3), then measure again.")


def test_a_result_is_drawn_on_its_path_and_flagged_outside_tolerance(
        window: MainWindow, tmp_path: Path, seed: Path) -> None:
    _open(window, tmp_path)
    window.show_measurement(_result(received_bps=6e6, retransmits=3))
    wire = window.scene.wires[("peer", "a0", "b0")]
    label = window.measure_label
    assert label is not None and label.wire is wire and label.flagged
    assert window.scene.items(label.sceneBoundingRect().center())[0] is label  # over boxes
    assert label.text == "⚠ 6 Mbit/s · 3 retransmits"
    assert wire.result == "reachable"
    impairment = wire.label  # the wire's "10 Mbit/s": the measurement is drawn below it
    assert impairment is not None
    assert label.sceneBoundingRect().top() >= impairment.sceneBoundingRect().bottom()
    assert ("asked 10 Mbit/s, measured 6 Mbit/s — outside tolerance (±15 %)"
            in window.log.toPlainText())
    window.show_measurement(_result())  # a new one replaces it
    assert window.measure_label is not None and not window.measure_label.flagged
    assert [w for w in window.scene.wires.values() if w.measure_label is not None] == [wire]
    window.scene.select_keys([])
    wire.setSelected(True)
    QTest.keyClick(window.view.viewport(), Qt.Key.Key_Delete)  # the labelled wire goes
    assert ("peer", "a0", "b0") not in window.scene.wires
    assert window.measure_label is None and label.scene() is None
    window.document.undo_stack.undo()
    window.show_measurement(_result())
    assert window.measure_label is not None
    assert window.open_path(seed)  # another document: no measurement on it
    assert window.measure_label is None
    assert all(w.measure_label is None for w in window.scene.wires.values())


def test_a_measurement_stays_under_an_impairment_typed_after_it(
        window: MainWindow, tmp_path: Path) -> None:
    """A wire measured with no impairment, then given a delay in the Inspector: the new
    impairment label was drawn where the measurement's label already sat, half hidden
    under it ("40 ms ±5" behind "50 Mbit/s · 0 % loss"), until the wire was routed anew."""
    _open(window, tmp_path)
    window.scene.select_keys(["a0"])
    rate = window.inspector.editors["impairment.rate"]
    delay = window.inspector.editors["impairment.delay"]
    assert isinstance(rate, QLineEdit) and isinstance(delay, QLineEdit)
    for editor, text in ((rate, ""), (delay, "40ms")):
        editor.setFocus()
        editor.selectAll()
        QTest.keyClick(editor, Qt.Key.Key_Delete)
        QTest.keyClicks(editor, text)
        QTest.keyClick(editor, Qt.Key.Key_Return)
        if editor is rate:
            wire = window.scene.wires[("peer", "a0", "b0")]
            assert wire.label is None
            window.show_measurement(_result(configured_rate=None))
            label = window.measure_label
            assert label is not None and label.wire is wire
    assert window.document.get(("interfaces", "a0", "impairment")) == {"delay": "40ms"}
    impairment = wire.label
    assert impairment is not None and impairment.text.startswith("40 ms")
    assert label.sceneBoundingRect().top() >= impairment.sceneBoundingRect().bottom()


def test_offered_on_namespaces_wires_and_checks_cells_once_deployed(
        window: MainWindow, tmp_path: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    _open(window, tmp_path)
    header = window.scene.nodes["b"].sceneBoundingRect().topLeft() + QPointF(40, 12)
    right_click(window.view, window.view.mapFromScene(header))
    entry = next(a for a in window.context_menu.actions()  # type: ignore[union-attr]
                 if a.text() == "Measure throughput from b…")
    assert not entry.isEnabled() and entry.toolTip().startswith("Apply the design first")
    window.context_menu.hide()  # type: ignore[union-attr]
    wire = window.scene.wires[("peer", "a0", "b0")]
    window.context_menu = None
    right_click(window.view, window.view.mapFromScene(wire.path.pointAtPercent(0.3)))
    assert "Measure throughput a → b…" in menu_entries(window.context_menu)
    window.context_menu.hide()  # type: ignore[union-attr]

    qtbot.waitUntil(lambda: window.checks.matrix.rowCount() > 0)  # the predictions
    right_click_cell(window.checks.matrix, "a", "b/")
    # the cell's menu also checks its row again from a's address (test_check_from_lab.py)
    assert menu_entries(window.checks_menu) == ["Measure throughput a → b…",
                                                "Check from 10.9.0.1 (a0)"]
    assert not window.checks_menu.actions()[0].isEnabled()  # type: ignore[union-attr]


def test_the_dialog_says_why_it_cannot_measure(window: MainWindow, tmp_path: Path) -> None:
    _open(window, tmp_path)
    window.measure_action.trigger()
    dialog = window.measure_dialog
    assert dialog is not None
    assert not dialog.measure_button.isEnabled()
    assert dialog.state.text() == ("No backend is connected: measuring needs netwrightd or"
                                   " the lab.")
    dialog.target.setFocus()
    QTest.keyClick(dialog.target, Qt.Key.Key_Up)  # To: a, as From
    assert dialog.target.currentData() == "a"
    assert dialog.state.text() == "Choose two different namespaces."
    QTest.keyClick(dialog.target, Qt.Key.Key_Down)
    QTest.mouseClick(dialog.udp, Qt.MouseButton.LeftButton)
    assert dialog.bitrate.isEnabled()
    QTest.keyClicks(dialog.bitrate, "fast")
    assert dialog.state.text() == ("'fast' is not a rate: write it with its unit, e.g. 10mbit"
                                   " or 512kbit")
    assert not dialog.measure_button.isEnabled()
    dialog.close()
    # a measurement is kept beside QDialog.result(), the exit code, not over it
    assert dialog.measurement is None and dialog.result() == QDialog.DialogCode.Rejected


def test_a_measurement_stays_under_an_impairment_label_moved_off_a_short_wire(
        window: MainWindow, tmp_path: Path) -> None:
    """On a wire too short for its impairment label, the label goes below the middle: the
    measurement was still drawn at the middle's height plus the label's own height, over it."""
    from netwright.gui.canvas.items import NodeItem
    from netwright.gui.model.document import Edit

    _open(window, tmp_path)
    a = window.scene.nodes["a"]
    gap = 30.0  # b's box right beside a's: a wire shorter than "10 Mbit/s"
    x = a.pos().x() + a.shape().boundingRect().width() + gap
    window.document.apply([Edit(("layout", "b"), {"x": x, "y": a.pos().y()})])
    wire = window.scene.wires[("peer", "a0", "b0")]
    impairment = wire.label
    assert impairment is not None and impairment.isVisible()
    boxes = [item.mapRectToScene(item.shape().boundingRect()) for item in window.scene.items()
             if isinstance(item, NodeItem)]
    assert not [box for box in boxes if box.intersects(impairment.sceneBoundingRect())]
    window.show_measurement(_result())
    label = window.measure_label
    assert label is not None
    assert label.sceneBoundingRect().top() >= impairment.sceneBoundingRect().bottom(), (
        label.sceneBoundingRect(), impairment.sceneBoundingRect())
