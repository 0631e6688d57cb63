"""Start the designer: ``netwright`` with no command, or ``netwright FILE.yaml``.

The Qt event loop is also the asyncio loop (qasync), so backend calls — D-Bus through
dbus-fast, subprocesses — run without ever blocking the window.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtWidgets import QApplication

from netwright.gui.backend_link import Backend


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="netwright", description="The Netwright designer.")
    parser.add_argument("file", nargs="?", help="a topology file to open (.yaml)")
    parser.add_argument("--example", metavar="NAME",
                        help="start from a bundled example, e.g. seed-ipvlan-l2")
    known, _qt_args = parser.parse_known_args(list(argv))
    return known


def connect_backend() -> Backend | None:
    """The backend the window uses; None until a D-Bus client is installed and answers."""
    return None


def run(argv: list[str]) -> int:
    """Run the designer until its window closes; returns the exit status."""
    from netwright.gui.clipboard import release
    from netwright.gui.files import examples
    from netwright.gui.main_window import MainWindow

    args = parse_arguments(argv)
    QCoreApplication.setOrganizationName("Netwright")
    QCoreApplication.setApplicationName("Netwright")
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "netwright"])
    assert isinstance(app, QApplication)
    app.setDesktopFileName("io.netwright.Netwright")
    app.aboutToQuit.connect(lambda: release(QApplication.clipboard()))
    window = MainWindow(QSettings(), backend=connect_backend())
    if args.file:
        window.open_path(args.file)
    elif args.example:
        match = [p for p in examples() if p.stem == args.example]
        if match:
            window.new_from_example(match[0])
    window.show()
    return _exec(app)


def _exec(app: QApplication) -> int:
    try:
        import qasync
    except ImportError:  # the designer still works; only backend calls need the loop
        return int(app.exec())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        loop.run_until_complete(closed.wait())
    return 0
