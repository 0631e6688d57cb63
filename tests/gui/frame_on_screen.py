"""Child process of test_small_screen.py: the designer started as ``netwright`` starts it (the
frame shown first, the designer held inside), on the X server in $DISPLAY, then taken through
the states that add to the window (a design open, the Checks and Plan / Log docks, the live
host's banner, long status bar words). Prints one JSON line per state: the screen's available
area, the window's frame, its inside (what the window manager's frame holds), the status bar
and the canvas's viewport, in screen coordinates ([x, y, width, height]), and whether the
bottom panel is open. With SCREENSHOT, the whole screen is saved there once the design is
open.

Usage: frame_on_screen.py DESIGN.yaml SETTINGS_DIR [SCREENSHOT.png]
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from PySide6.QtCore import QPoint, QRect, QSettings
from PySide6.QtWidgets import QApplication, QWidget


def _rect(rect: QRect) -> list[int]:
    return [rect.x(), rect.y(), rect.width(), rect.height()]


def _settle(app: QApplication, seconds: float = 0.3) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)


def _on_screen(widget: QWidget) -> list[int]:
    return _rect(QRect(widget.mapToGlobal(QPoint(0, 0)), widget.size()))


def _report(state: str, frame: QWidget, status: QWidget) -> None:
    area = frame.screen().availableGeometry()
    window = frame.designer
    print(json.dumps({"state": state, "area": _rect(area), "frame": _rect(frame.frameGeometry()),
                      "inside": _rect(frame.geometry()), "status": _on_screen(status),
                      "status_visible": status.isVisible(),
                      "viewport": _on_screen(window.view.viewport()),
                      "panel_open": window.bottom_panel.is_open()}), flush=True)


def main(design: str, settings_dir: str, screenshot: str = "") -> int:
    app = QApplication(["netwright"])
    from netwright.gui.window.startup import StartupFrame

    frame = StartupFrame()
    frame.show_now(app)
    from netwright.gui.window.main import MainWindow

    window = MainWindow(QSettings(f"{settings_dir}/netwright.ini", QSettings.Format.IniFormat))
    frame.hold(window)
    status = window.statusBar()
    _settle(app)
    _report("welcome", frame, status)
    window.open_path(design)
    _settle(app)
    _report("design open", frame, status)
    if screenshot:
        Path(screenshot).parent.mkdir(parents=True, exist_ok=True)
        if not frame.screen().grabWindow(0).save(screenshot, "PNG"):
            print(f"could not save {screenshot}", file=sys.stderr)
            return 1
    # the bottom panel starts closed on a small screen: a check's results and an apply's
    # log open it, on their dock
    window.bottom_panel.reveal(window.checks_dock)
    _settle(app, 0.1)
    _report("checks", frame, status)
    window.bottom_panel.reveal(window.log_dock)
    _settle(app, 0.1)
    _report("plan / log", frame, status)
    window.live.show_live()  # the live host's view, its banner and its Observed dock
    window.live.document.load_text(Path(design).read_text())  # as an observation fills it
    window.live.compare_dock.show()
    window.live.compare_dock.raise_()
    window.live.banner.show_text("Live host (lab) — read-only (observed 12:03:41) · 3 left out"
                                 " (see Plan / Log)")
    _settle(app, 0.1)
    _report("live host", frame, status)
    window.deploy_label.setText("deployed from /home/bob/designs/another-design.yaml by bob at"
                                " 12:03 — not this design")
    window.backend_label.setText("Lab — nothing you do here touches this machine")
    window.progress_bar.setVisible(True)
    window.cancel_button.setVisible(True)
    _settle(app, 0.1)
    _report("long status words", frame, status)
    window.document.undo_stack.setClean()
    frame.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:4]))
