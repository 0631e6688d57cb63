"""A bridge port with port-firewall rules that leaves its bridge (dragged into a namespace, its
bridge deleted) takes its port rules along, in the same
undo step, and the status bar says so: the rules stayed, and the interface got an error
("has port-firewall rules but is not a port of a bridge")."""

from __future__ import annotations

from pathlib import Path

import pytest
from gestures import mouse_drag
from PySide6.QtCore import QPointF
from PySide6.QtWidgets import QApplication

from netwright.gui.canvas.items import PortItem
from netwright.gui.window.main import MainWindow

DESIGN = """netwright: 1
name: portrules
namespaces:
  a: {}
  b: {}
interfaces:
  br0: {kind: bridge}
  p1:
    kind: veth
    peer: a1
    master: br0
    port-firewall:  # only the web server
      to-port: {policy: drop, rules: [{action: accept, proto: tcp, dport: 80}]}
      anti-spoofing: {ips: [10.0.0.11]}
  a1: {kind: veth, peer: p1, namespace: a, addresses: [10.0.0.11/24]}
layout:
  br0: {x: -300, y: 0}
  a: {x: 0, y: 0}
  b: {x: 0, y: 250}
"""


@pytest.fixture
def opened(window: MainWindow, tmp_path: Path) -> MainWindow:
    design = tmp_path / "portrules.yaml"
    design.write_text(DESIGN)
    assert window.open_path(design)
    return window


def _errors(window: MainWindow) -> list[str]:
    return [f"{p.code}: {p.message}" for p in window.document.problems if p.severity == "error"]


def test_a_port_dragged_into_a_namespace_takes_its_rules_along(opened: MainWindow) -> None:
    port = opened.scene.item_for("p1")
    assert isinstance(port, PortItem)
    start = port.sceneBoundingRect().center() - QPointF(40, 0)
    mouse_drag(opened.view, start, opened.scene.nodes["b"].sceneBoundingRect().center())
    QApplication.processEvents()
    link = opened.document.snapshot.interfaces["p1"]
    assert link.get("namespace") == "b" and "master" not in link
    assert "port-firewall" not in link
    assert _errors(opened) == []
    said = opened.statusBar().currentMessage()
    assert said == "p1 left br0, its port firewall with it (Undo brings both back)", said
    stack = opened.document.undo_stack
    assert stack.count() == 1
    opened.undo_action.trigger()  # membership and rules together
    link = opened.document.snapshot.interfaces["p1"]
    assert link["master"] == "br0" and "namespace" not in link
    assert link["port-firewall"]["to-port"]["policy"] == "drop"
    assert "# only the web server" in opened.document.render()


def test_a_deleted_bridge_takes_its_ports_rules_too(opened: MainWindow) -> None:
    opened.scene.select_keys(["br0"])
    opened.delete_selection()
    link = opened.document.snapshot.interfaces["p1"]
    assert "master" not in link and "port-firewall" not in link
    assert _errors(opened) == []
    assert opened.statusBar().currentMessage().startswith("p1 left br0, its port firewall")
    opened.undo_action.trigger()
    assert opened.document.snapshot.interfaces["p1"]["port-firewall"]["to-port"]
