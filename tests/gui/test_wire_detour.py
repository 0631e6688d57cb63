"""A veth between ports of two bridges was drawn straight across the namespace box between
them (it looked like one of the namespace's links): it goes round boxes it does not belong
to, and straightens again when the box is moved out of its way."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPointF, QRectF
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

DESIGN = """\
netwright: 1
name: bridges
namespaces:
  mid: {}
interfaces:
  br0: {kind: bridge, addresses: [10.1.0.1/24]}
  br1: {kind: bridge, addresses: [10.2.0.1/24]}
  a: {kind: veth, master: br0, peer: b}
  b: {kind: veth, master: br1, peer: a}
  m0: {kind: veth, namespace: mid, peer: m1, addresses: [10.3.0.2/24]}
  m1: {kind: veth, peer: m0, addresses: [10.3.0.1/24]}
layout:
  br0: {x: -300, y: 0}
  br1: {x: 300, y: 0}
  mid: {x: 0, y: -20}
  m1: {x: 0, y: 200}
"""


def _inside(path_points: list[QPointF], rect: QRectF) -> list[QPointF]:
    inner = rect.adjusted(2, 2, -2, -2)
    return [p for p in path_points if inner.contains(p)]


def _points(window: MainWindow) -> list[QPointF]:
    wire = next(w for w in window.scene.wires.values() if {w.a, w.b} == {"a", "b"})
    return [wire.path.pointAtPercent(i / 200) for i in range(201)]


def test_a_wire_goes_round_a_box_it_does_not_belong_to(window: MainWindow,
                                                         tmp_path: Path) -> None:
    path = tmp_path / "bridges.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    QApplication.processEvents()
    mid = window.scene.nodes["mid"]
    box = mid.mapRectToScene(mid.shape().boundingRect())
    assert _inside(_points(window), box) == []
    wire = next(w for w in window.scene.wires.values() if {w.a, w.b} == {"a", "b"})
    assert wire.path.elementCount() > 4  # a detour, still from port to port
    ends = {(round(p.x()), round(p.y())) for p in (wire.line.p1(), wire.line.p2())}
    assert ends == {(round(wire.path.pointAtPercent(t).x()), round(wire.path.pointAtPercent(t).y()))
                    for t in (0.0, 1.0)}
    window.scene.nodes["mid"].setPos(QPointF(0, -400))  # out of its way: straight again
    QApplication.processEvents()
    assert wire.path.elementCount() <= 4


def test_a_wire_through_many_boxes_stays_straight_and_the_index_finds_only_near_ones(
        ) -> None:
    """A way round five boxes in a row would be longer than the row: the wire stays as it
    is (``MOST_BOXES``); one box is gone round. The box index hands a wire only the boxes
    that meet its area, its own left out."""
    from PySide6.QtGui import QPainterPath

    from netwright.gui.canvas.detour import MOST_BOXES, BoxIndex, around, crossed

    row = {f"b{i}": QRectF(100 + i * 150, -40, 100, 80) for i in range(MOST_BOXES + 1)}
    index = BoxIndex({**row, "far": QRectF(100, 900, 100, 80), "own": QRectF(0, -40, 50, 80)})
    start, end = QPointF(0, 0), QPointF(1200, 0)
    straight = QPainterPath(start)
    straight.cubicTo(QPointF(400, 0), QPointF(800, 0), end)
    area = straight.controlPointRect().adjusted(-1, -1, 1, 1)
    assert sorted(index.near(area, {"own"}), key=QRectF.left) == list(row.values())
    assert len(crossed(straight, lambda a: index.near(a, {"own"}))) == MOST_BOXES + 1
    out, into = QPointF(1, 0), QPointF(-1, 0)
    assert around(start, out, end, into, path=straight,
                  near=lambda a: index.near(a, {"own"})) is straight
    one = BoxIndex({"b0": row["b0"]})
    detour = around(start, out, end, into, path=straight, near=one.near)
    assert detour is not straight and crossed(detour, one.near) == []
