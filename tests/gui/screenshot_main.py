"""Child process of the screenshot test: open a topology on a real X server, save the window.

Run as ``python screenshot_main.py TOPOLOGY OUTPUT.png`` with DISPLAY set and
QT_QPA_PLATFORM=xcb. Prints the saved size on success.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from screenshot_window import close_window, new_window, save_window


def main(topology: str, output: str) -> int:
    app = QApplication(["netwright"])
    app.setApplicationName("Netwright")
    window, settings_folder = new_window()
    assert window.open_path(topology), "the topology did not open"
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline and not window.checks.result:
        QTest.qWait(20)  # a real event loop: deferred deletions and layouts settle too
    window.checks_dock.raise_()
    window.go_to_key("ipvlan1")
    matrix = window.checks.matrix
    parent_column = next((c for c in range(matrix.columnCount())
                          if "host NIC" in matrix.target(c)), 0)
    matrix.setCurrentCell(0, parent_column)  # "net1 cannot reach its parent's own IP"
    QTest.qWait(300)
    window.view.fit_all()
    QTest.qWait(500)
    saved, width, height = save_window(window, output)
    if not saved:
        print("could not grab or save the window", file=sys.stderr)
        return 1
    print("saved", width, height, window.checks.heading.text())
    close_window(window, settings_folder)
    return 0


if __name__ == "__main__":
    Path(sys.argv[2]).parent.mkdir(parents=True, exist_ok=True)
    sys.exit(main(sys.argv[1], sys.argv[2]))
