"""What a screen reader calls the designer's controls: every button and field has a name,
at 1024×700 too, where the palette is a strip of icons."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QAccessible
from PySide6.QtWidgets import QAbstractButton, QLineEdit, QWidget

from netwright.gui.window.main import MainWindow


def _name(widget: QWidget) -> str:
    interface = QAccessible.queryAccessibleInterface(widget)
    assert interface is not None
    return str(interface.text(QAccessible.Text.Name))


def test_the_welcome_s_example_buttons_are_named(window: MainWindow) -> None:
    window.resize(1024, 700)
    buttons = window.welcome.findChildren(QAbstractButton)
    assert buttons and all(_name(b) == b.text() != "" for b in buttons), \
        [b.text() for b in buttons if not _name(b)]


def test_the_inspector_s_fields_are_named_by_their_labels(window: MainWindow,
                                                          seed: Path) -> None:
    window.resize(1024, 700)
    assert window.open_path(seed)
    editors = window.inspector.editors
    assert _name(editors["name"]) == "Topology name"
    window.go_to_key("ipvlan1")
    editors = window.inspector.editors
    # Qt reads a combo box by its current text; its accessible name is still the label
    named = {key: editor.accessibleName() for key, editor in editors.items()}
    assert named["parent"] == "Parent" and named["namespace"] == "Namespace"
    assert all(named.values()), named
    lines = {key: _name(editor) for key, editor in editors.items()
             if isinstance(editor, QLineEdit)}
    assert lines["addresses"] == "Addresses" and all(lines.values()), lines


def test_the_canvas_and_the_palette_strip_are_named(window: MainWindow) -> None:
    window.resize(1024, 700)
    assert _name(window.view) == "Canvas"
    assert _name(window.palette_list) == "Palette"
    interface = QAccessible.queryAccessibleInterface(window.palette_list)
    entries = [interface.child(i).text(QAccessible.Text.Name)
               for i in range(interface.childCount())]
    assert entries[:3] == ["Namespace", "Host NIC", "Bridge"]  # icons only, names kept
