"""Measure throughput…: iperf3 from one namespace of the deployed design to another.

The person picks the two ends (the namespaces of the design, each shown with its interfaces
and addresses), the seconds and TCP or UDP (with the rate UDP sends), then Measure. The
backend the window uses (the system's netwrightd, or the lab) runs the measurement
(``BackendClient.start_measure``, D-Bus ``StartMeasure``: a job) as an asyncio task on the
Qt loop, so the window keeps drawing; a progress bar follows the seconds asked, and Cancel
cancels the job, which ends both iperf3 processes at once. The result is shown here and handed
to the window (``measured``), which draws it on the path and logs it; a failure is a sentence
(``stopped``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from netwright.backend.measure.result import MeasureResult
from netwright.backend.topology.impairment import rate_bits
from netwright.gui.model.measure_text import error_sentence, result_line

DEFAULT_SECONDS = 5.0
DEFAULT_UDP_RATE = "1mbit"  # iperf3's own default for UDP
TICK_MS = 100
MARGIN = 24  # from the window's corner
STATE_LINES = 3


def rate_problem(text: str) -> str | None:
    """Why ``text`` is no rate iperf3 can send at (None: it is one, or empty = default)."""
    if not text.strip():
        return None
    try:
        rate_bits(text.strip())
    except (AssertionError, ValueError):
        return f"'{text.strip()}' is not a rate: write it with its unit, e.g. 10mbit or 512kbit"
    return None


class MeasureDialog(QDialog):
    """One pair at a time; Measure again with other ends or options when done."""

    measured = Signal(object)  # a MeasureResult
    stopped = Signal(str)  # the sentence of a failure, or of a Cancel

    def __init__(self, backend: Any, topology: str, choices: list[tuple[str, str]], *,
                 source: str | None = None, target: str | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.backend = backend
        self.topology = topology
        self.measurement: MeasureResult | None = None  # QDialog.result() is the exit code
        self.error = ""
        self._task: asyncio.Task[None] | None = None
        self.job: str | None = None  # the backend's job id, once started (StartMeasure)
        self._cancel_asked = False
        self._cancelling: asyncio.Future[None] | None = None
        self._started = 0.0
        self._seconds = DEFAULT_SECONDS
        self.setWindowTitle(f"Measure throughput — {topology}")
        self.source = QComboBox()
        self.target = QComboBox()
        for combo in (self.source, self.target):
            for namespace, words in choices:
                combo.addItem(words, namespace)
        self._pick(self.source, source, 0)
        self._pick(self.target, target, 1 if self.source.currentIndex() == 0 else 0)
        self.seconds = QDoubleSpinBox()
        self.seconds.setRange(1, 300)
        self.seconds.setDecimals(0)
        self.seconds.setSuffix(" s")
        self.seconds.setValue(DEFAULT_SECONDS)
        self.tcp = QRadioButton("TCP")
        self.udp = QRadioButton("UDP")
        self.tcp.setChecked(True)
        protocols = QButtonGroup(self)
        protocols.addButton(self.tcp)
        protocols.addButton(self.udp)
        self.bitrate = QLineEdit()
        self.bitrate.setPlaceholderText(f"{DEFAULT_UDP_RATE} (iperf3's default)")
        self.bitrate.setToolTip("the rate UDP sends at, e.g. 10mbit; above a rate limit the"
                                " excess is lost")
        protocol_row = QHBoxLayout()
        protocol_row.addWidget(self.tcp)
        protocol_row.addWidget(self.udp)
        protocol_row.addWidget(QLabel("sending at"))
        protocol_row.addWidget(self.bitrate, 1)
        form = QFormLayout()
        form.addRow("From (sends):", self.source)
        form.addRow("To (receives):", self.target)
        form.addRow("Duration:", self.seconds)
        form.addRow("Protocol:", protocol_row)
        self.state = QLabel()
        self.state.setWordWrap(True)
        self.state.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        # room for a result or an error sentence from the start: the dialog never grows
        # out of the corner it was placed in
        self.state.setMinimumHeight(self.state.fontMetrics().lineSpacing() * STATE_LINES)
        self.progress = QProgressBar()
        self.progress.setRange(0, 100)
        self.progress.setVisible(False)
        self.measure_button = QPushButton("Measure")
        self.measure_button.setDefault(True)
        self.measure_button.clicked.connect(self.start)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setVisible(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.close_button = QPushButton("Close")
        self.close_button.clicked.connect(self.close)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.measure_button, self.cancel_button, self.close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(self.progress)
        layout.addWidget(self.state)
        layout.addStretch(1)
        layout.addLayout(buttons)
        self._timer = QTimer(self)
        self._timer.setInterval(TICK_MS)
        self._timer.timeout.connect(self._tick)
        for signal in (self.source.currentIndexChanged, self.target.currentIndexChanged,
                       self.udp.toggled, self.bitrate.textChanged):
            signal.connect(self._update_state)
        self._update_state()
        self.resize(560, self.sizeHint().height())

    def keep_canvas_clear(self, window: QWidget) -> None:
        """Sit in the window's bottom-right corner (over the docks), not in its middle: the
        result is drawn on the canvas, which a centred dialog would cover."""
        frame = window.frameGeometry()
        screen = window.screen()
        if screen is not None:  # a window taller than its screen: stay on the screen
            frame = frame.intersected(screen.availableGeometry())
        size = self.frameGeometry().size()
        self.move(max(frame.left(), frame.right() - size.width() - MARGIN),
                  max(frame.top(), frame.bottom() - size.height() - MARGIN))

    @staticmethod
    def _pick(combo: QComboBox, namespace: str | None, fallback: int) -> None:
        index = combo.findData(namespace) if namespace else -1
        combo.setCurrentIndex(index if index >= 0 else min(fallback, combo.count() - 1))

    def running(self) -> bool:
        return self._task is not None and not self._task.done()

    def problem(self) -> str | None:
        """Why Measure cannot start now, in the dialog's words (None: it can)."""
        if self.target.count() < 2:
            return "The design needs two namespaces to measure between."
        if self.source.currentData() == self.target.currentData():
            return "Choose two different namespaces."
        problem = rate_problem(self.bitrate.text()) if self.udp.isChecked() else None
        if problem is None and self.backend is None:
            return "No backend is connected: measuring needs netwrightd or the lab."
        return problem

    def _update_state(self) -> None:
        self.bitrate.setEnabled(self.udp.isChecked() and not self.running())
        if self.running():
            return
        problem = self.problem()
        self.measure_button.setEnabled(problem is None)
        if problem is not None:
            self.state.setText(problem)
        elif self.measurement is None and not self.error:
            self.state.setText("iperf3 sends from the first namespace to the second for the"
                               " time asked.")

    def start(self) -> None:
        """Measure with the chosen ends and options."""
        if self.running() or self.problem() is not None:
            return
        source, target = str(self.source.currentData()), str(self.target.currentData())
        self._seconds = self.seconds.value()
        options: dict[str, Any] = {"seconds": self._seconds, "udp": self.udp.isChecked()}
        if self.udp.isChecked() and self.bitrate.text().strip():
            options["bitrate"] = self.bitrate.text().strip()
        self.measurement, self.error = None, ""
        self.job, self._cancel_asked = None, False
        self._task = asyncio.ensure_future(self._run(source, target, options))
        self._task.add_done_callback(self._cancelled_early)
        self._started = time.monotonic()
        self._set_running(True)
        self.state.setText(f"Measuring {source} → {target} ({'UDP' if options['udp'] else 'TCP'},"
                           f" {self._seconds:g} s)…")
        self._timer.start()

    async def _run(self, source: str, target: str, options: dict[str, Any]) -> None:
        try:
            data = await self._measure(source, target, options)
        except asyncio.CancelledError:
            self._end(self._cancelled_words(stopped=False))
            return
        except Exception as exc:  # the backend's sentence, said in the designer's terms
            if self._cancel_asked and type(exc).__name__ == "Cancelled":
                self._end(self._cancelled_words(stopped=True))
            else:
                self._end(error_sentence(exc, self.topology, source, target))
            return
        self.measurement = MeasureResult.from_json(data)
        self._end("")
        self.measured.emit(self.measurement)

    async def _measure(self, source: str, target: str, options: dict[str, Any]
                       ) -> dict[str, Any]:
        """As a job the backend stops on Cancel (StartMeasure), or as the one call of a
        backend without jobs for it."""
        start = getattr(self.backend, "start_measure", None)
        if start is None:
            data: dict[str, Any] = await self.backend.measure(self.topology, source, target,
                                                              **options)
            return data
        self.job = await start(self.topology, source, target, **options)
        if self._cancel_asked:  # Cancel came while the job was being started
            await self._cancel_job()
        data = await self.backend.wait_measure(self.job)
        return data

    def _cancelled_words(self, stopped: bool) -> str:
        if stopped:
            return "Cancelled: nothing measured; the backend stopped iperf3."
        return (f"Cancelled: nothing measured. The backend's iperf3 stops by itself within"
                f" {self._seconds:g} s.")

    def _cancelled_early(self, task: asyncio.Task[None]) -> None:
        """Cancelled before the call was even sent: ``_run`` never ran to say so."""
        if task.cancelled():
            self._end(self._cancelled_words(stopped=False))

    def _end(self, error: str) -> None:
        self._task = None  # not running any more, though _run has not returned yet
        self._timer.stop()
        self.error = error
        self._set_running(False)
        self.state.setText(result_line(self.measurement) if self.measurement is not None else error)
        self._update_state()
        if error:
            self.stopped.emit(error)

    def _set_running(self, running: bool) -> None:
        self.progress.setVisible(running)
        self.progress.setValue(0)
        self.cancel_button.setVisible(running)
        self.measure_button.setVisible(not running)
        done = self.measurement is not None or self.error
        self.measure_button.setText("Measure again" if done else "Measure")
        for field in (self.source, self.target, self.seconds, self.tcp, self.udp):
            field.setEnabled(not running)
        self.bitrate.setEnabled(self.udp.isChecked() and not running)

    def _tick(self) -> None:
        elapsed = time.monotonic() - self._started
        self.progress.setValue(min(99, int(100 * elapsed / max(self._seconds, 0.1))))
        if elapsed > self._seconds:
            self.progress.setFormat("finishing…")
        else:
            self.progress.setFormat(f"{elapsed:.0f} of {self._seconds:g} s")

    def cancel(self) -> None:
        """Ask the backend to stop the measurement's job (both iperf3 processes end at
        once); a backend without jobs for it is only no longer waited for."""
        if not self.running() or self._cancel_asked:
            return
        self._cancel_asked = True
        self.state.setText("Cancelling…")
        if self.job is not None:
            self._cancelling = asyncio.ensure_future(self._cancel_job())
        elif getattr(self.backend, "start_measure", None) is None and self._task is not None:
            self._task.cancel()
        # else: the job is being started; _measure cancels it as soon as its id is known

    async def _cancel_job(self) -> None:
        try:
            await self.backend.cancel(self.job)
        except Exception:  # it had ended meanwhile: its end is reported by _run
            return

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 (Qt override)
        self.cancel()
        super().closeEvent(event)

    def reject(self) -> None:
        """Escape closes the dialog as Close does: a measurement nobody can see or cancel
        any more is not left running."""
        self.cancel()
        super().reject()
