"""The Checks dock: the reachability matrix and the explanation of the selected cell.

It reads the check result's JSON shape (the contract of issue 5: ``pairs`` with ``source``,
``target``, ``role``, ``predicted`` {verdict, reason, fix} and ``observed`` {verdict, error});
so a static prediction made while designing and a measured check from a backend show in the
same view. Predictions alone are drawn in a lighter style; a cell where the observation
differs from the prediction is marked with '≠'.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import (
    QAbstractTableModel,
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    Qt,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFontMetrics, QHelpEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QLabel,
    QSplitter,
    QStyle,
    QTableView,
    QTextBrowser,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from netwright.backend.count_words import agreeing, counted
from netwright.gui.canvas.focus_ring import FocusRing
from netwright.gui.canvas.theme import Theme
from netwright.gui.docks.fix_bar import FixBar
from netwright.gui.model.chain_words import Getter, designer_chains
from netwright.gui.model.fixes import Fix
from netwright.gui.model.wording import designer_fix

_ROOT = QModelIndex()
PORTS_NOTE = "Beside ✓/✗ (the echo): the TCP/UDP ports that connect, of those probed."


def _mark(verdict: str | None) -> str:
    return "✓" if verdict == "reachable" else "✗"


def cell_text(pair: dict[str, Any]) -> str:
    """✓/✗ (≠ where the kernel disagreed); after an edit, the new prediction and "was" the
    stale measurement, or the stale measurement alone where nothing predicts it (outside)."""
    predicted = (pair.get("predicted") or {}).get("verdict")
    observed = (pair.get("observed") or {}).get("verdict")
    if "stale_observed" in pair:
        was = (pair.get("stale_observed") or {}).get("verdict")
        if pair.get("stale_only"):
            return f"{_mark(was)} (stale)"
        return f"{_mark(predicted)}  was {_mark(was)}" if was else _mark(predicted)
    verdict = observed or predicted
    mark = _mark(verdict)
    full_size = ((pair.get("observed") or {}).get("size_verdict")
                 or (pair.get("predicted") or {}).get("size_verdict"))
    if verdict == "reachable" and full_size == "unreachable":
        mtu = (pair.get("predicted") or {}).get("mtu")
        mark += f" ≤{mtu}" if mtu else " small only"  # full-size packets are lost
    services = pair.get("services") or []
    if services:  # the echo says nothing of the ports: count those that connect
        connects = sum(1 for s in services if _port_verdict(s) == "reachable")
        mark += f" {connects}/{len(services)}"  # the heading says what the count is
    if pair.get("match") is False or (observed and predicted and observed != predicted):
        mark += " ≠"
    return mark


def _port_verdict(service: dict[str, Any]) -> str | None:
    return ((service.get("observed") or {}).get("verdict")
            or (service.get("predicted") or {}).get("verdict"))


def _connects(verdict: str | None) -> str:
    return "connects" if verdict == "reachable" else "does not connect"


def reason_text(reason: Any, get: Getter | None = None) -> str:
    """A check's reason in the designer's words; ``get`` (the document's reader) lets it
    name the design's chains and rules as the Inspector shows them."""
    text = str(reason or "")
    return designer_fix(designer_chains(text, get) if get is not None else text)


def ports_html(pair: dict[str, Any], get: Getter | None = None) -> str:
    """The TCP/UDP ports probed besides the echo: each port, whether it connects (measured,
    else predicted), and why one does not or surprised the prediction."""
    services = pair.get("services") or []
    if not services:
        return ""
    rows = []
    for service in services:
        predicted = service.get("predicted") or {}
        observed = service.get("observed") or {}
        verdict = _port_verdict(service)
        text = f"<b>{service.get('proto')}/{service.get('port')}</b> {_connects(verdict)}"
        if observed and observed.get("verdict") != predicted.get("verdict"):
            text += f" (predicted: {_connects(predicted.get('verdict'))})"
            if observed.get("error"):
                text += f" — {observed['error']}"
        if verdict != "reachable" or observed.get("verdict") not in (None,
                                                                     predicted.get("verdict")):
            text += f": {reason_text(predicted.get('reason'), get)}"
        rows.append(f"<li>{text}</li>")
    return f"<p><b>Ports</b> (besides the echo):</p><ul>{''.join(rows)}</ul>"


def _target(pair: dict[str, Any]) -> str:
    return str(pair.get("target_name") or pair.get("target"))


def column_order(pairs: list[dict[str, Any]], sources: list[str]) -> list[str]:
    """The matrix's columns: the targets outside every namespace (host, gateway, outside)
    as the backend lists them, then each namespace's own addresses in the rows' order, so
    a row's blank own cell falls on one diagonal. In the order the targets first appeared,
    the first row's own column came last (the seed's read net2, …, net1; 200 namespaces put
    n0's column after n199's)."""
    own: dict[str, list[str]] = {}  # a source's own addresses ("self" pairs), as labels
    for pair in pairs:
        if pair.get("role") == "self":
            own.setdefault(str(pair.get("source")), []).append(_target(pair))
    targets = dict.fromkeys(_target(p) for p in pairs if p.get("role") != "self")
    in_rows = [label for source in sources for label in own.get(source, []) if label in targets]
    placed = set(in_rows)
    return [label for label in targets if label not in placed] + list(dict.fromkeys(in_rows))


def pair_count(pairs: list[dict[str, Any]]) -> str:
    """How many pairs a check has, as the command line counts them ("19 pairs probed"):
    a place's pairs with its own addresses too, which the matrix leaves blank (its
    diagonal), so the heading says how many of the total they are."""
    own = sum(1 for p in pairs if p.get("role") == "self")
    return counted(len(pairs), "pair") + (
        f" ({own} of them from a place to its own address, left blank)" if own else "")


def pair_key(pair: dict[str, Any]) -> tuple[str, str]:
    return str(pair.get("source")), _target(pair)


def with_stale_measurement(measured: dict[str, Any], predicted: dict[str, Any]) -> dict[str, Any]:
    """The edited design's predictions beside the last measurement, which is now stale.

    Every pair of either keeps its cell (the measured "outside" target too, which the static
    prediction does not know); a measured observation moves to ``stale_observed``.
    """
    pairs: dict[tuple[str, str], dict[str, Any]] = {}
    for pair in predicted.get("pairs", []):
        pairs[pair_key(pair)] = dict(pair)
    for old in measured.get("pairs", []):
        key = pair_key(old)
        pair = pairs.get(key)
        if pair is None:
            pair = pairs[key] = {k: v for k, v in old.items()
                                 if k not in ("observed", "match", "mismatch")}
            pair["stale_only"] = True
        pair["stale_observed"] = old.get("observed")
    return {**predicted, "pairs": list(pairs.values()), "stale": True}


def nothing_heading(result: dict[str, Any], measured: bool) -> str:
    """The heading of a check or prediction without a pair between two places: why (the
    backend's ``nothing_to_check``), else that each address reaches only itself."""
    why = result.get("nothing_to_check") or (
        "each namespace with an address has only its own addresses to reach; give a second"
        " namespace an address on a shared link to see who reaches whom")
    return f"Nothing to {'show' if measured else 'predict'}: {designer_fix(why)}."


def explanation_html(pair: dict[str, Any], fix: str | None = None,
                     get: Getter | None = None) -> str:
    """The why of a cell; ``fix``: the designer's words for a fix that is an edit (else the
    explainer's sentence); ``get``: the design's reader, for its chains' names."""
    predicted = pair.get("predicted") or {}
    observed = pair.get("observed")
    target = pair.get("target_name") or pair.get("target")
    lines = [f"<b>{pair.get('source')} → {target}</b> ({pair.get('role', '')},"
             f" {pair.get('target')})"]
    lines.append(f"<p><b>Predicted:</b> {predicted.get('verdict', '?')} — "
                 f"{reason_text(predicted.get('reason'), get)}</p>")
    stale = pair.get("stale_observed")
    if "stale_observed" in pair:
        lines[-1] = lines[-1].replace("<b>Predicted:</b>", "<b>Predicted for the edited design"
                                      ":</b>" if not pair.get("stale_only") else
                                      "<b>Predicted before the edit:</b>")
        lines.append(f"<p><b>Measured before the last edit (stale):</b> {_seen(stale)}</p>"
                     if stale else "<p><i>Not measured before the edit.</i></p>")
        lines.append("<p><i>Check again to measure the edited design.</i></p>")
    elif observed:
        sent = f" (sent from {pair['sent_from']})" if pair.get("sent_from") else ""
        lines.append(f"<p><b>Observed{sent}:</b> {_seen(observed)}</p>")
    else:
        lines.append("<p><i>Not measured: this is the static prediction from the design.</i></p>")
    if pair.get("mismatch"):
        lines.append(f"<p><b>Differs from the prediction:</b> {pair['mismatch']}</p>")
    ports = ports_html(pair, get)
    if ports:
        lines.append(ports)
    port_fixes = [str((s.get("predicted") or {}).get("fix")) for s in pair.get("services") or ()
                  if (s.get("predicted") or {}).get("fix")]
    written = fix or predicted.get("fix") or (port_fixes[0] if port_fixes else None)
    if written:
        lines.append(f"<p><b>Fix:</b> {fix or designer_fix(str(written))}</p>")
    return "\n".join(lines)


def _seen(observed: dict[str, Any]) -> str:
    seen = observed.get("error") or (
        f"reply in {observed.get('rtt_ms')} ms" if observed.get("rtt_ms") is not None else "")
    text = f"{observed.get('verdict')}" + (f" — {seen}" if seen else "")
    if observed.get("size"):
        text += (f"; {observed['size']} bytes with don't-fragment:"
                 f" {observed.get('size_error') or 'a reply'}")
    impairment = observed.get("impairment")
    if impairment:  # a path the design impairs: its echoes against the design's RTT and loss
        text += (f"; {impairment.get('received')} of {impairment.get('probes')} echoes"
                 f" answered: {impairment.get('text')}")
    return text


class CheckMatrixModel(QAbstractTableModel):
    """The matrix's cells, read when Qt draws them: a cell's text, colour and tooltip are
    made for the cells in view, never for all 40,000 of a 200-namespace check up front
    (40,000 QTableWidgetItems held the window 0.8-1.1 s when a Check returned)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.pairs: list[dict[str, Any]] = []
        self.sources: list[str] = []
        self.targets: list[str] = []
        self.texts: list[str] = []  # cell_text of each pair, in the pairs' order
        self.column_texts: list[set[str]] = []  # the distinct texts of each column
        self._grid: list[int] = []  # row * columns + column → index into pairs, -1: blank
        self._brush: Callable[[dict[str, Any]], QBrush] = lambda _pair: QBrush()

    def show(self, pairs: list[dict[str, Any]], sources: list[str], targets: list[str],
             brush: Callable[[dict[str, Any]], QBrush]) -> None:
        self.beginResetModel()
        self.pairs, self.sources, self.targets, self._brush = pairs, sources, targets, brush
        rows = {source: number for number, source in enumerate(sources)}
        columns = {target: number for number, target in enumerate(targets)}
        width = len(targets)
        grid = [-1] * (len(sources) * width)
        texts = [cell_text(pair) for pair in pairs]
        column_texts: list[set[str]] = [set() for _ in targets]
        for index, pair in enumerate(pairs):
            column = columns[_target(pair)]
            grid[rows[str(pair.get("source"))] * width + column] = index
            column_texts[column].add(texts[index])
        self._grid, self.texts, self.column_texts = grid, texts, column_texts
        self.endResetModel()

    def recolour(self) -> None:
        """Every cell's colour is asked for again (a light/dark switch); nothing else is."""
        if self.sources and self.targets:
            self.dataChanged.emit(self.index(0, 0),
                                  self.index(len(self.sources) - 1, len(self.targets) - 1),
                                  [Qt.ItemDataRole.BackgroundRole])

    def pair_index(self, row: int, column: int) -> int:
        """The index into ``pairs`` of the cell at ``row``, ``column``; -1: blank or none."""
        if 0 <= row < len(self.sources) and 0 <= column < len(self.targets):
            return self._grid[row * len(self.targets) + column]
        return -1

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.sources)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = _ROOT) -> int:  # noqa: N802
        return 0 if parent.isValid() else len(self.targets)

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        pair = self.pair_index(index.row(), index.column())
        if pair < 0:
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return self.texts[pair]
        if role == Qt.ItemDataRole.BackgroundRole:
            return self._brush(self.pairs[pair])
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return Qt.AlignmentFlag.AlignCenter
        return None

    def headerData(self, section: int, orientation: Qt.Orientation,  # noqa: N802
                   role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        names = self.sources if orientation == Qt.Orientation.Vertical else self.targets
        return names[section] if 0 <= section < len(names) else None


class CheckMatrix(QTableView):
    """Sources down, targets across, a cell per pair (``CheckMatrixModel``). The cells'
    tooltips (the explanation) are written for the cell under the pointer when Qt asks."""

    current_cell_changed = Signal(int, int)  # row, column (-1, -1: none)

    def __init__(self) -> None:
        super().__init__()
        self.cells = CheckMatrixModel(self)
        self.setModel(self.cells)
        self.design: Getter | None = None  # set by the window: the design's reader
        self.selectionModel().currentChanged.connect(
            lambda now, _before: self.current_cell_changed.emit(now.row(), now.column()))

    @property
    def pairs(self) -> list[dict[str, Any]]:
        return self.cells.pairs

    def rowCount(self) -> int:  # noqa: N802 (as QTableWidget's)
        return len(self.cells.sources)

    def columnCount(self) -> int:  # noqa: N802 (as QTableWidget's)
        return len(self.cells.targets)

    def source(self, row: int) -> str | None:
        """Row ``row``'s header: the place the probes of that row are sent from."""
        return self.cells.sources[row] if 0 <= row < len(self.cells.sources) else None

    def target(self, column: int) -> str | None:
        """Column ``column``'s header: the address probed."""
        return self.cells.targets[column] if 0 <= column < len(self.cells.targets) else None

    def text(self, row: int, column: int) -> str:
        """What the cell shows ("" for a blank one)."""
        index = self.cells.pair_index(row, column)
        return self.cells.texts[index] if index >= 0 else ""

    def pair_at(self, row: int, column: int) -> dict[str, Any] | None:
        """The pair the cell shows; None for a blank cell or none."""
        index = self.cells.pair_index(row, column)
        return self.cells.pairs[index] if index >= 0 else None

    def cell_at(self, point: QPoint) -> tuple[int, int]:
        """(row, column) of the cell at ``point`` of the viewport; (-1, -1) for none."""
        index = self.indexAt(point)
        return (index.row(), index.column()) if index.isValid() else (-1, -1)

    def cell_rect(self, row: int, column: int) -> QRect:
        """Where the cell is drawn in the viewport (empty while scrolled out)."""
        return self.visualRect(self.cells.index(row, column))

    def setCurrentCell(self, row: int, column: int) -> None:  # noqa: N802 (as QTableWidget's)
        self.setCurrentIndex(self.cells.index(row, column))

    def currentRow(self) -> int:  # noqa: N802 (as QTableWidget's)
        return self.currentIndex().row()

    def fit_columns(self) -> None:
        """Each column as wide as its header and its widest text: measured once per
        distinct text (a handful), where resizeColumnsToContents asks the model for every
        cell's size."""
        metrics = self.fontMetrics()
        margin = self._cell_margin(metrics)
        widths: dict[str, int] = {}
        header = self.horizontalHeader()
        for column, texts in enumerate(self.cells.column_texts):
            for text in texts - widths.keys():
                widths[text] = metrics.horizontalAdvance(text) + margin
            widest = max((widths[text] for text in texts), default=0)
            header.resizeSection(column, max(header.sectionSizeHint(column), widest))

    def _cell_margin(self, metrics: QFontMetrics) -> int:
        """What a cell adds to its text's width, as the delegate lays it out (one cell
        asked): the style's focus margins alone came 2 px short, and "✗ (stale)" was
        drawn as "✗ …"."""
        margin = 2 * (self.style().pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin) + 1)
        cells = self.cells
        for row in range(cells.rowCount()):
            for column in range(cells.columnCount()):
                index = cells.index(row, column)
                if cells.pair_index(row, column) >= 0:
                    grid = 1 if self.showGrid() else 0  # as sizeHintForColumn counts it
                    laid_out = self.sizeHintForIndex(index).width() + grid
                    return max(margin, laid_out - metrics.horizontalAdvance(
                        str(cells.data(index))))
        return margin

    def viewportEvent(self, event: QEvent) -> bool:  # noqa: N802 (Qt override)
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            row, column = self.cell_at(event.pos())
            pair = self.pair_at(row, column)
            if pair:
                QToolTip.showText(event.globalPos(), explanation_html(pair, get=self.design),
                                  self.viewport(),
                                  self.cell_rect(row, column))
            else:
                QToolTip.hideText()
            return True
        return super().viewportEvent(event)


class ChecksView(QWidget):
    """Sources down, targets across; click a cell for the why and the fix."""

    pair_selected = Signal(dict)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.theme = theme
        self.result: dict[str, Any] = {}
        self._brushes: dict[tuple[bool, int], QBrush] = {}  # the few of one drawing and theme
        self.measured: dict[str, Any] | None = None  # the last Check's result
        self.stale = False  # the design changed since that Check
        # the design's meaning digest when that Check came in ("": none, or the deployment
        # changed since, which no edit of the design undoes)
        self.measured_design = ""
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel("No check yet.")
        self.heading.setWordWrap(True)  # a sentence saying why nothing was checked
        layout.addWidget(self.heading)
        splitter = QSplitter(Qt.Orientation.Horizontal)
        self.matrix = CheckMatrix()
        self.matrix.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        # No selection highlight: it would hide the verdict colour; the current cell keeps
        # its focus frame and drives the explanation.
        self.matrix.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.matrix.current_cell_changed.connect(self._on_cell)
        self.matrix_ring = FocusRing(self.matrix)  # no current cell yet: the keys are seen here

        # rows as tall as their text (the style's default is ~30 px: one row of a 1024×700
        # window's dock); a stale cell's two lines still get both
        self.matrix.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        splitter.addWidget(self.matrix)
        self.explanation = QTextBrowser()
        self.explanation.setPlaceholderText("Select a cell to see why, and the fix.")
        # the fix under the why, not under the matrix: the matrix keeps the dock's height
        self.fix_bar = FixBar()
        why = QWidget()
        column = QVBoxLayout(why)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.explanation, 1)
        column.addWidget(self.fix_bar)
        splitter.addWidget(why)
        splitter.setSizes([520, 380])
        layout.addWidget(splitter)
        # set by the window: the fix of a cell that is an edit of the design as it is now
        self.fix_for: Callable[[dict[str, Any]], Fix | None] | None = None

    def show_result(self, result: dict[str, Any], measured: bool, design: str = "") -> None:
        """Fill the matrix; ``measured`` False means predictions only (lighter style);
        ``design``: the meaning digest of the design a measurement was made beside.

        Predictions after an edit (``mark_stale``) come beside the last measurement, which
        stays visible, marked stale; predictions while the measurement is current are
        already in it and change nothing.
        """
        if measured:
            self.measured, self.stale, self.measured_design = result, False, design
        elif self.measured is not None and not self.stale:
            return
        elif self.measured is not None:
            self._draw(with_stale_measurement(self.measured, result), False)
            self.heading.setText("Stale: measured before your last edit. Each cell shows the"
                                 " prediction for the edited design, then what was measured;"
                                 " Check again to measure.")
            return
        self._draw(result, measured)

    def design_changed(self, design: str) -> None:
        """The design was edited; ``design``: its meaning digest now. Back to the very design
        the last Check was made beside (an Undo), the measurement is current again; else it
        is stale."""
        if self.measured is None or not self.measured_design or design != self.measured_design:
            self.mark_stale()
        elif self.stale:
            self.stale = False
            self._draw(self.measured, True)

    def mark_stale(self, before: str = "your last edit; Check again to measure the edited"
                   " design", deployment: bool = False) -> None:
        """The design was edited, or the deployment changed (``deployment``: Apply, Destroy),
        for good: the measurement no longer describes what is there. ``before`` ends the
        heading's sentence."""
        if deployment:
            self.measured_design = ""
        if self.measured is not None:
            if not self.stale:
                self.stale = True
                self._draw(with_stale_measurement(self.measured, {"pairs": []}), False)
            self.heading.setText(f"Stale: measured before {before}.")

    def forget_measurement(self) -> None:
        """Another document: its checks start from nothing."""
        self.measured, self.stale, self.measured_design = None, False, ""

    def _draw(self, result: dict[str, Any], measured: bool) -> None:
        self.result = result
        pairs = [p for p in result.get("pairs", []) if p.get("role") != "self"]
        sources = list(dict.fromkeys(str(p.get("source")) for p in pairs))
        targets = column_order(result.get("pairs", []), sources)
        brushes: dict[tuple[bool, int], QBrush] = {}
        self._brushes = brushes  # emptied by a theme switch, so the cells are coloured anew
        self.matrix.cells.show(pairs, sources, targets,
                               lambda pair: self._brush(pair, measured, brushes))
        self.matrix.fit_columns()
        every = result.get("pairs", [])
        mismatches = sum(1 for p in every if p.get("match") is False)
        if not pairs:  # zero pairs are no pass: say what there was (not) to check
            self.heading.setText(nothing_heading(result, measured))
        elif measured:
            sent = dict.fromkeys(f"{p['source']}'s row from {p['sent_from']}" for p in pairs
                                 if p.get("sent_from"))
            hidden = [f"{p.get('source')} → {_target(p)}" for p in every
                      if p.get("role") == "self" and p.get("match") is False]
            self.heading.setText(
                f"Measured: {pair_count(every)}, {mismatches}"
                f" {agreeing(mismatches, 'differs', 'differ')} from the prediction."
                + (f" Differs on its own address (a blank cell): {', '.join(hidden)}."
                   if hidden else "") + "".join(f" Sent {s}." for s in sent))
        else:
            self.heading.setText(f"Predicted from the design ({pair_count(every)}); nothing"
                                 " measured yet.")
        if any(p.get("services") for p in pairs):
            self.heading.setText(f"{self.heading.text()} {PORTS_NOTE}")
        self.explanation.clear()
        self.fix_bar.show_fix(None)

    def _brush(self, pair: dict[str, Any], measured: bool,
               made: dict[tuple[bool, int], QBrush]) -> QBrush:
        """The cell's colour; ``made`` keeps the few distinct brushes of one drawing."""
        observed = (pair.get("observed") or {}).get("verdict")
        verdict = observed or (pair.get("predicted") or {}).get("verdict")
        if pair.get("stale_only"):
            verdict = (pair.get("stale_observed") or {}).get("verdict")
        key = (verdict == "reachable",
               200 if measured and observed else 35 if pair.get("stale_only") else 70)
        if key not in made:
            colour = QColor(self.theme.reachable if key[0] else self.theme.unreachable)
            colour.setAlpha(key[1])
            made[key] = QBrush(colour)
        return made[key]

    def set_theme(self, theme: Theme) -> None:
        """Follow a light/dark palette switch: the cells are coloured again, the result, the
        current cell and its explanation stay (the explanation's text is the palette's)."""
        self.theme = theme
        self._brushes.clear()
        self.matrix.cells.recolour()

    def cell(self, source: str, target: str) -> dict[str, Any] | None:
        """The pair of the cell from ``source`` to ``target`` (an address or its label)."""
        return next((dict(pair) for pair in self.matrix.pairs if pair.get("source") == source
                     and target in (pair.get("target"), pair.get("target_name"))), None)

    def focus_source(self, source: str) -> bool:
        """Make the first measured cell of ``source``'s row current (its why and path
        follow): not the blank cell of a place to its own address, which explains nothing."""
        for row in range(self.matrix.rowCount()):
            if self.matrix.source(row) == source and self.matrix.columnCount():
                column = next((c for c in range(self.matrix.columnCount())
                               if self.matrix.pair_at(row, c)), 0)
                self.matrix.setCurrentCell(row, column)
                self.matrix.setFocus()
                return True
        return False

    def clear_result(self, message: str) -> None:
        """No predictions (``message`` says why); a stale measurement stays in view."""
        if self.measured is not None:
            self.mark_stale()
            self.heading.setText(f"{message} The last measurement stays, stale.")
            return
        self.result = {}
        self.matrix.cells.show([], [], [], QBrush)
        self.heading.setText(message)
        self.explanation.clear()
        self.fix_bar.show_fix(None)

    def _on_cell(self, row: int, column: int) -> None:
        pair = self.matrix.pair_at(row, column)
        if pair:
            fix = self.fix_for(pair) if self.fix_for is not None else None
            self.explanation.setHtml(explanation_html(pair, fix.label if fix else None,
                                                      self.matrix.design))
            self.fix_bar.show_fix(fix)
            self.pair_selected.emit(dict(pair))
        else:  # a row's own blank cell: the last cell's why would read as this one's
            self.explanation.clear()
            self.fix_bar.show_fix(None)
