"""A NAT entry's cells that its kind does not have (a publish has no 'from', a masquerade
no 'port') are drawn apart from the empty cells it does have, and say so when pointed at:
they looked the same, and typing into them did nothing, without a word."""

from __future__ import annotations

from pathlib import Path

from fw_design import DESIGN
from PySide6.QtWidgets import QApplication

from netwright.gui.docks.packet_panel import PacketPanel
from netwright.gui.model.rule_rows import NAT_COLUMNS
from netwright.gui.window.main import MainWindow


def test_cells_a_kind_does_not_have_look_apart(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    window.scene.clearSelection()
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    panel.tabs.setCurrentWidget(panel.nat)
    window.inspector_dock.raise_()
    assert panel.nat.add("publish")
    table = panel.nat.entries.table
    table.setCurrentCell(0, 0)  # the current cell's highlight away from the ones compared

    def colour(row: int, column: str) -> tuple[int, int, int]:
        """The colour the cell is drawn in, scrolled into view."""
        index = table.model().index(row, NAT_COLUMNS.index(column))
        table.scrollTo(index)
        QApplication.processEvents()
        rect = table.visualRect(index)
        assert table.viewport().rect().contains(rect.center())
        pixel = table.viewport().grab().toImage().pixelColor(rect.center())
        return pixel.red(), pixel.green(), pixel.blue()

    publish = 1
    assert table.item(publish, NAT_COLUMNS.index("from")).text() == ""
    assert table.item(publish, NAT_COLUMNS.index("address")).text() == ""
    assert colour(publish, "from") != colour(publish, "address")  # no 'from' / empty 'address'
    assert table.item(publish, NAT_COLUMNS.index("from")).toolTip() == \
        "this kind of entry has no 'from'"
    assert table.item(publish, NAT_COLUMNS.index("address")).toolTip() == ""
    assert colour(0, "port") == colour(publish, "from")  # a masquerade has no port
