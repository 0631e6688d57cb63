"""Qt runs headless here (the offscreen platform); settings go to a private folder."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import qasync

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

# fixtures of the tests with a real NetworkManager and netwrightd (test_trial_nm, test_live_nm)
from nm_backend import harness, netwrightd  # noqa: F401
from PySide6.QtCore import QEvent, QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget

from netwright.gui.model.clipboard import release
from tests.tools.proc_scan import naming

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SEED = EXAMPLES / "seed-ipvlan-l2.yaml"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def seed() -> Path:
    return SEED


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[QSettings]:
    """Recent files and window state of one test, in a file of its own."""
    store = QSettings(str(tmp_path / "netwright.ini"), QSettings.Format.IniFormat)
    yield store
    store.sync()


@pytest.fixture
def window(qtbot, settings):  # type: ignore[no-untyped-def]
    """The real main window, shown (offscreen), with no backend connected."""
    from netwright.gui.window.main import MainWindow

    main = MainWindow(settings)
    # the offscreen screen is 800x800, so a new window fits that; the tests want the
    # default desktop size (tests of small screens resize on purpose)
    main.resize(1400, 880)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.document.undo_stack.setClean()  # closing must not ask in teardown
    main.close()
    main.deleteLater()
    release(QApplication.clipboard())


@pytest.fixture
def started(qtbot, settings):  # type: ignore[no-untyped-def]
    """``started(width, height, path=None)``: a main window as ``netwright [PATH]`` starts one
    on a screen of that size (sized, and the file opened, before it is first shown: the
    bottom panel opens or not for that height), with this test's settings; closed after the
    test (no_window_outlives_its_test)."""
    from netwright.gui.window.main import MainWindow

    def start(width: int, height: int, path: Path | None = None) -> MainWindow:
        window = MainWindow(settings)
        window.resize(width, height)
        if path is not None:
            window.open_path(path)
        window.show()
        qtbot.waitExposed(window)
        QApplication.processEvents()
        return window

    return start


@pytest.fixture
def loop() -> Iterator[asyncio.AbstractEventLoop]:
    """The Qt event loop as the asyncio loop, as the designer runs it (qasync).

    Closing a qasync loop leaves its pending tasks behind; they are cancelled and awaited
    first (as ``asyncio.run`` does), so no task of one test wakes up in another.
    """
    qt_loop = qasync.QEventLoop(QApplication.instance())
    asyncio.set_event_loop(qt_loop)
    yield qt_loop
    pending = [task for task in asyncio.all_tasks(qt_loop) if not task.done()]
    for task in pending:
        task.cancel()
    if pending:
        qt_loop.run_until_complete(asyncio.wait(pending, timeout=10))
    asyncio.set_event_loop(None)
    qt_loop.close()


@pytest.fixture(autouse=True)
def no_window_outlives_its_test() -> Iterator[None]:
    """Every top-level widget a test left (a window whose close waited for an answer, a
    dialog) is closed and deleted when the test ends, with its timers and connections.

    ``deleteLater`` alone waits for an event loop that may never run again in this process
    (``processEvents`` does not delete), so the deletion is done here, at once.
    """
    yield
    app = QApplication.instance()
    if app is None:
        return
    for widget in app.topLevelWidgets():
        if hasattr(widget, "close_confirmed"):  # the main window: no question on close
            widget.close_confirmed = True
            widget.document.undo_stack.setClean()
        widget.close()
        widget.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)


@pytest.fixture(autouse=True)
def no_button_stays_pressed() -> Iterator[None]:
    """A test that leaves a mouse button recorded as held (QTest's ``mouseDClick`` with no
    release does) fails here, and the button is let go, so the next test's clicks are not
    read as clicks with that button still down (a right-click then extends the selection)."""
    yield
    held = QGuiApplication.mouseButtons()
    if held == Qt.MouseButton.NoButton:
        return
    spot = QWidget()
    for button in (Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton,
                   Qt.MouseButton.MiddleButton):
        if held & button:
            QTest.mouseRelease(spot, button)
    spot.deleteLater()
    pytest.fail(f"the test left {held} pressed: end every press with a release "
                "(gestures.double_click)")


@pytest.fixture
def own_lab(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    yield runtime
    from netwright.backend.service.lab import running_lab_pid

    pid = running_lab_pid()
    if pid is not None:  # the lab this test started (its runtime directory is ours)
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and _alive(pid):
            time.sleep(0.05)
    _stop_left_behind(runtime)


def _stop_left_behind(runtime: Path) -> None:
    """The lab's DHCP server (dnsmasq) outlives a SIGTERM'd lab (reported): stop ours, the
    processes whose command line names this test's private runtime directory."""
    for pid, _argv in naming(runtime):
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGTERM)


def _alive(pid: int) -> bool:
    """True while the process runs (the lab is our child: reap it once it has exited)."""
    from lab_waits import lab_alive

    return lab_alive(pid)
