"""A namespace's routes in the Inspector: a small table (to, via, dev, metric) and its buttons.

The table is the design's routes, then the ones still being typed: a route with neither a
via nor a dev is kept in the table only, under a sentence saying what it waits for, and the
complete ones are committed as one undo step through the Inspector (``RoutesOwner``), which
trials them and shows the contract's sentence under the table when it refuses them.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from netwright.gui.docks.error_label import error_label
from netwright.gui.docks.rows_table import CellTable
from netwright.gui.model.document import DELETE, Edit, TopologyDocument


class RoutesOwner(Protocol):
    """What the routes table needs of the Inspector that holds it."""

    document: TopologyDocument
    key: str | None
    entry_path: tuple[Any, ...]
    errors: dict[str, QLabel]

    def set_error(self, name: str, message: str | None) -> None: ...

    def try_edits(self, name: str, edits: list[Edit], label: str,
                  field: tuple[Any, ...] | None = None,
                  tolerated: frozenset[str] = frozenset()) -> bool: ...


class RoutesEditor(QWidget):
    """A namespace's routes as a small table: to, via, dev, metric."""

    COLUMNS = ("to", "via", "dev", "metric")

    def __init__(self, inspector: RoutesOwner) -> None:
        super().__init__()
        self.inspector = inspector
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.table = CellTable(0, len(self.COLUMNS))
        self.table.setHorizontalHeaderLabels(list(self.COLUMNS))
        # the addresses as wide as they are (four equal columns in a 300 px inspector cut
        # "172.17.0.1"); the device takes what is left
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(self.COLUMNS.index("dev"), QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().hide()
        self.table.setMinimumHeight(110)
        self.table.cellChanged.connect(lambda _r, _c: self.commit())
        layout.addWidget(self.table)
        self.error = error_label()
        inspector.errors["routes"] = self.error
        layout.addWidget(self.error)
        buttons = QHBoxLayout()
        add, remove = QPushButton("Add route"), QPushButton("Remove")
        add.clicked.connect(self.add_row)
        remove.clicked.connect(self.remove_row)
        buttons.addWidget(add)
        buttons.addWidget(remove)
        buttons.addStretch(1)
        layout.addLayout(buttons)

    def load(self, routes: list[Any]) -> None:
        """The design's routes, then the half-made ones still being typed (another edit
        reloads the table: they are in the table only)."""
        routes = [*routes, *[route for route in self.rows() if half_made(route)]]
        self.table.blockSignals(True)
        self.table.setRowCount(len(routes))
        for row, entry in enumerate(routes):
            route = entry if isinstance(entry, dict) else {}
            for column, name in enumerate(self.COLUMNS):
                value = route.get(name)
                text = "" if value is None else str(value)
                item = QTableWidgetItem(text)
                item.setToolTip(text)
                self.table.setItem(row, column, item)
        self.table.blockSignals(False)

    def rows(self) -> list[dict[str, Any]]:
        routes = []
        for row in range(self.table.rowCount()):
            route: dict[str, Any] = {}
            for column, name in enumerate(self.COLUMNS):
                item = self.table.item(row, column)
                text = item.text().strip() if item is not None else ""
                if text:
                    route[name] = int(text) if name == "metric" and text.isdigit() else text
            if route:
                routes.append(route)
        return routes

    def add_row(self) -> None:
        self.table.blockSignals(True)
        row = self.table.rowCount()
        self.table.insertRow(row)
        cells = [QTableWidgetItem("default" if name == "to" else "") for name in self.COLUMNS]
        for column, cell in enumerate(cells):
            self.table.setItem(row, column, cell)
        self.table.blockSignals(False)
        # current too, not only edited: Tab moved on from no current cell, to row 0's via
        self.table.setCurrentCell(row, 0)
        self.table.editItem(cells[0])

    def remove_row(self) -> None:
        row = self.table.currentRow()
        if row >= 0:
            self.table.removeRow(row)
            self.commit()

    def commit(self) -> bool:
        """The complete routes as one undo step; a half-made one stays in the table only,
        with a sentence saying so, until its via or dev is typed."""
        typed = self.rows()
        routes = [route for route in typed if not half_made(route)]
        committed = self._commit(routes)
        waiting = [row + 1 for row, route in enumerate(typed) if half_made(route)]
        if waiting and self.error.isHidden():
            self.inspector.set_error("routes", half_made_words(waiting))
        elif not waiting and self.error.text().startswith(HALF_MADE_START):
            self.inspector.set_error("routes", None)
        return committed

    def _commit(self, routes: list[dict[str, Any]]) -> bool:
        path = (*self.inspector.entry_path, "routes")
        current = self.inspector.document.get(path)
        if (current or []) == routes and not (current is None and routes):
            return False
        value: Any = routes if routes else DELETE
        if value is DELETE and current is None:
            return False
        return self.inspector.try_edits("routes", [Edit(path, value)],
                                        f"routes of {self.inspector.key}")


HALF_MADE_START = "Not in the design yet"


def half_made(route: dict[str, Any]) -> bool:
    """A route with neither a via nor a dev: one being typed cell by cell. Committed, it was
    refused ("needs a via") and the table reloaded under the user's cursor."""
    return not route.get("via") and not route.get("dev")


def half_made_words(rows: list[int]) -> str:
    """The sentence under the table while some routes are only in it."""
    which = ", ".join(str(row) for row in rows)
    return f"{HALF_MADE_START}: route {which} needs a via (a next hop) or a dev."
