"""Where a wire's impairment label goes, and in what words, so that it never draws over a box.

A wire between a bridge and a namespace beside it is often shorter than "40 ms · 1 % loss":
centred on the wire, the label covered both boxes' edges. So the label tries, in order, its
whole text on one line, then one part a line ("40 ms" over "1 % loss"), then those lines
shortened with "…"; each at the wire's middle, then a little to either side across and
along the wire; the first that meets no box wins. When none fits (the boxes touch), no
label: the wire's tooltip and the Inspector say the impairment. Pure geometry with Qt's
value types; no items.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QFontMetricsF

#: The boxes (scene rectangles) that meet an area.
Boxes = Callable[[QRectF], list[QRectF]]

PADDING = 2.0
SEP = " · "
STEP = 6.0  # how far each further try moves the label
TRIES = 6  # tries each way: up to 36 px from the wire's middle
SHORTEST = 3  # characters a shortened line keeps at least (with its "…")


def text_rect(metrics: QFontMetricsF, text: str) -> QRectF:
    """The label's rectangle (padding included) centred on (0, 0)."""
    lines = text.split("\n")
    width = max(metrics.horizontalAdvance(line) for line in lines)
    height = metrics.height() * len(lines)
    return QRectF(-width / 2 - PADDING, -height / 2 - PADDING,
                  width + 2 * PADDING, height + 2 * PADDING)


def _variants(metrics: QFontMetricsF, text: str) -> Iterator[str]:
    """The whole text, then a part a line, then those lines ever shorter with "…"."""
    yield text
    stacked = "\n".join(part for line in text.split("\n") for part in line.split(SEP))
    if stacked != text:
        yield stacked
    lines = stacked.split("\n")
    width = max(metrics.horizontalAdvance(line) for line in lines)
    shortest = metrics.horizontalAdvance("W" * SHORTEST + "…")
    while width > shortest:
        width -= STEP
        yield "\n".join(metrics.elidedText(line, Qt.TextElideMode.ElideRight, width)
                        for line in lines)


def _spots(middle: QPointF, across: QPointF, along: QPointF) -> Iterator[QPointF]:
    yield middle
    for step in range(1, TRIES + 1):
        for sign in (1, -1):
            yield middle + across * (sign * step * STEP)
            yield middle + along * (sign * step * STEP)


def fit_label(metrics: QFontMetricsF, text: str, middle: QPointF, along: QPointF,
              boxes: Boxes) -> tuple[str, QPointF] | None:
    """The words and the centre (scene) for ``text`` near ``middle``, where the wire runs
    in direction ``along`` (a unit vector): the first try that meets none of ``boxes``;
    None if every one does."""
    across = QPointF(-along.y(), along.x())
    for words in _variants(metrics, text):
        rect = text_rect(metrics, words)
        for spot in _spots(middle, across, along):
            if not boxes(rect.translated(spot)):
                return words, spot
    return None
