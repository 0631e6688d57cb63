"""Packet rules on the canvas: shields with a summary, NAT beside the uplink, in exports.

The docker-like design: the host forwards and masquerades out of wlp2s0, c1's input drops
by default. Tooltips are read as the user gets them (a help event at the shield's spot).
"""

from __future__ import annotations

from pathlib import Path

from fw_design import DESIGN
from PySide6.QtCore import QEvent
from PySide6.QtGui import QHelpEvent
from PySide6.QtWidgets import QApplication, QToolTip

from netwright.gui.canvas.export import render_svg
from netwright.gui.canvas.rule_marks import NatLabel, RuleBadge
from netwright.gui.docks.packet_panel import PacketPanel
from netwright.gui.window.main import MainWindow


def _open(window: MainWindow, tmp_path: Path, text: str = DESIGN) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text(text)
    assert window.open_path(path)
    window.scene.update_frame()


def _marks(window: MainWindow, key: str, kind: type) -> list:  # type: ignore[type-arg]
    item = window.scene.item_for(key)
    assert item is not None
    return [child for child in item.childItems() if isinstance(child, kind)]


def _tooltip_at(window: MainWindow, mark) -> str:  # type: ignore[no-untyped-def]
    view = window.view
    view.centerOn(mark)
    QApplication.processEvents()
    point = view.mapFromScene(mark.sceneBoundingRect().center())
    event = QHelpEvent(QEvent.Type.ToolTip, point, view.viewport().mapToGlobal(point))
    QApplication.sendEvent(view.viewport(), event)
    QApplication.processEvents()
    return QToolTip.text()


def test_shields_say_what_the_rules_are(window: MainWindow, tmp_path: Path) -> None:
    _open(window, tmp_path)
    [badge] = _marks(window, "c1", RuleBadge)
    assert badge.isVisible()
    assert _tooltip_at(window, badge) == "input: drop by default, 2 rules"
    host = window.scene.rule_marks.host_badge
    assert host.isVisible() and host.caption == "forwarding · NAT"
    assert host.toolTip() == ("host: forwarding: IPv4 on\n"
                              "host: NAT: masquerade 172.17.0.0/16 out wlp2s0")
    assert window.scene.frame.rect().contains(host.sceneBoundingRect())
    assert _marks(window, "veth-c1", RuleBadge) == []


def test_a_bridge_ports_shield_follows_its_rules_and_undo(window: MainWindow,
                                                          tmp_path: Path) -> None:
    _open(window, tmp_path)
    window.scene.select_keys(["veth-c1"])
    QApplication.processEvents()
    panel = window.inspector.packets
    panel.chains["to-port"].policy.setCurrentText("drop")
    panel.chains["to-port"].policy.activated.emit(1)
    [badge] = _marks(window, "veth-c1", RuleBadge)
    assert badge.toolTip() == "to-port: drop by default, 0 rules"
    window.undo_action.trigger()
    assert _marks(window, "veth-c1", RuleBadge) == []


def test_nat_is_written_beside_the_uplink_and_exported(window: MainWindow,
                                                       tmp_path: Path) -> None:
    _open(window, tmp_path)
    [label] = _marks(window, "wlp2s0", NatLabel)
    assert label.lines == ["masquerade 172.17.0.0/16"]
    nic = window.scene.item_for("wlp2s0").sceneBoundingRect()
    near = nic.adjusted(-40, -40, 40, 60)
    assert near.contains(label.sceneBoundingRect().topLeft())
    window.scene.clearSelection()
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    assert panel.nat.add("publish")
    assert label.lines == ["masquerade 172.17.0.0/16", "tcp 8080 → 172.17.0.2:80"]
    svg = tmp_path / "fw.svg"
    render_svg(window.scene, svg)
    text = svg.read_text()
    assert "masquerade 172.17.0.0/16" in text and "172.17.0.2:80" in text
    assert window.scene.frame.rect().contains(label.sceneBoundingRect())


def test_no_rules_no_marks(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    assert not window.scene.rule_marks.host_badge.isVisible()
    assert not any(isinstance(item, RuleBadge | NatLabel) for item in window.scene.items()
                   if item.isVisible())


def test_a_port_shield_survives_its_bridge_being_deleted(window: MainWindow) -> None:
    """Deleting qbr-vm1 took tap-vm1's port item (drawn inside the bridge) and its shield
    with it; the marks still held the deleted shield, and every later redraw raised
    "Internal C++ object (RuleBadge) already deleted", leaving the canvas stale. (The port
    rules now leave with the bridge membership, so the free tap has no shield; Undo brings
    the rules, and the shield on the port drawn anew.)"""
    from PySide6.QtWidgets import QApplication

    examples = Path(__file__).resolve().parents[2] / "examples"
    assert window.open_path(examples / "openstack-linuxbridge.yaml")
    window.scene.select_keys(["qbr-vm1"])
    window.delete_selection()
    QApplication.processEvents()
    assert "qbr-vm1" not in window.scene.nodes
    badge = window.scene.rule_marks.badges.get("tap-vm1")
    assert badge is None or not badge.isVisible() or \
        badge.parentItem() is window.scene.item_for("tap-vm1")
    window.undo_action.trigger()
    QApplication.processEvents()
    assert "qbr-vm1" in window.scene.nodes
    assert window.scene.rule_marks.badges["tap-vm1"].parentItem() is \
        window.scene.item_for("tap-vm1")



def _boxes_under(window: MainWindow, label: NatLabel) -> list[str]:
    """The drawn boxes (their outline, not the items' 10 px padding) the label overlaps."""
    owner = label.parentItem()
    hit = []
    for key, node in window.scene.nodes.items():
        if node is owner or node.isAncestorOf(owner) or node is window.scene.frame:
            continue
        drawn = node.mapRectToScene(node.boundingRect().adjusted(10, 10, -10, -10))
        if drawn.intersects(label.sceneBoundingRect()):
            hit.append(key)
    return hit


def test_a_nat_label_is_placed_where_it_covers_no_box(window: MainWindow) -> None:
    """docker-bridge's masquerade and published port were written under wlp2s0, over the top
    of docker0 just below it; they go beside the uplink where that is free, and move aside
    when an item is dragged where the label is."""
    from netwright.gui.model.commands import MoveCommand
    from netwright.gui.model.document import Edit

    examples = Path(__file__).resolve().parents[2] / "examples"
    assert window.open_path(examples / "docker-bridge.yaml")
    QApplication.processEvents()
    [label] = _marks(window, "wlp2s0", NatLabel)
    assert label.lines[0] == "masquerade 172.17.0.0/16"
    assert _boxes_under(window, label) == []
    nic = window.scene.item_for("wlp2s0").sceneBoundingRect()
    assert nic.adjusted(-40, -40, 40, 60).intersects(label.sceneBoundingRect())  # beside it
    spot = label.sceneBoundingRect().center()  # c2 dragged onto where the label is
    layout = window.document.snapshot.layout
    c2 = window.scene.item_for("c2").sceneBoundingRect()
    x, y = layout["c2"]
    moved = (x + spot.x() - c2.center().x(), y + spot.y() - c2.center().y())
    window.push(MoveCommand(window.document, 1, [Edit(("layout", "c2"), {
        "x": round(moved[0]), "y": round(moved[1])})]))
    QApplication.processEvents()
    assert _boxes_under(window, label) == [], label.sceneBoundingRect()
