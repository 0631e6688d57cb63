"""An interface's problem badge hides nothing and nothing hides it.

The badge sat on the pill's top-right corner: over the end of the kind tag ("veth"), the
pill's edge, the connector dot below it and, on a namespace's first port, the namespace's
caption above. Rendered as the canvas renders it, at the zoom of a 1600×1000 window and of a
1024×700 one, the badge now paints only over the pill's own empty fill.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QRectF
from PySide6.QtGui import QColor, QImage, QPainter

from netwright.gui.canvas.items import DeviceItem, KeyedItem, PortItem
from netwright.gui.window.main import MainWindow

DESIGN = """netwright: 1
name: badges
namespaces: {vm1: {}, vm2: {}}
interfaces:
  vm1-eth0: {kind: macvlan, mode: bridge, namespace: vm1, addresses: [10.0.0.11/24]}
  vm2-eth0: {kind: macvlan, mode: bridge, namespace: vm2, addresses: [10.0.0.12/24]}
  hv0: {kind: macvlan, mode: bridge, addresses: [10.0.0.13/24]}
"""


def _render(window: MainWindow, item: KeyedItem, zoom: float) -> QImage:
    """The canvas around ``item`` (its neighbours included) at ``zoom``."""
    area = item.sceneBoundingRect().adjusted(-12, -12, 12, 12)
    image = QImage(int(area.width() * zoom), int(area.height() * zoom),
                   QImage.Format.Format_ARGB32)
    image.fill(QColor("white"))
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    window.scene.render(painter, QRectF(image.rect()), area)
    painter.end()
    return image


def _badge_covers(window: MainWindow, key: str, zoom: float) -> list[tuple[int, int]]:
    """Pixels the badge paints that were not the pill's plain fill without it."""
    item = window.scene.item_for(key)
    assert isinstance(item, PortItem | DeviceItem) and item.badge == "error"
    with_badge = _render(window, item, zoom)
    item.badge = None
    item.update()
    without = _render(window, item, zoom)
    item.badge = "error"
    item.update()
    fill = window.scene.theme.kind(item.kind).rgb()
    return [(x, y) for y in range(without.height()) for x in range(without.width())
            if with_badge.pixel(x, y) != without.pixel(x, y) and without.pixel(x, y) != fill]


@pytest.mark.parametrize("zoom", [1.0, 0.72])  # fitted in 1600×1000 and in 1024×700
@pytest.mark.parametrize("key", ["vm1-eth0", "hv0"])  # a first port, a host interface
def test_an_interface_badge_paints_only_over_its_own_empty_fill(
        window: MainWindow, tmp_path: Path, key: str, zoom: float) -> None:
    path = tmp_path / "badges.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    for item in window.scene.items():
        item.setCacheMode(item.CacheMode.NoCache)  # paint now, not a cached picture
    assert _badge_covers(window, key, zoom) == []


def test_a_bridge_port_carries_its_problems_badge(window: MainWindow, tmp_path: Path) -> None:
    """Only a namespace's ports were badged: openstack-linuxbridge's tap-vm2, a port of the
    host bridge qbr-vm2, had a warning in the Problems dock (its anti-spoofing list leaves out
    what vm2 sends from) and nothing on the canvas."""
    example = Path(__file__).resolve().parents[2] / "examples" / "openstack-linuxbridge.yaml"
    path = tmp_path / "openstack.yaml"
    path.write_text(example.read_text().replace("addresses: [10.0.0.12/24]",
                                                "addresses: [10.0.0.13/24]"))
    assert window.open_path(path)
    assert any(p.path[:2] == ("interfaces", "tap-vm2") for p in window.document.problems)
    port = window.scene.item_for("tap-vm2")
    assert isinstance(port, PortItem) and port.parentItem() is window.scene.item_for("qbr-vm2")
    assert port.badge == "warning"
    assert window.scene.item_for("tap-vm1").badge is None
