"""The empty canvas's welcome hint and the Help menu (issue #15 item 4)."""

from __future__ import annotations

from PySide6.QtWidgets import QLabel, QTextBrowser

from netwright.gui.model.files import example_summary, examples
from netwright.gui.window.main import MainWindow


def test_empty_canvas_welcomes_with_the_examples_and_steps_aside(window: MainWindow) -> None:
    panel = window.welcome
    assert panel.isVisible()
    words = " ".join(label.text() for label in panel.findChildren(QLabel))
    assert "Drag a <b>Namespace</b> from the Palette" in words
    shipped = examples()
    assert shipped and sorted(panel.example_buttons) == sorted(p.stem for p in shipped)
    for path in shipped:
        summary = example_summary(path)
        assert summary != path.stem and summary in panel.example_buttons[path.stem].text()
    panel.example_buttons["openstack-linuxbridge"].click()
    assert "br-int" in window.document.snapshot.interfaces
    assert not panel.isVisible()
    window.file_new()
    assert panel.isVisible()


def _browser_text(dialog: object) -> str:
    browser = dialog.findChild(QTextBrowser)  # type: ignore[attr-defined]
    assert browser is not None
    return str(browser.toPlainText())


def test_help_menu_has_examples_format_shortcuts_and_about(window: MainWindow) -> None:
    titles = [action.text() for action in window.menuBar().actions()]
    assert titles[-1] == "&Help"
    menu = window.help_menu
    assert len(menu.examples_menu.actions()) == len(examples())
    menu.examples_menu.actions()[0].trigger()
    assert window.document.snapshot.interfaces  # the first example is open
    assert "netwright: 1" in _browser_text(menu.show_format())
    shortcuts = _browser_text(menu.show_shortcuts())
    assert "Arrange Automatically" in shortcuts and "Ctrl+L" in shortcuts
    assert "Quit\n" not in shortcuts  # no row without a key
    about = menu.show_about().text()
    assert "Netwright" in about and "Graphviz" in about and "graphviz version" in about
    assert "no backend connected" in about
