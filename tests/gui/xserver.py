"""A private X server for the tests that need a real one: Xvfb on a free display number,
and optionally openbox on it (a window manager puts a frame with a title bar around each
window, as on a user's desktop). Both are stopped by their PIDs afterwards."""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path


def _free_display() -> int:
    for number in range(90, 200):
        if not Path(f"/tmp/.X{number}-lock").exists() and \
                not Path(f"/tmp/.X11-unix/X{number}").exists():
            return number
    raise RuntimeError("no free X display number between :90 and :199")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextlib.contextmanager
def running_xvfb(width: int, height: int) -> Iterator[str]:
    """An Xvfb of one screen of ``width``×``height``; yields its DISPLAY (":N")."""
    if shutil.which("Xvfb") is None:
        raise RuntimeError("Xvfb is not installed (tests/tools/install-deps.sh installs xvfb)")
    number = _free_display()
    server = subprocess.Popen(["Xvfb", f":{number}", "-screen", "0", f"{width}x{height}x24",
                               "-nolisten", "tcp", "-noreset"],
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    socket = Path(f"/tmp/.X11-unix/X{number}")
    deadline = time.monotonic() + 10
    while not socket.exists():
        if server.poll() is not None or time.monotonic() > deadline:
            server.kill()
            raise RuntimeError(f"Xvfb :{number} did not start: {server.stderr.read()!r}")
        time.sleep(0.02)
    try:
        yield f":{number}"
    finally:
        _stop(server)


@contextlib.contextmanager
def running_openbox(display: str) -> Iterator[None]:
    """openbox managing ``display``, ready (it owns the screen's WM selection) on entry."""
    if shutil.which("openbox") is None:
        raise RuntimeError("openbox is not installed (tests/tools/install-deps.sh installs it)")
    manager = subprocess.Popen(["openbox", "--sm-disable"], env={"DISPLAY": display,
                               "PATH": "/usr/bin:/bin", "HOME": "/nonexistent"},
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while subprocess.run(["xprop", "-display", display, "-root", "_NET_SUPPORTING_WM_CHECK"],
                         capture_output=True, text=True, check=False).stdout.find("window id") < 0:
        if manager.poll() is not None or time.monotonic() > deadline:
            _stop(manager)
            raise RuntimeError(f"openbox did not start on {display}")
        time.sleep(0.05)
    try:
        yield
    finally:
        _stop(manager)
