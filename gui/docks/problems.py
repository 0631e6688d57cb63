"""The Problems dock: every error and warning, live; double-click to go to the item."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QStyle, QTreeWidget, QTreeWidgetItem, QWidget

from netwright.backend.topology.problems import Problem
from netwright.gui.canvas.scene import key_of_path


class ProblemsView(QTreeWidget):
    """Severity, where (model path and line), and the contract's sentence."""

    activated_key = Signal(str)  # the canvas key of a double-clicked problem

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setColumnCount(3)
        self.setHeaderLabels(["", "Where", "Problem"])
        self.setRootIsDecorated(False)
        self.setUniformRowHeights(True)
        self.setWordWrap(True)
        self.setColumnWidth(0, 28)
        self.setColumnWidth(1, 230)
        self.itemDoubleClicked.connect(self._on_double_click)
        self.problems: list[Problem] = []

    def set_problems(self, problems: list[Problem]) -> None:
        self.problems = list(problems)
        self.clear()
        style = self.style()
        error = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxCritical)
        warning = style.standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        ordered = sorted(problems, key=lambda p: (p.severity != "error", p.line, p.path_text))
        for problem in ordered:
            where = problem.path_text or "the file"
            if problem.line:
                where += f"  (line {problem.line})"
            item = QTreeWidgetItem(["", where, problem.message])
            item.setIcon(0, error if problem.severity == "error" else warning)
            item.setToolTip(2, f"{problem.severity} {problem.code}: {problem.message}")
            item.setData(0, Qt.ItemDataRole.UserRole, key_of_path(problem.path) or "")
            item.setData(1, Qt.ItemDataRole.UserRole, problem.code)
            self.addTopLevelItem(item)

    def summary(self) -> str:
        errors = sum(1 for p in self.problems if p.severity == "error")
        warnings = len(self.problems) - errors
        if not self.problems:
            return "Problems"
        return f"Problems ({errors} error{'s' * (errors != 1)}, {warnings} warning" \
               f"{'s' * (warnings != 1)})"

    def _on_double_click(self, item: QTreeWidgetItem, _column: int) -> None:
        key = item.data(0, Qt.ItemDataRole.UserRole)
        if key:
            self.activated_key.emit(key)
