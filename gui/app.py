"""Start the designer: ``netwright`` with no command, or ``netwright FILE.yaml``.

The Qt event loop is also the asyncio loop (qasync), so backend calls — D-Bus through
dbus-fast, subprocesses — run without ever blocking the window. asyncio is imported with the
designer, after the window is up.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QSettings
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication

from netwright.gui.window.startup import StartupFrame

if TYPE_CHECKING:
    from netwright.gui.window.main import MainWindow


def parse_arguments(argv: Sequence[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="netwright", description="The Netwright designer.")
    parser.add_argument("file", nargs="?", help="a topology file to open (.yaml)")
    parser.add_argument("--example", metavar="NAME",
                        help="start from a bundled example, e.g. seed-ipvlan-l2")
    parser.add_argument("--offline", action="store_true",
                        help="do not connect to a backend (design only)")
    known, _qt_args = parser.parse_known_args(list(argv))
    return known


APP_ID = "io.netwright.Netwright"  # the .desktop file's name and the icon's, as installed
ICON_FILE = Path(__file__).with_name("resources") / f"{APP_ID}.svg"


def application_icon() -> QIcon:
    """The installed theme icon when there is one, else the SVG shipped with the package."""
    return QIcon.fromTheme(APP_ID, QIcon(str(ICON_FILE)))


EXIT_NO_DISPLAY = 2


_ELSEWHERE = ("start it from a desktop session, or over SSH with 'ssh -X'; the commands work"
              " here too (netwright --help)")


def no_display(argv: Sequence[str]) -> str:
    """Why no window can open in this session, in words ("" when one can): without a
    display Qt aborts with "no Qt platform plugin could be initialized. Reinstalling the
    application may fix this problem", which sends a user over SSH the wrong way; it does
    the same when DISPLAY names an X server that is not there (a stale or copied DISPLAY)."""
    if "-platform" in argv or QApplication.instance() is not None:
        return ""
    if os.environ.get("WAYLAND_DISPLAY") or os.environ.get("QT_QPA_PLATFORM"):
        return ""
    display = os.environ.get("DISPLAY", "")
    if not display:
        return ("the designer needs a graphical display, and this session has none (neither"
                f" DISPLAY nor WAYLAND_DISPLAY is set): {_ELSEWHERE}")
    if x_server_absent(display):
        return (f"the designer cannot reach the display DISPLAY={display}: no X server"
                f" answers there; {_ELSEWHERE}")
    return ""


def x_server_absent(display: str) -> bool:
    """Whether nothing listens at X display ``display`` (":0", "unix:0", "localhost:10.0"):
    its socket under /tmp/.X11-unix (or the abstract one), or TCP port 6000 + n. A form
    this does not read is left to Qt."""
    import socket

    host, _, rest = display.rpartition(":")
    number = rest.split(".", 1)[0]
    if not number.isdigit() or "/" in host:
        return False
    if host not in ("", "unix"):
        try:
            socket.create_connection((host, 6000 + int(number)), timeout=2).close()
        except OSError:
            return True
        return False
    for address in (f"/tmp/.X11-unix/X{number}", f"\0/tmp/.X11-unix/X{number}"):
        with socket.socket(socket.AF_UNIX) as sock:
            sock.settimeout(2)
            try:
                sock.connect(address)
            except OSError:
                continue
            return False
    return True


def run(argv: list[str]) -> int:
    """Run the designer until its window closes; returns the exit status.

    The window is up before the designer is loaded: a frame (window/startup.py) is shown
    and painted first, then the designer is imported and built inside it.
    """
    args = parse_arguments(argv)
    missing = no_display(argv)
    if missing:
        print(f"netwright: {missing}", file=sys.stderr)
        return EXIT_NO_DISPLAY
    QCoreApplication.setOrganizationName("Netwright")
    QCoreApplication.setApplicationName("Netwright")
    app = QApplication.instance() or QApplication([sys.argv[0] if sys.argv else "netwright"])
    assert isinstance(app, QApplication)
    app.setDesktopFileName(APP_ID)
    app.setWindowIcon(application_icon())
    frame = StartupFrame()
    frame.show_now(app)

    from netwright.gui.model.clipboard import release
    from netwright.gui.model.files import examples
    from netwright.gui.window.main import MainWindow

    app.aboutToQuit.connect(lambda: release(QApplication.clipboard()))
    window = MainWindow(QSettings())
    if args.file:
        window.open_path(args.file)
    elif args.example:
        match = [p for p in examples() if p.stem == args.example]
        if match:
            window.new_from_example(match[0])
    frame.hold(window)
    return _exec(app, window, connect=not args.offline)


def _exec(app: QApplication, window: MainWindow, connect: bool) -> int:
    import asyncio

    try:
        import qasync
    except ImportError:  # the designer still works; only backend calls need the loop
        return int(app.exec())
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    closed = asyncio.Event()
    app.aboutToQuit.connect(closed.set)
    with loop:
        if connect:  # the system backend, else the lab: found while the window is up
            connecting = loop.create_task(window.connect_backend())
            connecting.add_done_callback(lambda _task: None)
        loop.run_until_complete(closed.wait())
    return 0
