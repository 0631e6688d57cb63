"""Child process of the screenshot test: the welcome state, then the OpenStack example after
Arrange Automatically, on a real X server.

Run as ``python screenshot_layout.py WELCOME.png ARRANGED.png`` with DISPLAY set and
QT_QPA_PLATFORM=xcb. Prints what it saw (welcome shown, the readability counts, the zoom).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from PySide6.QtGui import QFontInfo
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from screenshot_window import close_window, new_window, save_window


def main(welcome: str, arranged: str) -> int:
    app = QApplication(["netwright"])
    app.setApplicationName("Netwright")
    from netwright.gui.canvas.items import _LABEL_FONT
    from netwright.gui.canvas.metrics import measure_scene
    from netwright.gui.model.files import examples

    window, settings_folder = new_window()
    QTest.qWait(600)
    shown = window.welcome.isVisible()
    if not save_window(window, welcome)[0]:
        print("could not grab the welcome state", file=sys.stderr)
        return 1
    example = next(p for p in examples() if p.stem == "openstack-linuxbridge")
    window.new_from_example(example)
    QTest.qWait(200)
    window.move_nodes(1, {"br-int": (0.0, 0.0)})  # disturb it: Arrange must put it back
    assert window.arrange(), "Arrange Automatically failed"
    window.view.fit_all()
    QTest.qWait(500)
    if not save_window(window, arranged)[0]:
        print("could not grab the arranged example", file=sys.stderr)
        return 1
    report = {"welcome_shown": shown, "welcome_after": window.welcome.isVisible(),
              **measure_scene(window.scene).as_dict(),
              "label_px_at_fit": round(window.view.zoom()
                                       * QFontInfo(_LABEL_FONT).pixelSize(), 1)}
    print(json.dumps(report))
    close_window(window, settings_folder)
    return 0


if __name__ == "__main__":
    Path(sys.argv[2]).parent.mkdir(parents=True, exist_ok=True)
    sys.exit(main(sys.argv[1], sys.argv[2]))
