"""Child process of the screenshot test: open a topology on a real X server, save the window.

Run as ``python screenshot_main.py TOPOLOGY OUTPUT.png`` with DISPLAY set and
QT_QPA_PLATFORM=xcb. Prints the saved size on success.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtCore import QSettings, QTemporaryDir
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication


def main(topology: str, output: str) -> int:
    app = QApplication(["netwright"])
    app.setApplicationName("Netwright")
    from netwright.gui.window.main import MainWindow

    settings_dir = QTemporaryDir()
    settings = QSettings(settings_dir.filePath("netwright.ini"), QSettings.Format.IniFormat)
    window = MainWindow(settings)
    window.resize(1600, 1000)
    window.show()
    assert window.open_path(topology), "the topology did not open"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not window.checks.result:
        QTest.qWait(20)  # a real event loop: deferred deletions and layouts settle too
    window.checks_dock.raise_()
    window.go_to_key("ipvlan1")
    matrix = window.checks.matrix
    parent_column = next((c for c in range(matrix.columnCount())
                          if "host NIC" in matrix.horizontalHeaderItem(c).text()), 0)
    matrix.setCurrentCell(0, parent_column)  # "net1 cannot reach its parent's own IP"
    QTest.qWait(300)
    window.view.fit_all()
    QTest.qWait(500)
    screen = window.screen()
    image = screen.grabWindow(window.winId())
    if image.isNull() or not image.save(output, "PNG"):
        print("could not grab or save the window", file=sys.stderr)
        return 1
    print("saved", image.width(), image.height(), window.checks.heading.text())
    window.document.undo_stack.setClean()
    window.close()
    return 0


if __name__ == "__main__":
    Path(sys.argv[2]).parent.mkdir(parents=True, exist_ok=True)
    sys.exit(main(sys.argv[1], sys.argv[2]))
