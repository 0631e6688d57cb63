"""The inspector's impairment fields: typed like a user, each edit one undo step, a bad value
refused with the model's sentence, the last field emptied removing the whole mapping; and the
wire that carries the interface's packets labelled with Impairment.summary()."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLineEdit

from netwright.gui.window.main import MainWindow

IMPAIRMENT = ("interfaces", "ipvlan1", "impairment")


def _type(editor: QLineEdit, text: str) -> None:
    """Type like a user: select all, type the text (or clear it), press Enter."""
    editor.setFocus()
    editor.selectAll()
    if text:
        QTest.keyClicks(editor, text)
    else:
        QTest.keyClick(editor, Qt.Key.Key_Delete)
    QTest.keyClick(editor, Qt.Key.Key_Return)


def _editor(window: MainWindow, name: str) -> QLineEdit:
    editor = window.inspector.editors[f"impairment.{name}"]
    assert isinstance(editor, QLineEdit)
    return editor


def test_each_impairment_edit_is_one_undo_step(window: MainWindow, seed: Path) -> None:
    window.open_path(seed)
    window.scene.select_keys(["ipvlan1"])
    stack = window.document.undo_stack
    start = stack.count()
    _type(_editor(window, "delay"), "40ms")
    _type(_editor(window, "jitter"), "5ms")
    _type(_editor(window, "loss"), "1%")
    _type(_editor(window, "rate"), "10mbit")
    assert window.document.get(IMPAIRMENT) == {"delay": "40ms", "jitter": "5ms", "loss": "1%",
                                               "rate": "10mbit"}
    assert stack.count() == start + 4 and stack.undoText() == "Change ipvlan1 rate limit"
    assert not window.document.problems or all(
        p.path[:3] != IMPAIRMENT for p in window.document.problems)
    window.undo_action.trigger()
    assert window.document.get((*IMPAIRMENT, "rate")) is None
    assert _editor(window, "rate").text() == ""
    window.redo_action.trigger()
    assert _editor(window, "rate").text() == "10mbit"
    for _ in range(4):
        window.undo_action.trigger()
    assert window.document.get(IMPAIRMENT) is None
    assert "impairment" not in window.document.render()


def test_a_bad_value_shows_the_models_sentence(window: MainWindow, seed: Path) -> None:
    window.open_path(seed)
    window.scene.select_keys(["ipvlan1"])
    before, count = window.document.render(), window.document.undo_stack.count()
    _type(_editor(window, "loss"), "1")
    error = window.inspector.errors["impairment.loss"]
    assert error.isVisibleTo(window.inspector)
    assert error.text() == "'1' is not a percentage: write it with %, e.g. 1% or 0.5%"
    _type(_editor(window, "jitter"), "5ms")
    assert "jitter needs a delay to act on" in window.inspector.errors["impairment.jitter"].text()
    _type(_editor(window, "rate"), "fast")
    assert "'fast' is not a rate" in window.inspector.errors["impairment.rate"].text()
    assert window.document.render() == before
    assert window.document.undo_stack.count() == count
    _type(_editor(window, "loss"), "1%")  # corrected: applied, its sentence gone
    assert not error.isVisibleTo(window.inspector)
    assert window.document.get((*IMPAIRMENT, "loss")) == "1%"


def test_a_refused_value_stays_typed_while_other_fields_are_edited(
        window: MainWindow, seed: Path) -> None:
    """'lots' typed in Loss (refused), then a Delay typed: the Delay's edit refreshed the
    form, which emptied Loss and left "'lots' is not a percentage" under an empty field.
    The refused text stays under its sentence; corrected, it applies."""
    window.open_path(seed)
    window.scene.select_keys(["ipvlan1"])
    loss, error = _editor(window, "loss"), window.inspector.errors["impairment.loss"]
    _type(loss, "lots")
    _type(_editor(window, "delay"), "30ms")
    assert window.document.get(IMPAIRMENT) == {"delay": "30ms"}
    assert loss.text() == "lots" and error.isVisibleTo(window.inspector)
    window.undo_action.trigger()  # an undo refreshes the form too
    assert loss.text() == "lots" and error.isVisibleTo(window.inspector)
    _type(loss, "2%")
    assert window.document.get((*IMPAIRMENT, "loss")) == "2%"
    assert not error.isVisibleTo(window.inspector)


def test_emptying_the_last_field_removes_the_impairment(window: MainWindow,
                                                        seed: Path) -> None:
    window.open_path(seed)
    window.scene.select_keys(["ipvlan1"])
    _type(_editor(window, "delay"), "40ms")
    _type(_editor(window, "jitter"), "5ms")
    _type(_editor(window, "delay"), "")  # the jitter still needs it: refused
    assert "jitter needs a delay" in window.inspector.errors["impairment.delay"].text()
    assert window.document.get((*IMPAIRMENT, "delay")) == "40ms"
    _type(_editor(window, "jitter"), "")
    _type(_editor(window, "delay"), "")
    assert window.document.get(IMPAIRMENT) is None
    assert "impairment" not in window.document.render()
    window.undo_action.trigger()
    assert window.document.get(IMPAIRMENT) == {"delay": "40ms"}


VETH_PAIR = """netwright: 1
name: pair
namespaces: {a: {}, b: {}}
interfaces:
  a0: {kind: veth, peer: b0, namespace: a, name: eth0, impairment: {delay: 40ms, jitter: 5ms,
                                                                     loss: 1%, rate: 10mbit}}
  b0: {kind: veth, peer: a0, namespace: b}
"""


def test_the_wire_says_what_the_impairment_does(window: MainWindow, seed: Path) -> None:
    window.open_path(seed)
    window.scene.select_keys(["ipvlan1"])
    wire = next(w for w in window.scene.wires.values() if w.relation == "parent"
                and w.a == "ipvlan1")
    assert wire.label is None
    for name, text in (("delay", "40ms"), ("jitter", "5ms"), ("loss", "1%"),
                       ("rate", "10mbit")):
        _type(_editor(window, name), text)
    assert wire.label is not None and wire.label.isVisible()
    assert wire.label.text == "40 ms ±5 · 1 % loss · 10 Mbit/s"
    middle = wire.path.pointAtPercent(0.5)
    assert (wire.label.scenePos() - middle).manhattanLength() < 1
    window.undo_action.trigger()  # the rate limit
    assert wire.label.text == "40 ms ±5 · 1 % loss"
    for _ in range(3):
        window.undo_action.trigger()
    assert wire.label is None


def test_both_ends_of_a_pair_are_named(window: MainWindow, tmp_path: Path) -> None:
    design = tmp_path / "pair.yaml"
    design.write_text(VETH_PAIR)
    window.open_path(design)
    wire = next(w for w in window.scene.wires.values() if w.relation == "peer")
    assert wire.label is not None and wire.label.text == "40 ms ±5 · 1 % loss · 10 Mbit/s"
    window.scene.select_keys(["b0"])
    _type(_editor(window, "rate"), "1mbit")
    assert wire.label.text == "a0 (eth0): 40 ms ±5 · 1 % loss · 10 Mbit/s\nb0: 1 Mbit/s"
    _type(_editor(window, "rate"), "slow")  # refused: the label keeps what the file says
    assert wire.label.text.endswith("b0: 1 Mbit/s")


def test_the_wire_label_on_a_short_wire_draws_over_no_box(window: MainWindow) -> None:
    """A veth between a bridge and a namespace is shorter than "40 ms · 1 % loss": the label
    was a child of the wire (under every box, both ends hidden), then drawn over both boxes'
    edges. Now it goes where it meets no box, in fewer words if it must (the whole text in
    its tooltip), and stays above the boxes' layer."""
    from PySide6.QtCore import QRectF
    from PySide6.QtGui import QFontMetricsF

    from netwright.gui.canvas.items import NodeItem
    from netwright.gui.canvas.wire_labels import _font

    examples = Path(__file__).resolve().parents[2] / "examples"
    window.open_path(examples / "docker-bridge.yaml")
    window.scene.select_keys(["veth-c1"])
    _type(_editor(window, "delay"), "40ms")
    _type(_editor(window, "loss"), "1%")
    wire = next(w for w in window.scene.wires.values() if w.relation == "peer"
                and "veth-c1" in (w.a, w.b))
    label = wire.label
    assert label is not None and label.isVisible()
    assert label.text == "40 ms · 1 % loss"
    drawn = label.sceneBoundingRect()
    boxes = [item.mapRectToScene(item.shape().boundingRect()) for item in window.scene.items()
             if isinstance(item, NodeItem)]
    metrics = QFontMetricsF(_font())  # the whole text, one line, at the wire's middle
    width, height = metrics.horizontalAdvance(label.text), metrics.height()
    whole = QRectF(-width / 2, -height / 2, width, height).translated(
        wire.path.pointAtPercent(0.5))
    assert any(box.intersects(whole) for box in boxes), "the wire is long: the test shows nothing"
    assert not [box for box in boxes if box.intersects(drawn)], drawn
    assert getattr(label, "shown", label.text) == label.text or label.toolTip() == label.text
    assert label.zValue() > max(item.zValue() for item in window.scene.items()
                                if isinstance(item, NodeItem))
    wire.hide()  # a hidden wire's label goes with it, and so does a removed one
    assert not label.isVisible()
    wire.show()
    assert label.isVisible()
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert wire.label is None and label.scene() is None


def test_an_empty_fields_hint_is_whole_in_its_tooltip(window: MainWindow, seed: Path) -> None:
    """At 1024×700 the Inspector showed "e.g. 5ms (need…" and "e.g. 10% (needs …": what
    Jitter and Reordering need was cut off with nowhere to read it whole."""
    window.open_path(seed)
    window.scene.select_keys(["ipvlan1"])
    jitter = _editor(window, "jitter")
    assert jitter.toolTip() == jitter.placeholderText() == "e.g. 5ms (needs a delay)"
    _type(_editor(window, "delay"), "40ms")
    _type(jitter, "5ms")
    assert jitter.toolTip() == "5ms"
    _type(jitter, "")
    assert jitter.toolTip() == "e.g. 5ms (needs a delay)"
