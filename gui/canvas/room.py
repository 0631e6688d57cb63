"""Room for a box that grew: a namespace (or bridge) that got another port is taller, and was
drawn over the box below or beside it.

Decides, from the boxes' rectangles on the canvas, where the grown box and its neighbours go
so that nothing the change made overlaps: first the grown box alone, growing in a free
direction (about its centre as drawn, else downwards, else upwards); when no direction is
free, it grows downwards and pushes what it now meets further down, and so on below. Only
contacts the change made count: boxes the user put on top of each other stay where they are.
Reads rectangles only; the canvas turns the answer into layout edits of the same undo step.
"""

from __future__ import annotations

import math

from PySide6.QtCore import QRectF

from netwright.gui.canvas.free_spot import GAP  # the room kept around every item


def _meets(a: QRectF, b: QRectF) -> bool:
    """Closer than GAP (or overlapping)."""
    return a.adjusted(-GAP / 2, -GAP / 2, GAP / 2, GAP / 2).intersects(
        b.adjusted(-GAP / 2, -GAP / 2, GAP / 2, GAP / 2))


def _away(value: float, step: float) -> float:
    """``value`` rounded away from zero to a multiple of ``step`` (the grid), if any."""
    if step <= 0:
        return value
    return math.copysign(math.ceil(abs(value) / step - 1e-9) * step, value)


def room_shifts(rects: dict[str, QRectF], grown: dict[str, float],
                step: float = 0.0) -> dict[str, float]:
    """Vertical shifts (key → dy) that keep the boxes in ``grown`` (key → height before)
    from meeting anything they did not meet before; ``rects``: every item's rectangle now
    (the grown ones at their new height), in scene coordinates; ``step``: the grid."""
    before = dict(rects)
    for key, height in grown.items():
        rect = rects[key]
        before[key] = QRectF(rect.left(), rect.center().y() - height / 2, rect.width(), height)
    now = dict(rects)
    shifts: dict[str, float] = {}
    for key, height in grown.items():
        growth = now[key].height() - height
        if growth <= 0:
            continue

        def fresh_contacts(rect: QRectF, of: str = key) -> list[str]:
            return [other for other, there in now.items() if other != of
                    and _meets(rect, there) and not _meets(before[of], before[other])]

        free = next((dy for dy in (0.0, _away(growth / 2, step), -_away(growth / 2, step))
                     if not fresh_contacts(now[key].translated(0, dy))), None)
        if free is not None:
            _shift(now, shifts, key, free)
            continue
        _shift(now, shifts, key, _away(growth / 2, step))  # grows down, pushing what is below
        queue, pushed = [key], 0
        while queue and pushed < len(now) ** 2:  # every push is downwards: this ends
            mover = queue.pop(0)
            for other in fresh_contacts(now[mover], mover):
                if other == key:
                    continue  # the grown box has its place; the others make room
                need = now[mover].bottom() + GAP - now[other].top()
                if need > 0:
                    _shift(now, shifts, other, _away(need, step))
                    queue.append(other)
                    pushed += 1
    return {key: dy for key, dy in shifts.items() if dy}


def _shift(now: dict[str, QRectF], shifts: dict[str, float], key: str, dy: float) -> None:
    now[key] = now[key].translated(0, dy)
    shifts[key] = shifts.get(key, 0.0) + dy
