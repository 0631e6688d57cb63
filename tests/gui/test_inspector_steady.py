"""The Inspector's tables keep their height around edits: the Routes table's height hint was
Qt's fixed one (about 190 px), given only once the form overflowed, so on a 1024×700 screen a
refusal's line that made the form scroll made the table jump about 70 px taller (and the rows
under the pointer moved). Its hint is now what its rows take, and the form's scroll position
stays where it was around an edit."""

from __future__ import annotations

from pathlib import Path

from fw_design import DESIGN
from PySide6.QtWidgets import QApplication, QScrollArea

from netwright.gui.window.main import MainWindow

ROUTED = DESIGN.replace("  c1:\n    firewall:",
                        "  c1:\n    routes:\n      - {to: default, via: 172.17.0.1}\n"
                        "    firewall:")


def test_the_routes_table_is_as_tall_as_its_rows(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text(ROUTED)
    assert window.open_path(path)
    window.resize(1024, 700)
    window.scene.select_keys(["c1"])
    QApplication.processEvents()
    routes = window.inspector.routes
    assert routes is not None
    table = routes.table
    assert table.sizeHint().height() == table.minimumHeight()  # one route: its minimum
    for _ in range(6):
        table.insertRow(table.rowCount())
    grown = table.sizeHint().height()
    assert table.minimumHeight() < grown <= table.minimumHeight() + 6 * 24


def test_an_edit_keeps_the_forms_scroll_position(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "fw.yaml"
    path.write_text(ROUTED)
    assert window.open_path(path)
    window.resize(1024, 700)
    window.scene.select_keys(["c1"])
    QApplication.processEvents()
    inspector = window.inspector
    area = inspector.parentWidget()
    while area is not None and not isinstance(area, QScrollArea):
        area = area.parentWidget()
    assert area is not None
    bar = area.verticalScrollBar()
    routes = inspector.routes
    assert routes is not None
    height = routes.table.height()
    bar.setValue(bar.maximum())
    at = bar.value()
    panel = inspector.packets
    assert panel is not None
    table = panel.chains["input"].rules
    table.row_gesture.emit("add", -1)
    QApplication.processEvents()
    table.table.setCurrentCell(2, 0)
    table.row_gesture.emit("remove", 2)
    QApplication.processEvents()
    assert bar.value() == at or at == 0
    assert routes.table.height() == height
