"""The whole designer window — title bar, borders, status bar — fits a small screen (1024×700
and 1024×600), in every state that adds to it. Under a real window manager (openbox on Xvfb):
the title bar it adds is what once pushed the status bar below a 1024×700 screen's edge."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, QSize
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from netwright.gui.window.main import MainWindow
from tests.gui.xserver import running_openbox, running_xvfb

CHILD = Path(__file__).with_name("frame_on_screen.py")
SCREENSHOT = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots" / \
    "small-screen.png"  # the README's packaging/screenshots/netwright-small-screen.png
STATES = ["welcome", "design open", "checks", "plan / log", "live host",
          "long status words"]


def _inside(area: list[int], rect: list[int]) -> bool:
    x, y, width, height = rect
    left, top, area_width, area_height = area
    return x >= left and y >= top and x + width <= left + area_width \
        and y + height <= top + area_height


@pytest.mark.parametrize("height", [700, 600])
def test_the_window_and_its_status_bar_fit_a_small_screen_under_a_window_manager(
        seed: Path, tmp_path: Path, height: int) -> None:
    with running_xvfb(1024, height) as display, running_openbox(display):
        env = {**os.environ, "DISPLAY": display, "QT_QPA_PLATFORM": "xcb",
               "XDG_CONFIG_HOME": str(tmp_path)}
        env.pop("WAYLAND_DISPLAY", None)
        shot = [str(SCREENSHOT)] if height == 700 else []
        child = subprocess.run([sys.executable, str(CHILD), str(seed), str(tmp_path), *shot],
                               env=env, capture_output=True, text=True, timeout=120,
                               check=False)
    assert child.returncode == 0, child.stderr[-3000:]
    reports = [json.loads(line) for line in child.stdout.splitlines()]
    assert [report["state"] for report in reports] == STATES
    for report in reports:
        assert report["area"] == [0, 0, 1024, height], report
        assert report["status_visible"], report
        assert _inside(report["area"], report["frame"]), report
        assert _inside(report["area"], report["status"]), report
    opened = reports[1]  # the design open, as it starts: the canvas keeps most of the window
    _x, _y, width, height_inside = opened["inside"]
    _x, _y, view_width, view_height = opened["viewport"]
    assert not opened["panel_open"], opened
    assert view_width * view_height >= 0.5 * width * height_inside, opened
    if height == 700:
        assert QImage(str(SCREENSHOT)).size() == QSize(1024, 700)


def test_no_state_asks_for_more_than_a_1024x600_screen(qtbot: QtBot, settings: QSettings,
                                                        seed: Path) -> None:
    """What the window's parts ask for at least (docks, toolbar, banner, status bar) leaves
    room for a title bar on a 1024×600 screen; offscreen, so every state is cheap to try."""
    window = MainWindow(settings)
    qtbot.addWidget(window)
    window.resize(1024, 600 - 30)
    window.show()

    def fits(state: str) -> None:
        QApplication.processEvents()
        wanted = window.minimumSizeHint()
        assert wanted.width() <= 1024 and wanted.height() <= 600 - 30, (state, wanted)
        assert window.height() <= 600 - 30, (state, window.size())

    fits("welcome")
    assert window.open_path(seed)
    fits("design open")
    assert not window.bottom_panel.is_open()  # closed on a short window, until needed:
    window.bottom_panel.reveal(window.checks_dock)  # a check's results open it
    fits("checks")
    window.bottom_panel.reveal(window.log_dock)
    fits("plan / log")
    window.live.show_live()
    window.live.document.load_text(seed.read_text())  # as an observation fills it
    window.live.compare_dock.show()
    window.live.compare_dock.raise_()
    window.live.banner.show_text("Live host (lab) — read-only (observed 12:03:41)")
    fits("live host")
    window.deploy_label.setText("deployed from /home/bob/designs/another-design.yaml by bob"
                                " at 12:03 — not this design")
    window.progress_bar.setVisible(True)
    fits("long status words")
    window.document.undo_stack.setClean()
