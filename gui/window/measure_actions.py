"""Measure throughput… in the window: where the action is offered and where its result goes.

A mixin of ``MainWindow`` (typed by ``WindowParts``). Offered on a namespace or interface
("Measure throughput from net1…"), on a wire between two namespaces ("… net1 → net2…"), on a
cell of the Checks dock, and in the Topology menu; each opens a ``MeasureDialog`` on the
backend the window uses. A result is drawn on the path between the two namespaces (found as a
check cell's path is, ``gui.model.paths``) with its label, and logged with what the design
asks; a failure is logged as its sentence. Another document, or an edit that removes the
labelled wire, clears the label.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMenu

from netwright.backend.measure.result import MeasureResult
from netwright.gui.canvas.measure_label import MeasureLabel, clear_measurement, show_measurement
from netwright.gui.dialogs.measure import MeasureDialog
from netwright.gui.model.measure_text import path_label, place_choices, result_line, target_pair
from netwright.gui.model.paths import path_wires, target_key

if TYPE_CHECKING:
    from netwright.gui.window.parts import WindowBase as _Base
else:
    _Base = object

NOT_DEPLOYED_TIP = "Apply the design first: measuring needs it deployed"


class MeasureActions(_Base):
    """The Measure dialog's entries and the measurement on the canvas."""

    measure_dialog: MeasureDialog | None = None
    measure_label: MeasureLabel | None = None
    checks_menu: QMenu | None = None

    def make_measure_action(self) -> QAction:
        """The Topology menu's entry (the ends are chosen in the dialog)."""
        self.measure_action = QAction("Measure &Throughput…", self)
        self.measure_action.setStatusTip("iperf3 between two namespaces of the deployed design")
        self.measure_action.triggered.connect(lambda _checked=False: self.measure_throughput())
        return self.measure_action

    def connect_measure(self) -> None:
        """Right-click on a Checks cell; another document clears the last measurement."""
        matrix = self.checks.matrix
        matrix.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        matrix.customContextMenuRequested.connect(self._checks_menu)
        self.document.replaced.connect(self.clear_measurement)
        self.document.content_changed.connect(self._measured_wire_gone)

    def measure_entry(self, menu: QMenu, source: str | None, target: str | None = None
                      ) -> QAction | None:
        """"Measure throughput from A…" (or "A → B…"), enabled once the design is deployed."""
        if not source:
            return None
        words = f"{source} → {target}" if target else f"from {source}"
        entry = menu.addAction(f"Measure throughput {words}…",
                               lambda: self.measure_throughput(source, target))
        if self.runner.backend is None or not self.deployment.deployed:
            entry.setEnabled(False)
            entry.setToolTip(NOT_DEPLOYED_TIP)
        return entry

    def measure_wire_entry(self, menu: QMenu, a: str, b: str) -> None:
        """On a wire whose ends lie in two namespaces: measure from the one to the other."""
        snapshot = self.document.snapshot
        source, target = snapshot.namespace_of(a), snapshot.namespace_of(b)
        self.measure_entry(menu, source, target if target != source else None)

    def measure_throughput(self, source: str | None = None, target: str | None = None
                           ) -> MeasureDialog:
        """Open the dialog on ``source`` → ``target`` (either may be chosen there)."""
        if self.measure_dialog is not None and not self.measure_dialog.running():
            self.measure_dialog.close()
        snapshot = self.document.snapshot
        dialog = MeasureDialog(self.runner.backend, snapshot.name, place_choices(snapshot),
                               source=source, target=target, parent=self)
        dialog.measured.connect(self.show_measurement)
        dialog.stopped.connect(self._measure_stopped)
        self.measure_dialog = dialog
        dialog.show()
        dialog.keep_canvas_clear(self)
        return dialog

    def show_measurement(self, result: MeasureResult) -> None:
        """The result on its path (coloured, labelled) and in the log."""
        snapshot = self.document.snapshot
        wires = path_wires(snapshot, target_pair(snapshot, result))
        self.measure_label = show_measurement(self.scene, wires, path_label(result),
                                              result.within_tolerance() is False)
        line = f"Measure {result_line(result)}"
        self.log.appendPlainText(line)
        self.statusBar().showMessage(line, 15000)

    def clear_measurement(self) -> None:
        clear_measurement(self.scene)
        self.measure_label = None

    def _measured_wire_gone(self) -> None:
        """An edit removed the wire the label was on: the label goes with it."""
        if self.measure_label is not None and self.measure_label.wire.scene() is None:
            self.clear_measurement()

    def _measure_stopped(self, sentence: str) -> None:
        self.log.appendPlainText(f"Measure: {sentence}")
        self.statusBar().showMessage(f"Measure: {sentence}", 15000)

    def _checks_menu(self, point: QPoint) -> None:
        """A cell's menu: measure from its source to its target's namespace, and check its
        row again from one of the source's addresses."""
        matrix = self.checks.matrix
        pair = matrix.pair_at(*matrix.cell_at(point))
        if not pair:
            return
        menu = QMenu(matrix)
        snapshot = self.document.snapshot
        goal = target_key(snapshot, pair)
        source = str(pair.get("source") or "")
        target = snapshot.namespace_of(goal) if goal else None
        if source in snapshot.namespaces and target is not None:
            self.measure_entry(menu, source, target)
        self.check_from_entries(menu, source)
        if menu.isEmpty():
            return
        self.checks_menu = menu
        menu.popup(matrix.viewport().mapToGlobal(point))
