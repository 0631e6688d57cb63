"""The Checks matrix's columns: each namespace's own column in the rows' order, so the blank
own cells fall on one diagonal, whatever the number of namespaces; a cell's tooltip."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip
from star_design import star_topology

from netwright.gui.canvas.theme import make_theme
from netwright.gui.docks.checks import ChecksView, explanation_html
from netwright.gui.link.predictions import predict
from netwright.gui.model.document import TopologyDocument

SEED = Path(__file__).resolve().parents[2] / "examples" / "seed-ipvlan-l2-default.yaml"


def _predicted(qtbot, text: str) -> ChecksView:  # type: ignore[no-untyped-def]
    """A Checks view showing the predictions for the design ``text``."""
    view = ChecksView(make_theme(False))
    qtbot.addWidget(view)
    document = TopologyDocument()
    document.load_text(text)
    view.show_result(predict(document), measured=False)
    return view


def _headers(view: ChecksView, vertical: bool) -> list[str]:
    matrix = view.matrix
    count = matrix.rowCount() if vertical else matrix.columnCount()
    header = matrix.source if vertical else matrix.target
    return [str(header(number)) for number in range(count)]


def test_each_row_s_own_column_comes_in_the_rows_order(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = _predicted(qtbot, SEED.read_text())
    assert _headers(view, vertical=True) == ["net1", "net2"]
    columns = _headers(view, vertical=False)
    assert columns[-2:] == ["net1/ipvlan1", "net2/ipvlan2"]  # was net2/ipvlan2 first
    assert "net1/ipvlan1" not in columns[:-2] and "net2/ipvlan2" not in columns[:-2]


def test_many_namespaces_put_the_own_cells_on_one_diagonal(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = _predicted(qtbot, star_topology(30))
    rows, columns = _headers(view, vertical=True), _headers(view, vertical=False)
    assert rows == [f"n{i}" for i in range(30)] + ["host"]
    first = columns.index("n0/c0")
    assert columns[first:] == [f"n{i}/c{i}" for i in range(30)] + ["host/br0"]
    blank = [(row, column) for row in range(len(rows)) for column in range(len(columns))
             if view.matrix.pair_at(row, column) is None]
    assert blank == [(row, first + row) for row in range(len(rows))]


def test_a_cell_s_tooltip_is_its_explanation(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = _predicted(qtbot, SEED.read_text())
    view.resize(900, 300)
    view.show()
    matrix = view.matrix
    column = next(c for c in range(matrix.columnCount()) if matrix.pair_at(0, c))
    at = matrix.cell_rect(0, column).center()
    QApplication.sendEvent(matrix.viewport(), QHelpEvent(QEvent.Type.ToolTip, at,
                                                         matrix.viewport().mapToGlobal(at)))
    assert QToolTip.text() == explanation_html(matrix.pair_at(0, column))
    assert "net1" in QToolTip.text()
    empty = matrix.visualRect(matrix.model().index(0, matrix.columnCount() - 2)).center()
    QApplication.sendEvent(matrix.viewport(), QHelpEvent(QEvent.Type.ToolTip, empty,
                                                         matrix.viewport().mapToGlobal(empty)))
    qtbot.waitUntil(lambda: not QToolTip.isVisible())  # net1's own cell: nothing to explain


def test_moving_onto_a_row_s_own_cell_clears_the_explanation(qtbot) -> None:  # type: ignore[no-untyped-def]
    view = _predicted(qtbot, SEED.read_text())
    own = view.matrix.columnCount() - 2  # net1/ipvlan1, in net1's row
    view.matrix.setCurrentCell(0, own - 1)
    assert "net1" in view.explanation.toPlainText()
    view.matrix.setCurrentCell(0, own)  # as the arrow keys move it
    assert view.explanation.toPlainText() == ""
