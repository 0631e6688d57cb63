"""The readability counts (gui/canvas/metrics.py) on drawings small enough to check by eye."""

from __future__ import annotations

from netwright.gui.canvas.metrics import DrawnWire, measure, wires_cross


def test_crossings_count_proper_and_corner_crossings_not_shared_ends() -> None:
    assert wires_cross([(0, 0), (10, 10)], [(0, 10), (10, 0)])  # an X
    assert wires_cross([(0, 0), (5, 5), (10, 10)], [(0, 10), (5, 5), (10, 0)])  # at a corner
    assert not wires_cross([(0, 0), (10, 10)], [(0, 0), (10, -10)])  # one port, two wires
    assert not wires_cross([(0, 0), (10, 0)], [(0, 5), (10, 5)])  # parallel


def test_wires_through_foreign_boxes_and_overlapping_boxes() -> None:
    boxes = {"a": (0.0, 0.0, 10.0, 10.0), "b": (100.0, 0.0, 110.0, 10.0),
             "c": (50.0, -5.0, 60.0, 15.0), "d": (55.0, 10.0, 70.0, 30.0)}
    through = DrawnWire([(5.0, 5.0), (105.0, 5.0)], frozenset({"a", "b"}))
    around = DrawnWire([(5.0, 5.0), (5.0, 40.0), (105.0, 40.0), (105.0, 5.0)],
                       frozenset({"a", "b"}))
    assert measure(boxes, [through]).wires_through_boxes == 1  # c, not its own a and b
    counts = measure(boxes, [around])
    assert (counts.wire_crossings, counts.wires_through_boxes, counts.box_overlaps) == (0, 0, 1)
