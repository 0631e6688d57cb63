"""Duplicate of a container namespace copies the other end of its veth too (a port of the
same bridge, under a fresh name): the copy had only its own end, and always began with a
"needs peer" error. The copied port's anti-spoofing follows the copy's new address."""

from __future__ import annotations

from pathlib import Path

from gestures import choose, right_click
from PySide6.QtCore import QPointF

from netwright.gui.window.main import MainWindow

DESIGN = """\
netwright: 1
name: dup
namespaces:
  c1:
    routes:
      - {to: default, via: 172.17.0.1}
  r: {}
interfaces:
  docker0: {kind: bridge, addresses: [172.17.0.1/16]}
  veth-c1:
    kind: veth
    peer: c1-eth0
    master: docker0
    port-firewall:
      to-port: {policy: drop, rules: [{action: accept, proto: tcp, dport: 80}]}
      anti-spoofing: {ips: [172.17.0.2]}
  c1-eth0: {kind: veth, name: eth0, namespace: c1, peer: veth-c1, addresses: [172.17.0.2/16]}
  c1-r: {kind: veth, namespace: c1, peer: r-c1, addresses: [10.9.0.2/24]}
  r-c1: {kind: veth, namespace: r, peer: c1-r, addresses: [10.9.0.1/24]}
layout:
  docker0: {x: -140, y: 20}
  c1: {x: 140, y: -20}
  r: {x: 140, y: 200}
"""


def test_duplicating_a_container_copies_its_veths_other_ends(window: MainWindow,
                                                              tmp_path: Path) -> None:
    path = tmp_path / "dup.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    assert [p.message for p in window.document.problems if p.severity == "error"] == []
    before = window.document.snapshot
    header = window.scene.nodes["c1"].sceneBoundingRect().topLeft() + QPointF(40, 12)
    right_click(window.view, window.view.mapFromScene(header))
    choose(window.context_menu, "Duplicate c1")

    snapshot = window.document.snapshot
    [copy] = [k for k in snapshot.namespaces if k not in before.namespaces]
    errors = [f"{p.code} {p.path}: {p.message}" for p in window.document.problems
              if p.severity == "error"]
    assert errors == []  # no "needs peer": the copy is wired as its original
    new = [k for k in snapshot.interfaces if k not in before.interfaces]
    assert len(new) == 4
    inside = [k for k in new if snapshot.namespace_of(k) == copy]
    far = {k: snapshot.interfaces[k] for k in new if k not in inside}
    [port] = [k for k, link in far.items() if link.get("master") == "docker0"]
    [router_end] = [k for k, link in far.items() if link.get("namespace") == "r"]
    near = snapshot.interfaces[port]["peer"]
    assert snapshot.interfaces[near]["peer"] == port and near in inside
    assert snapshot.interfaces[near].get("name") == "eth0"
    assert "name" not in snapshot.interfaces[port]  # its key: no clash with veth-c1
    [address] = snapshot.interfaces[near]["addresses"]
    assert address != "172.17.0.2/16"
    spoofing = snapshot.interfaces[port]["port-firewall"]["anti-spoofing"]
    assert list(spoofing["ips"]) == [address.split("/")[0]]
    assert snapshot.interfaces[port]["port-firewall"]["to-port"]["policy"] == "drop"
    assert snapshot.interfaces[router_end]["addresses"] != ["10.9.0.1/24"]
    said = window.statusBar().currentMessage()
    assert said.startswith(f"Duplicated c1 as {copy} and its veths' other ends as ") and \
        f"{port} on docker0" in said, said

    window.undo_action.trigger()  # one step takes it all back
    assert set(window.document.snapshot.interfaces) == set(before.interfaces)
    assert set(window.document.snapshot.namespaces) == set(before.namespaces)
