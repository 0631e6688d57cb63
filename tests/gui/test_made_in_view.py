"""What the palette adds at the view's centre (double-click, Enter) and what the Menu key
opens its menu on are scrolled into view only as far as they need, keeping as much of the
design in view as that allows (``CanvasView.reveal``, as for a paste): with
``ensureVisible``'s margin, an item at the right edge of a design that just fits took the
design's left edge out of view (1024x700). A host NIC dropped above the host frame landed
partly out of view: it was scrolled in before the frame, and the scene's room, grew upward
to hold it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from gestures import drop_kind
from PySide6.QtCore import QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow

DOCKER = Path(__file__).resolve().parents[2] / "examples" / "docker-bridge.yaml"
ROOM = 6  # viewport pixels left of and right of the design: less than the margins


def _on_screen(window: MainWindow, key: str) -> QRect:
    item = window.scene.item_for(key)
    assert item is not None
    return window.view.mapFromScene(item.sceneBoundingRect()).boundingRect()


def _drawing(window: MainWindow) -> QRect:
    """Every box on the canvas, in viewport pixels."""
    rect = QRect()
    for key in window.scene.nodes:
        rect = rect.united(_on_screen(window, key))
    return rect


def _just_fitting(window: MainWindow) -> None:
    """Zoom so the design is ``2 * ROOM`` px narrower than the view, centred in it."""
    view = window.view
    width = view.viewport().width()
    view.zoom_by((width - 2 * ROOM) / _drawing(window).width())
    bar = view.horizontalScrollBar()
    bar.setValue(bar.value() + round(_drawing(window).center().x() - width / 2))
    QApplication.processEvents()
    assert view.viewport().rect().contains(_drawing(window))


def _in_view(window: MainWindow, key: str) -> None:
    shown = window.view.viewport().rect()
    assert shown.contains(_on_screen(window, key)), (_on_screen(window, key), shown)
    assert shown.contains(_drawing(window)), (_drawing(window), shown)


def test_an_interface_added_in_a_namespace_keeps_the_design_in_view(started: Any) -> None:
    """c1 (at the design's right edge) selected, the palette's veth pair added into it: its
    port, at c1's right side, came in with a 40 px margin, the design's left edge out."""
    window = started(1024, 700, DOCKER)
    _just_fitting(window)
    window.scene.select_keys(["c1"])
    before = set(window.document.snapshot.interfaces)
    window.palette_list.add_requested.emit("veth")
    QApplication.processEvents()
    made = sorted(set(window.document.snapshot.interfaces) - before)
    inside = [key for key in made
              if window.document.snapshot.interfaces[key].get("namespace") == "c1"]
    assert inside, made
    _in_view(window, inside[0])


def test_the_menu_key_keeps_the_design_in_view(started: Any) -> None:
    """c1, at the design's right edge, selected, and the Menu key pressed (Shift+F10, which
    the view turns into the same event): the menu opens on c1, scrolled in without taking
    the design's left edge out of view."""
    window = started(1024, 700, DOCKER)
    _just_fitting(window)
    window.scene.select_keys(["c1"])
    opened: list[object] = []
    window.scene.context_requested.disconnect()
    window.scene.context_requested.connect(lambda target, _at: opened.append(target))
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_F10, Qt.KeyboardModifier.ShiftModifier)
    QApplication.processEvents()
    assert opened == ["c1"]
    _in_view(window, "c1")


def test_a_host_nic_dropped_above_the_frame_is_in_view(started: Any) -> None:
    """The canvas scrolled to its top, the frame close under it, a NIC let go a few pixels
    under the view's top edge: it is drawn about its drop point, above the scene's room as it
    was, so the scroll could not bring it in; the room grew afterwards, the view stayed."""
    window = started(1024, 700, DOCKER)
    view, scene = window.view, window.scene
    scene.update_frame()
    bar = view.verticalScrollBar()
    bar.setValue(bar.minimum())
    QApplication.processEvents()
    frame = view.mapFromScene(scene.frame.sceneBoundingRect()).boundingRect()
    assert frame.top() > 6  # the drop point is above the frame's top edge, in view
    before = set(window.document.snapshot.nics)
    assert drop_kind(view, "nic", view.mapToScene(frame.center().x(), 6))
    QApplication.processEvents()
    [nic] = set(window.document.snapshot.nics) - before
    shown = view.viewport().rect()
    assert shown.contains(_on_screen(window, nic)), (_on_screen(window, nic), shown)


def test_the_frame_grown_for_a_dropped_nic_shows_its_top_edge(started: Any) -> None:
    """The same drop: the frame grows upward to hold the NIC (its edge 80 units above the
    NIC's top, the NIC's margin 40 px), and the frame's new top edge is scrolled in with it;
    measured by the boxes alone, it stayed just above the view, so the NIC seemed to sit
    outside the host."""
    window = started(1024, 700, DOCKER)
    view, scene = window.view, window.scene
    scene.update_frame()
    bar = view.verticalScrollBar()
    bar.setValue(bar.minimum())
    QApplication.processEvents()
    frame = view.mapFromScene(scene.frame.rect()).boundingRect()
    assert frame.top() > 6
    before = set(window.document.snapshot.nics)
    assert drop_kind(view, "nic", view.mapToScene(frame.center().x(), 6))
    QApplication.processEvents()
    [nic] = set(window.document.snapshot.nics) - before
    grown = view.mapFromScene(scene.frame.rect()).boundingRect()
    assert grown.top() < frame.top() - 20  # the frame did grow upward for the NIC
    shown = view.viewport().rect()
    assert shown.top() <= grown.top() < shown.bottom(), (grown, shown)
    assert shown.contains(_on_screen(window, nic)), (_on_screen(window, nic), shown)
