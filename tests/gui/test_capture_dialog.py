"""The capture dialog once its capture has ended: its one button closes it (it stayed a
disabled Stop, and only the title bar's × or Escape closed the window); a capture file is
suggested beside the design, as every other file the designer writes."""

from __future__ import annotations

import asyncio
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QDialog

from netwright.gui.dialogs.capture import CaptureDialog
from netwright.gui.window.main import MainWindow


def test_an_ended_capture_is_closed_by_its_button(window: MainWindow, tmp_path: Path,
                                                   loop: asyncio.AbstractEventLoop) -> None:
    # no backend answers (the window has none): the capture fails, with the reason shown
    dialog = CaptureDialog(None, "seed", "ipvlan1", str(tmp_path / "c.pcapng"), parent=window)
    dialog.show()
    dialog.start()
    loop.run_until_complete(asyncio.sleep(0.05))
    assert dialog.outcome is not None and dialog.state.text().startswith("The capture failed")
    button = dialog.stop_button
    assert button.isEnabled() and button.text() == "Close"
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not dialog.isVisible()
    # the backend's answer is kept beside QDialog.result(), the exit code, not over it
    assert dialog.result() == QDialog.DialogCode.Rejected



def test_a_capture_that_never_starts_keeps_the_earlier_file(
        window: MainWindow, tmp_path: Path, loop: asyncio.AbstractEventLoop) -> None:
    """Saving over yesterday's capture, then a refusal (no backend here; a polkit "no", a
    deleted interface): yesterday's packets were gone, the file truncated to nothing."""
    earlier = tmp_path / "c.pcapng"
    earlier.write_bytes(b"yesterday's packets")
    dialog = CaptureDialog(None, "seed", "ipvlan1", str(earlier), parent=window)
    dialog.start()
    loop.run_until_complete(asyncio.sleep(0.05))
    assert dialog.state.text().startswith("The capture failed")
    assert earlier.read_bytes() == b"yesterday's packets"
    assert [p.name for p in tmp_path.iterdir()] == ["c.pcapng"]
    dialog.close()


def test_a_file_that_cannot_be_written_is_said_as_the_cli_says_it(
        window: MainWindow, tmp_path: Path, loop: asyncio.AbstractEventLoop) -> None:
    """A file in a folder that is not there read "The capture failed: [Errno 2] No such
    file or directory: '…/.x.pcapng.3f645086.part'": Python's errno and the temporary
    name the capture writes first, which the user never chose. And nothing of it stayed
    once the dialog was closed: the log has the outcome now."""
    target = tmp_path / "nope" / "x.pcapng"
    dialog = window.capture_interface("ipvlan1", str(target))
    assert dialog is not None
    loop.run_until_complete(asyncio.sleep(0.05))
    words = f"The capture failed: cannot write {target}: No such file or directory"
    assert dialog.state.text() == words
    assert dialog.stop_button.text() == "Close"
    QTest.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    # the outcome stays in the log, as a measurement's does, once the dialog is closed
    assert window.log.toPlainText().splitlines()[-1] == f"Capture on ipvlan1: {words}"


def test_a_capture_file_is_suggested_beside_the_design(window: MainWindow, seed: Path,
                                                        tmp_path: Path) -> None:
    design = tmp_path / "mine.yaml"
    design.write_text(seed.read_text())
    assert window.open_path(design)
    assert window.capture_suggestion("ipvlan1") == str(tmp_path / "ipvlan1.pcapng")
