"""The Checks matrix is a model read as Qt draws it: a check's cells are coloured for the
part of the matrix in view, not all up front (a 200-namespace check's 40,000
QTableWidgetItems held the window ~1 s when the Check returned), and every column is still
as wide as its header and its widest cell."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush
from PySide6.QtWidgets import QApplication
from star_design import star_topology

from netwright.gui.canvas.theme import make_theme
from netwright.gui.docks.checks import ChecksView
from netwright.gui.link.predictions import predict
from netwright.gui.model.document import TopologyDocument


def _shown(qtbot: Any, namespaces: int) -> tuple[ChecksView, list[int]]:
    """A Checks view of a star of ``namespaces``, counting the cells coloured."""
    view = ChecksView(make_theme(False))
    qtbot.addWidget(view)
    view.resize(900, 300)
    view.show()
    coloured: list[int] = []
    brush = view._brush

    def counted(pair: dict[str, Any], measured: bool, made: dict[Any, QBrush]) -> QBrush:
        coloured.append(1)
        return brush(pair, measured, made)

    view._brush = counted  # type: ignore[method-assign]
    document = TopologyDocument()
    document.load_text(star_topology(namespaces))
    view.show_result(predict(document), measured=False)
    QApplication.processEvents()  # painted
    return view, coloured


def test_only_the_cells_in_view_are_coloured(qtbot: Any) -> None:
    view, coloured = _shown(qtbot, 60)
    matrix = view.matrix
    assert matrix.rowCount() == 61 and len(matrix.pairs) > 3000
    assert 0 < len(coloured) < len(matrix.pairs) // 4, len(coloured)
    # what is drawn is the pair's colour: the first cell, as the drawing asks for it
    column = next(c for c in range(matrix.columnCount()) if matrix.pair_at(0, c))
    drawn = matrix.model().data(matrix.cells.index(0, column), Qt.ItemDataRole.BackgroundRole)
    assert isinstance(drawn, QBrush) and drawn.color().alpha() == 70  # a prediction's tint


def test_every_column_is_as_wide_as_its_widest_cell(qtbot: Any) -> None:
    view, _coloured = _shown(qtbot, 12)
    matrix = view.matrix
    metrics = matrix.fontMetrics()
    for column in range(matrix.columnCount()):
        texts = {matrix.text(row, column) for row in range(matrix.rowCount())}
        assert matrix.columnWidth(column) >= max(metrics.horizontalAdvance(t) for t in texts)
        assert matrix.columnWidth(column) >= matrix.horizontalHeader().sectionSizeHint(column)


def test_a_stale_cell_is_not_cut_off(qtbot: Any) -> None:
    """After an edit each cell adds "was ✓" or "(stale)" to its mark: the columns were
    sized from the text's width plus the style's focus margins, 2 px short of what the
    cell lays out, and "✗ (stale)" was drawn as "✗ …"."""
    view = ChecksView(make_theme(False))
    qtbot.addWidget(view)
    view.resize(590, 150)
    view.show()

    def pair(source: str, target: str, verdict: str) -> dict[str, Any]:
        return {"source": source, "target": target, "predicted": {"verdict": verdict},
                "observed": {"verdict": verdict}, "match": True}

    view.show_result({"pairs": [pair("net1", "outside", "unreachable"),
                                pair("net1", "net2/veth3", "reachable"),
                                pair("net2", "net1/veth1", "reachable")]}, measured=True)
    view.mark_stale()
    matrix = view.matrix
    assert matrix.cells.data(matrix.cells.index(0, 0)) == "✗ (stale)"
    for column in range(matrix.columnCount()):
        assert matrix.columnWidth(column) >= matrix.sizeHintForColumn(column), column
