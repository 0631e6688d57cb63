"""Benchmark (issue 6): the designer with 1,000 namespaces and 1,500 wires.

Targets: open the file, paint the first frame and take a first edit in under 1 s (drawn and
edited from a libyaml read, ``editable_s``; the round-trip document follows from a background
thread, ``fully_read_s``, and the edits made meanwhile are replayed onto it); a
full-scene repaint while panning under 16 ms per frame (60 fps), on Qt's offscreen platform
in a 1600×1000 view.

The targets are checked as ratios to a baseline in the same run (the machine is shared):
``normalised_*_ms`` is our median scaled by 30 ms / the baseline's median, 30 ms being the
issue's measurement of the baseline on an idle machine.

Baseline in the same run: the same number of plain ``QGraphicsRectItem``s and
``QGraphicsLineItem``s (what the issue measured at ~30 ms per repaint for 1,000 nodes),
panned in the same way, so the ratio says what level-of-detail painting and item caching buy
on this machine whatever its speed.

Run::

    tests/tools/run-isolated .venv/bin/python -m pytest tests/bench/bench_gui.py -s
    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_gui.py
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QRectF, QSettings, Qt
from PySide6.QtGui import QPainter
from PySide6.QtWidgets import QApplication, QGraphicsScene, QGraphicsView

if TYPE_CHECKING:
    from netwright.gui.window.main import MainWindow

NAMESPACES = 1000
NICS = 4
VIEW_SIZE = (1600, 1000)
FRAMES = 60
ISSUE_BASELINE_MS = 30.0  # plain items, 1,000 nodes, offscreen 1600×1000: the issue's number
REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "artifacts" / "bench" / "gui.json"


def generated_topology(namespaces: int = NAMESPACES) -> str:
    """N namespaces; each has a macvlan on one of 4 host NICs (N parent wires) and one end of
    a veth pair with its neighbour (N/2 pair wires): 1,500 wires for 1,000 namespaces."""
    lines = ["netwright: 1", f"name: bench{namespaces}", "host:", "  nics:"]
    for k in range(NICS):
        lines += [f"    eth{k}:", f"      addresses: [10.{k}.0.1/16]"]
    lines.append("namespaces:")
    lines += [f"  ns{i}: {{}}" for i in range(namespaces)]
    lines.append("interfaces:")
    for i in range(namespaces):
        k = i % NICS
        lines += [f"  mv{i}:", "    kind: macvlan", f"    parent: eth{k}", "    mode: bridge",
                  f"    namespace: ns{i}",
                  f"    addresses: [10.{k}.{i // 250 + 1}.{i % 250 + 2}/16]"]
        peer = i + 1 if i % 2 == 0 else i - 1
        lines += [f"  ve{i}:", "    kind: veth", f"    peer: ve{peer}", f"    namespace: ns{i}"]
    lines.append("layout:")
    columns = 40
    for k in range(NICS):
        lines.append(f"  eth{k}: {{x: {k * 2400 - 3600}, y: -300}}")
    for i in range(namespaces):
        lines.append(f"  ns{i}: {{x: {(i % columns) * 260 - 5200}, y: {(i // columns) * 160}}}")
    return "\n".join(lines) + "\n"


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def pan_frames(view: QGraphicsView, frames: int = FRAMES) -> list[float]:
    """Pan back and forth, repainting the whole viewport synchronously each frame (ms)."""
    times = []
    for frame in range(frames):
        step = 40 if (frame // 15) % 2 == 0 else -40
        view.horizontalScrollBar().setValue(view.horizontalScrollBar().value() + step)
        times.append(_timed(view.viewport().repaint) * 1000)
    return times


def _summary(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {"median_ms": round(statistics.median(ordered), 2),
            "p95_ms": round(ordered[int(len(ordered) * 0.95) - 1], 2),
            "max_ms": round(ordered[-1], 2)}


def baseline_view(namespaces: int = NAMESPACES) -> QGraphicsView:
    """Plain items: one rect per namespace, one line per wire, default view settings."""
    scene = QGraphicsScene()
    columns = 40
    centres = []
    for i in range(namespaces):
        x, y = (i % columns) * 260 - 5200, (i // columns) * 160
        scene.addRect(QRectF(x - 105, y - 40, 210, 80))
        text = scene.addSimpleText(f"ns{i}")
        text.setPos(x - 95, y - 35)
        centres.append((x, y))
    nics = [(k * 2400 - 3600, -300) for k in range(NICS)]
    for i, (x, y) in enumerate(centres):
        nx, ny = nics[i % NICS]
        scene.addLine(x, y, nx, ny)
        if i % 2 == 0 and i + 1 < len(centres):
            scene.addLine(x, y, *centres[i + 1])
    view = QGraphicsView(scene)
    scene.setParent(view)  # the view does not own its scene; keep it alive with the view
    view.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    view.resize(*VIEW_SIZE)
    return view


@contextmanager
def window_beside(text: str, size: tuple[int, int]) -> Iterator[tuple[MainWindow, Path]]:
    """A designer window shown at ``size`` with settings of its own, and the path of a file
    holding ``text`` (not opened) in a folder that goes with the window."""
    from netwright.gui.window.main import MainWindow

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "design.yaml"
        path.write_text(text)
        settings = QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.resize(*size)
        window.show()
        QApplication.processEvents()
        yield window, path


def run(namespaces: int = NAMESPACES) -> dict[str, object]:
    app = QApplication.instance() or QApplication([])
    from netwright.gui.canvas.view import CanvasView

    with window_beside(generated_topology(namespaces), (1800, 1200)) as (window, path):
        start = time.perf_counter()
        assert window.open_path(path)
        loaded = time.perf_counter()
        window.view.fit_all()
        window.view.viewport().repaint()
        first_paint = time.perf_counter()
        # Editable means an edit goes through now: move a box (one undo step), drawn.
        window.move_nodes(1, {"ns0": (-6000.0, -600.0)})
        window.view.viewport().repaint()
        editable = time.perf_counter()
        assert window.document.undo_stack.count() == 1
        while window.document.is_reading():  # the round-trip parse, in the background
            app.processEvents()
            time.sleep(0.005)
        fully_read = time.perf_counter()
        assert "ns0: {x: -6000, y: -600}" in window.document.render()  # replayed onto it
        scene = window.scene
        assert len(scene.wires) == namespaces + namespaces // 2, len(scene.wires)

        view = CanvasView(scene)
        view.resize(*VIEW_SIZE)
        view.show()
        app.processEvents()
        view.fit_all()
        view.viewport().repaint()
        whole = pan_frames(view)
        view.reset_zoom()
        view.centerOn(0, 400)
        view.viewport().repaint()
        detail = pan_frames(view)

        base = baseline_view(namespaces)
        base.show()
        app.processEvents()
        base.fitInView(base.scene().itemsBoundingRect(), Qt.AspectRatioMode.KeepAspectRatio)
        base.viewport().repaint()
        base_whole = pan_frames(base)

        result: dict[str, object] = {
            "namespaces": namespaces, "wires": len(scene.wires),
            "items": len(scene.items()),
            "open_s": round(loaded - start, 3),
            "open_and_first_paint_s": round(first_paint - start, 3),
            "editable_s": round(editable - start, 3),
            "fully_read_s": round(fully_read - start, 3),
            "pan_whole_scene": _summary(whole),
            "pan_at_100_percent": _summary(detail),
            "baseline_plain_items_pan_whole_scene": _summary(base_whole),
        }
        base_median = statistics.median(base_whole)
        result["ratio_whole_scene_vs_baseline"] = round(statistics.median(whole) / base_median, 3)
        # The issue measured the plain-item baseline at ~30 ms on an idle machine: scaling by
        # it makes the 16 ms target independent of how loaded this (shared) machine is.
        scale = ISSUE_BASELINE_MS / base_median
        result["normalised_pan_whole_scene_ms"] = round(statistics.median(whole) * scale, 2)
        result["normalised_pan_at_100_percent_ms"] = round(statistics.median(detail) * scale, 2)
        result["normalised_open_and_first_paint_s"] = round((first_paint - start) * scale, 3)
        result["normalised_editable_s"] = round((editable - start) * scale, 3)
        window.document.undo_stack.setClean()
        window.close()
        base.close()
        view.close()
    return result


def recorded(path: Path, result: dict[str, object]) -> dict[str, object]:
    """``result`` written to ``path`` (artifacts/bench) and printed; returned."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(result, indent=2) + "\n")
    print("\n" + json.dumps(result, indent=2))
    return result


def test_designer_with_1000_namespaces_and_1500_wires() -> None:
    result = recorded(RESULTS, run())
    assert result["normalised_open_and_first_paint_s"] < 1.0  # type: ignore[operator]
    assert result["normalised_editable_s"] < 1.0  # type: ignore[operator]
    assert result["ratio_whole_scene_vs_baseline"] < 0.6  # type: ignore[operator]
    assert result["normalised_pan_whole_scene_ms"] < 16  # type: ignore[operator]
    assert result["normalised_pan_at_100_percent_ms"] < 16  # type: ignore[operator]


CHECKS_NAMESPACES = 200
CHECKS_RESULTS = REPO / "artifacts" / "bench" / "gui-checks.json"


def _plain_matrix(cells: list[tuple[int, int, str]], rows: int, columns: int) -> None:
    """The baseline: the same cells as bare QTableWidgetItems, sized to their contents."""
    from PySide6.QtWidgets import QTableWidget, QTableWidgetItem

    table = QTableWidget(rows, columns)
    for row, column, text in cells:
        table.setItem(row, column, QTableWidgetItem(text))
    table.resizeColumnsToContents()
    table.resizeRowsToContents()


def run_checks_matrix(namespaces: int = CHECKS_NAMESPACES, repeats: int = 3) -> dict[str, object]:
    """The Checks dock drawing the result of a check of ``namespaces`` namespaces on one
    bridge (a prediction of the same shape as a measurement), against the same cells as
    plain QTableWidgetItems."""
    app = QApplication.instance() or QApplication([])
    from netwright.gui.canvas.theme import make_theme
    from netwright.gui.docks.checks import ChecksView
    from netwright.gui.link.predictions import predict
    from netwright.gui.model.document import TopologyDocument
    from tests.gui.star_design import star_topology

    document = TopologyDocument()
    document.load_text(star_topology(namespaces))
    result = predict(document)
    view = ChecksView(make_theme(False))
    view.resize(900, 300)
    view.show()
    app.processEvents()
    drawn = [_timed(lambda: view.show_result(result, measured=False)) for _ in range(repeats)]
    matrix = view.matrix
    cells = [(row, column, matrix.text(row, column))
             for row in range(matrix.rowCount()) for column in range(matrix.columnCount())
             if matrix.pair_at(row, column) is not None]
    plain = [_timed(lambda: _plain_matrix(cells, matrix.rowCount(), matrix.columnCount()))
             for _ in range(repeats)]
    view.close()
    return {"namespaces": namespaces, "cells": len(cells),
            "draw_s": round(statistics.median(drawn), 3),
            "baseline_plain_items_s": round(statistics.median(plain), 3),
            "ratio_vs_baseline": round(statistics.median(drawn) / statistics.median(plain), 2)}


def test_checks_matrix_of_200_namespaces() -> None:
    result = recorded(CHECKS_RESULTS, run_checks_matrix())
    # every cell's explanation written up front: 6.5x the plain items (3.3-8.6 s); without
    # them 2.4-4.1x on a machine at load 2-4 (each cell still keeps its pair and colour);
    # each cell an index into the pairs, copied from one item per look: 0.9x (1.1-1.6x at
    # load 4); a model read as Qt draws the cells in view (no item per cell): 0.06-0.12x
    assert result["ratio_vs_baseline"] < 0.5  # type: ignore[operator]


CHECK_RESULTS = REPO / "artifacts" / "bench" / "gui-check.json"


def measured(prediction: dict[str, Any]) -> dict[str, Any]:
    """A prediction as a Check's report would carry it: each pair observed as predicted."""
    pairs = [{**pair, "observed": {"verdict": (pair.get("predicted") or {}).get("verdict")},
              "match": True} for pair in prediction["pairs"]]
    return {**prediction, "probed": True, "pairs": pairs}


def run_check_arrival(namespaces: int = CHECKS_NAMESPACES, repeats: int = 3) -> dict[str, object]:
    """What the designer does with a Check's report of ``namespaces`` namespaces on one
    bridge once the backend has sent it (decode, draw the matrix, its heading, the log),
    against what ``netwright check`` does with the same report in this process (decode,
    CheckResult.from_json, render the text it prints): the backend's probing is the same
    for both and is left out."""
    app = QApplication.instance() or QApplication([])
    from netwright.backend.checks.render import render
    from netwright.backend.checks.results import CheckResult
    from netwright.gui.link.predictions import predict
    from tests.gui.star_design import star_topology

    with window_beside(star_topology(namespaces), (1600, 1000)) as (window, path):
        assert window.open_path(path)
        app.processEvents()
        report = json.dumps(measured(predict(window.document)))

        def designer() -> None:
            window._on_backend_started("Check")
            window._on_backend_finished("Check", json.loads(report))
            app.processEvents()  # the matrix and the dock painted

        def command_line() -> None:
            render(CheckResult.from_json(json.loads(report)))

        drawn = [_timed(designer) for _ in range(repeats)]
        printed = [_timed(command_line) for _ in range(repeats)]
        assert window.checks.heading.text().startswith("Measured: "), window.checks.heading.text()
        pairs = len(window.checks.result["pairs"])
        window.document.undo_stack.setClean()
        window.close()
    return {"namespaces": namespaces, "pairs": pairs,
            "designer_s": round(statistics.median(drawn), 3),
            "command_line_s": round(statistics.median(printed), 3),
            "ratio_vs_command_line": round(statistics.median(drawn) / statistics.median(printed),
                                           2)}


def test_a_check_of_200_namespaces_arriving_in_the_designer() -> None:
    result = recorded(CHECK_RESULTS, run_check_arrival())
    # each cell holding its pair (a Python dict) and setting its own alignment and colour:
    # 1.8x the command line's work (1.65 s); cells holding an index, copied from one item
    # per look: 0.74x (0.78 s); a model instead of items: 0.35-0.71x (0.44-0.86 s at load
    # 4, of which the JSON decode ~0.3 s)
    assert result["ratio_vs_command_line"] < 1.2  # type: ignore[operator]


if __name__ == "__main__":
    count = int(sys.argv[1]) if len(sys.argv) > 1 else NAMESPACES
    print(json.dumps(run(count), indent=2))
