"""Where a copy goes: Duplicate and Paste share it.

Paste moved a copy 40 px down and right, on top of its original and of whatever was below;
Duplicate already looked for free room. Both now move the copy by the offset found here: to
the free spot nearest the copied items' right, on the snap grid.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from PySide6.QtCore import QPointF, QRectF

from netwright.gui.canvas.free_spot import GAP, clear_offset
from netwright.gui.canvas.items import (
    NAMESPACE_WIDTH,
    NODE_HEIGHT,
    NODE_WIDTH,
    NodeItem,
    namespace_height,
)


def copy_offset(fragment: Mapping[str, Any], nodes: Mapping[str, NodeItem],
                step: float) -> QPointF:
    """How far a copy of ``fragment`` goes from its layout positions (Duplicate and Paste)."""
    occupied = [node.mapRectToScene(node.shape().boundingRect()) for node in nodes.values()]
    return room_beside(occupied, fragment_rect(fragment, nodes), step)


def room_beside(occupied: Iterable[QRectF], group: QRectF, step: float) -> QPointF:
    """How far to move items covering ``group`` so they cover none of ``occupied``: to the
    free grid point nearest ``group``'s right."""
    return clear_offset(occupied, group, step, group.center() + QPointF(group.width() + GAP, 0))


def fragment_rect(fragment: Mapping[str, Any], nodes: Mapping[str, NodeItem]) -> QRectF:
    """The room a copied fragment takes at its layout positions: each item's box as drawn
    (its original's, if still on the canvas), else as a new one of its kind would be."""
    namespaces = fragment.get("namespaces") or {}
    interfaces = fragment.get("interfaces") or {}
    group = QRectF()
    for key, (x, y) in (fragment.get("layout") or {}).items():
        node = nodes.get(key)
        if node is not None:
            box = node.shape().boundingRect()
        elif key in namespaces:
            ports = sum(1 for link in interfaces.values() if link.get("namespace") == key)
            box = QRectF(-NAMESPACE_WIDTH / 2, 0, NAMESPACE_WIDTH, namespace_height(ports))
        else:
            box = QRectF(-NODE_WIDTH / 2, -NODE_HEIGHT / 2, NODE_WIDTH, NODE_HEIGHT)
        group = group.united(box.translated(float(x), float(y)))
    return group
