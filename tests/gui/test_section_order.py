"""A design drawn from the palette, a bridge first and then namespaces, saves its sections in
the order the file format reads: what the network is, then ``layout`` (how it is drawn). The
bridge's drop made ``layout``; the first namespace's ``namespaces`` came after it, the
positions in the middle of the network's meaning."""

from __future__ import annotations

from pathlib import Path

from gestures import drop_kind
from PySide6.QtCore import QPointF
from ruamel.yaml import YAML

from netwright.gui.window.main import MainWindow


def _sections(path: Path) -> list[str]:
    return list(YAML().load(path.read_text()))


def test_sections_made_by_the_palette_come_before_the_layout(
        window: MainWindow, tmp_path: Path) -> None:
    view = window.view
    centre = view.mapToScene(view.viewport().rect().center())
    assert drop_kind(view, "bridge", centre)
    assert drop_kind(view, "namespace", centre + QPointF(320, 0))
    assert drop_kind(view, "veth", window.scene.nodes["net1"].sceneBoundingRect().center())
    path = tmp_path / "drawn.yaml"
    window.document.save(path)
    assert _sections(path) == ["netwright", "name", "interfaces", "namespaces", "layout"]
    # undone and redone, the namespace's section comes back where it was
    stack = window.document.undo_stack
    stack.undo()
    stack.undo()
    stack.redo()
    stack.redo()
    window.document.save(path)
    assert _sections(path) == ["netwright", "name", "interfaces", "namespaces", "layout"]
