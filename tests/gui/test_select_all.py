"""Select All at scale: one selection change, and the Inspector's form is not rebuilt for
each item (200 namespaces took 20 s, one rebuild of the topology form an item)."""

from __future__ import annotations

from pathlib import Path

from star_design import star_topology

from netwright.gui.canvas.items import KeyedItem
from netwright.gui.window.main import MainWindow


def test_select_all_selects_every_item_in_one_change(window: MainWindow,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "star.yaml"
    path.write_text(star_topology(40))
    assert window.open_path(path)
    changes: list[int] = []
    window.scene.selectionChanged.connect(lambda: changes.append(1))
    form = window.inspector._body
    window.select_all_action.trigger()
    keyed = [i for i in window.scene.items() if isinstance(i, KeyedItem)]
    assert keyed and all(item.isSelected() for item in keyed)
    assert len(changes) == 1  # was one for each of the 121 items
    assert window.inspector.key is None and window.inspector._body is form  # not rebuilt
    window.go_to_key("n3")
    assert window.inspector.key == "n3"
