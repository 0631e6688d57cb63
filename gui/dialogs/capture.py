"""Capture…: the packets of one deployed interface, into a file, listed while they come.

The designer opens the file itself (as the user) and hands the backend its descriptor
(``BackendClient.start_capture``); netwrightd writes pcapng into it until the count or time
limit, Stop (the job's Cancel), or the window closing. Meanwhile the dialog follows the file
and lists each packet as dpkt decodes it (gui/model/packet_rows.py). When the capture ends,
the file opens in Wireshark if it is installed; the list stays either way.
"""

from __future__ import annotations

import asyncio
import shutil
from typing import Any

from PySide6.QtCore import QProcess, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netwright.backend.capture.output import CaptureOutput
from netwright.backend.count_words import counted
from netwright.gui.model.packet_rows import PacketRow, PcapngTail, rows

COLUMNS = ("No.", "Time", "Source", "Destination", "Protocol", "Info")
#: How often the list looks for new packets in the file.
FOLLOW_MS = 250


def wireshark() -> str | None:
    """Wireshark's program if it is installed (the capture then opens in it)."""
    return shutil.which("wireshark")


class CaptureDialog(QDialog):
    """One capture: started at once, Stop ends it, the list follows the file."""

    ended = Signal(object)  # the result {"packets", "dropped", "ended"} or the exception

    def __init__(self, backend: Any, topology: str, interface: str, path: str, *,
                 packet_filter: str = "", count: int | None = None,
                 seconds: float | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.topology = topology
        self.interface = interface
        self.path = path
        self.job: str | None = None
        self.outcome: object = None  # the backend's answer (QDialog.result() is the exit code)
        self._limits = {"packet_filter": packet_filter, "count": count, "seconds": seconds}
        self._tail = PcapngTail()
        self._offset = 0
        self._first: int | None = None
        self._task: asyncio.Task[None] | None = None
        self._cancelling: asyncio.Future[None] | None = None
        self.setWindowTitle(f"Capture on {interface} — {topology}")
        self.state = QLabel(f"Capturing on {interface} into {path}…")
        self.state.setWordWrap(True)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(list(COLUMNS))
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.verticalHeader().setVisible(False)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.stop_button = QPushButton("Stop")
        self.stop_button.clicked.connect(self.stop)
        self.wireshark_button = QPushButton("Open in Wireshark")
        self.wireshark_button.setEnabled(False)
        self.wireshark_button.setVisible(wireshark() is not None)
        self.wireshark_button.clicked.connect(self.open_in_wireshark)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.wireshark_button)
        buttons.addWidget(self.stop_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.state)
        layout.addWidget(self.table, 1)
        layout.addLayout(buttons)
        self.resize(760, 420)
        self._timer = QTimer(self)
        self._timer.setInterval(FOLLOW_MS)
        self._timer.timeout.connect(self.follow)

    def start(self) -> None:
        """Open the file (as this user) and ask the backend to capture into it."""
        self._task = asyncio.ensure_future(self._run())
        self._timer.start()

    async def _run(self) -> None:
        try:
            # a capture the backend refuses leaves an earlier file of that name as it was
            output = CaptureOutput(self.path)
        except OSError as exc:  # as the CLI says it: not Python's errno and temporary name
            self._finish(f"cannot write {self.path}: {exc.strerror or exc}")
            return
        try:
            try:
                self.job = await self.backend.start_capture(
                    self.topology, self.interface, output.fd, **self._limits)
                output.started()
            finally:
                output.close()  # the backend writes into its own copy
            result: object = await self.backend.wait_capture(self.job)
        except Exception as exc:  # the backend's sentence (not authorised, a bad filter …)
            result = exc
        self._finish(result)

    def _finish(self, result: object) -> None:
        self.outcome = result
        self._timer.stop()
        self.follow()
        self.stop_button.setText("Close")  # nothing left to stop: the one button closes
        self.stop_button.setDefault(True)
        if isinstance(result, dict):
            packets = int(result.get("packets", 0))
            dropped = int(result.get("dropped", 0))
            words = f"{counted(packets, 'packet')} captured into {self.path}"
            if dropped:
                words += f"; the kernel dropped {dropped}"
            self.state.setText(words + ".")
            if wireshark() is not None:
                self.wireshark_button.setEnabled(True)
                self.open_in_wireshark()
        else:
            self.state.setText(f"The capture failed: {result}")
        self.ended.emit(result)

    def follow(self) -> None:
        """Append the packets written since the last look."""
        try:
            with open(self.path, "rb") as stream:
                stream.seek(self._offset)
                data = stream.read()
        except OSError:
            return
        self._offset += len(data)
        try:
            frames = self._tail.feed(data)
        except ValueError as exc:
            self.state.setText(f"{self.path}: {exc}")
            return
        new, self._first = rows(frames, self._first, self.table.rowCount())
        for row in new:
            self._append(row)

    def _append(self, row: PacketRow) -> None:
        index = self.table.rowCount()
        self.table.insertRow(index)
        values = (str(row.number), f"{row.seconds:.6f}", row.source, row.destination,
                  row.protocol, row.info)
        for column, value in enumerate(values):
            self.table.setItem(index, column, QTableWidgetItem(value))
        self.table.scrollToBottom()

    def packets(self) -> list[tuple[str, ...]]:
        """The list as shown: one tuple of column texts per packet."""
        return [tuple(cell.text() if (cell := self.table.item(r, c)) is not None else ""
                      for c in range(len(COLUMNS)))
                for r in range(self.table.rowCount())]

    def stop(self) -> None:
        """Stop: the backend cancels the capture and keeps what was written; once it has
        ended, the same button closes the dialog."""
        if self.outcome is not None:
            self.close()
        else:
            self._stop_capture()

    def _stop_capture(self) -> None:
        if self.job is not None and self.outcome is None and self._cancelling is None:
            self.state.setText("Stopping…")
            self._cancelling = asyncio.ensure_future(self._cancel())

    async def _cancel(self) -> None:
        try:
            await self.backend.cancel(self.job)
        except Exception:  # it had ended meanwhile: its end is reported by _run
            return

    def open_in_wireshark(self) -> None:
        program = wireshark()
        if program is not None:
            QProcess.startDetached(program, [self.path])

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self._stop_capture()
        super().closeEvent(event)

    def done(self, result: int) -> None:
        """Esc (reject) hides a dialog without a close event: the capture ran on in the
        backend, its writer with it, until the lab ended. Closed any way, it is stopped."""
        self._stop_capture()
        super().done(result)
