"""The window follows the system palette: a dark desktop gets dark boxes and background, and
the Checks dock's cells the dark theme's colours."""

from __future__ import annotations

import asyncio
from pathlib import Path

from gestures import select_unrouted_cell
from live_view import compare_live_host
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from netwright.gui.canvas.live_scene import mark_colour
from netwright.gui.canvas.theme import make_theme
from netwright.gui.docks.checks import CheckMatrix
from netwright.gui.docks.compare import KIND_ROLE
from netwright.gui.docks.palette import kind_icon
from netwright.gui.window.main import MainWindow


def _dark_palette() -> QPalette:
    dark = QPalette()
    for role, colour in ((QPalette.ColorRole.Window, QColor(0x2b, 0x2b, 0x2b)),
                         (QPalette.ColorRole.WindowText, QColor("white")),
                         (QPalette.ColorRole.Base, QColor(0x20, 0x20, 0x20)),
                         (QPalette.ColorRole.Text, QColor("white"))):
        dark.setColor(role, colour)
    return dark


def test_switching_to_a_dark_palette_repaints_the_canvas_dark(window: MainWindow,
                                                             qtbot: QtBot) -> None:
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    assert not window.theme.dark
    dark = _dark_palette()
    try:
        app.setPalette(dark)
        qtbot.waitUntil(lambda: window.theme.dark, timeout=2000)
        assert window.scene.theme.dark
        assert window.view.backgroundBrush().color().lightness() < 80
    finally:
        app.setPalette(original)
    qtbot.waitUntil(lambda: not window.theme.dark, timeout=2000)


def _drawn(matrix: CheckMatrix, row: int, column: int) -> QColor:
    """The colour drawn a quarter into the cell (clear of its mark and focus frame)."""
    rect = matrix.cell_rect(row, column)
    point = QPoint(rect.left() + rect.width() // 4, rect.center().y())
    return matrix.viewport().grab().toImage().pixelColor(point)


def test_the_checks_dock_follows_a_dark_palette_without_rebuilding(
        window: MainWindow, seed: Path, qtbot: QtBot) -> None:
    """The cells take the dark theme's colours, drawn as a fresh drawing in it would be; the
    check result, the current cell, its explanation and fix and the path it shows on the
    canvas stay (in the dark theme's colours), with no new drawing of the matrix."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    assert window.open_path(seed)
    select_unrouted_cell(qtbot, window, "net2")
    checks, matrix = window.checks, window.checks.matrix
    current = matrix.currentIndex()
    why = checks.explanation.toPlainText()
    assert why and checks.fix_bar.isVisible()
    other = next((r, c) for r in range(matrix.rowCount()) for c in range(matrix.columnCount())
                 if matrix.pair_at(r, c) and (r, c) != (current.row(), current.column()))
    on_path = [w for w in window.scene.wires.values() if w.result == "unreachable"]
    assert on_path  # the current cell's path, red on the canvas
    resets: list[int] = []
    matrix.cells.modelReset.connect(lambda: resets.append(1))
    dark = make_theme(True)
    try:
        app.setPalette(_dark_palette())
        qtbot.waitUntil(lambda: window.theme.dark, timeout=2000)
        QApplication.processEvents()
        cell = matrix.model().data(matrix.cells.index(*other), Qt.ItemDataRole.BackgroundRole)
        assert cell.color().rgb() == dark.unreachable.rgb()
        assert cell.color().alpha() == 70  # still a prediction's tint
        followed = _drawn(matrix, *other)
        assert resets == [] and matrix.currentIndex() == current
        assert checks.explanation.toPlainText() == why and checks.fix_bar.isVisible()
        assert all(window.scene.wire_layer.colour(w) == dark.unreachable for w in on_path)
        checks.show_result(dict(checks.result), measured=False)  # drawn anew in the dark
        QApplication.processEvents()
        assert _drawn(matrix, *other) == followed
    finally:
        app.setPalette(original)
    qtbot.waitUntil(lambda: not window.theme.dark, timeout=2000)


def test_the_palette_and_the_live_view_follow_a_dark_palette(
        window: MainWindow, seed: Path, qtbot: QtBot, loop: asyncio.AbstractEventLoop) -> None:
    """The palette's icons take the dark kind colours the canvas uses; the live host's
    picture and the Compare dock's rows (missing, extra) the dark theme's, in place."""
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    original = app.palette()
    assert window.open_path(seed)
    compare_live_host(window, loop)
    live = window.live
    rows = live.compare_view.rows
    assert rows.count() > 1
    dark = make_theme(True)
    try:
        app.setPalette(_dark_palette())
        qtbot.waitUntil(lambda: window.theme.dark, timeout=2000)
        palette = window.palette_list
        for row in range(palette.count()):
            item = palette.item(row)
            kind = item.data(Qt.ItemDataRole.UserRole)
            assert item.icon().pixmap(22, 22).toImage() == \
                kind_icon(dark, kind).pixmap(22, 22).toImage(), kind
        assert live.scene.theme.dark and window.scene.theme.dark
        for i in range(rows.count()):
            row = rows.item(i)
            assert row.foreground().color() == mark_colour(dark, row.data(KIND_ROLE))
    finally:
        app.setPalette(original)
    qtbot.waitUntil(lambda: not window.theme.dark, timeout=2000)


def test_the_application_has_its_icon_and_app_id(qapp) -> None:  # type: ignore[no-untyped-def]
    from netwright.gui.app import APP_ID, ICON_FILE, application_icon

    assert ICON_FILE.is_file() and APP_ID == "io.netwright.Netwright"
    icon = application_icon()
    assert not icon.isNull() and not icon.pixmap(48, 48).isNull()
