"""A small docker-like design with forwarding, NAT and firewall rules, for the GUI tests."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from netwright.gui.docks.packet_panel import PacketPanel
from netwright.gui.window.main import MainWindow

DESIGN = """\
netwright: 1
name: fw
# the uplink the containers leave through
host:
  nics:
    wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
  forwarding: {ipv4: true}
  nat:
    - {masquerade: {from: 172.17.0.0/16, out: wlp2s0}}  # docker's rule
namespaces:
  c1:
    firewall:
      input:
        policy: drop
        rules:
          - {action: accept, proto: tcp, dport: 22}   # ssh in
          - {action: accept, proto: icmp}
interfaces:
  docker0: {kind: bridge, addresses: [172.17.0.1/16]}
  veth-c1: {kind: veth, master: docker0, peer: eth0}
  eth0: {kind: veth, namespace: c1, peer: veth-c1, addresses: [172.17.0.2/16]}
"""


def open_host_panel(window: MainWindow, path: Path, text: str) -> PacketPanel:
    """Open ``text`` (written to ``path``) with nothing selected: the Inspector's host rules."""
    path.write_text(text)
    assert window.open_path(path)
    window.scene.clearSelection()
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    return panel
