"""The empty canvas's welcome hint and the Help menu (issue #15 item 4)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractButton, QApplication, QLabel, QPushButton, QTextBrowser

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


def _inside_viewport(window: MainWindow) -> tuple[object, object]:
    """The welcome panel's and the canvas viewport's rectangles, both in window coordinates."""
    from PySide6.QtCore import QRect

    panel, viewport = window.welcome, window.view.viewport()
    corner = panel.mapTo(window, panel.rect().topLeft())
    shown = QRect(corner, panel.size())
    area = QRect(viewport.mapTo(window, viewport.rect().topLeft()), viewport.size())
    return shown, area


def test_the_welcome_stays_in_the_canvas_when_the_canvas_scrolls(started) -> None:  # type: ignore[no-untyped-def]
    """The view scrolls to the empty host frame as the window takes its size: the panel, a
    child of the viewport, was scrolled with it and stood half outside a 1024×700 canvas."""
    from PySide6.QtWidgets import QApplication

    window = started(1024, 700)
    shown, area = _inside_viewport(window)
    assert area.contains(shown), (shown, area)
    window.view.horizontalScrollBar().setValue(window.view.horizontalScrollBar().maximum())
    window.view.verticalScrollBar().setValue(window.view.verticalScrollBar().minimum())
    QApplication.processEvents()
    assert _inside_viewport(window)[0] == shown


def test_the_examples_fit_a_1024x700_canvas(started) -> None:  # type: ignore[no-untyped-def]
    """An example's line ("docker-bridge — docker0-style bridge with two containers,
    masquerade and one published port") was a button as wide as its text: at 1024×700 the
    panel is narrower, and the lines were cut off at its edge. They wrap instead."""
    window = started(1024, 700)
    panel = window.welcome
    shown, area = _inside_viewport(window)
    assert area.contains(shown), (shown, area)
    assert panel.minimumSizeHint().width() <= area.width(), panel.minimumSizeHint()
    for stem, button in panel.example_buttons.items():
        assert panel.rect().contains(button.geometry()), stem
        assert button.minimumSizeHint().width() <= button.width(), (stem, button.width())
        assert stem in button.text()


def test_every_welcome_button_is_in_reach_on_a_short_canvas(started) -> None:  # type: ignore[no-untyped-def]
    """At 1024×700 with the bottom panel open the welcome panel was taller than the canvas:
    the last examples, "Open the live host" and "Open a file…" were cut off below it, and
    the wheel did not move them into view. The panel stays in the canvas and scrolls; Tab
    brings each button into view."""
    from PySide6.QtCore import QPoint, QRect

    window = started(1024, 700)
    window.bottom_panel.open(window.log_dock)
    QApplication.processEvents()
    panel = window.welcome
    shown, area = _inside_viewport(window)
    assert area.contains(shown), (shown, area)
    last = next(b for b in panel.findChildren(QPushButton) if b.text() == "Open a file…")
    window.view.setFocus()
    for _ in range(30):
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        if QApplication.focusWidget() is last:
            break
    assert QApplication.focusWidget() is last
    QApplication.processEvents()
    seen = QRect(last.mapTo(window, QPoint(0, 0)), last.size())
    viewport = panel.scroller.viewport()
    visible = QRect(viewport.mapTo(window, QPoint(0, 0)), viewport.size())
    assert visible.contains(seen) and area.contains(seen), (seen, visible, area)


def test_after_an_example_is_opened_the_keys_go_to_the_canvas(window: MainWindow) -> None:
    """The clicked example button hides with the panel, and Qt gave the focus to the next
    widget: Inspector › Topology name, its text selected, so the next key typed (Delete for
    the selection, a letter) replaced the topology's name."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest
    from PySide6.QtWidgets import QApplication

    button = window.welcome.example_buttons["openstack-linuxbridge"]
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert not window.welcome.isVisible()
    assert QApplication.focusWidget() is window.view, QApplication.focusWidget()


def test_the_shortcuts_name_only_keys_of_an_ordinary_keyboard(window: MainWindow) -> None:
    """Qt's standard Redo binding includes the dedicated "Redo" key of office keyboards: the
    help showed "Redo: Ctrl+Y, …, Ctrl+Shift+Z, Redo", as if "Redo" were a key. The keys
    stay bound; the help names only the ones everyone has."""
    from netwright.gui.window.help_menu import shortcut_rows

    rows = dict(shortcut_rows(window))
    redo = rows["Redo"].split(", ")
    assert "Ctrl+Shift+Z" in redo and "Ctrl+Y" in redo
    assert "Redo" not in redo, rows["Redo"]
    assert rows["Open"] == "Ctrl+O" and rows["Save"] == "Ctrl+S", rows
    assert rows["Save As"] == "Ctrl+Shift+S", rows
    assert any(k.toString() == "Redo" for k in window.redo_action.shortcuts())  # still bound


def test_tab_from_the_empty_canvas_goes_through_the_welcome_buttons_in_order(
        window: MainWindow) -> None:
    window.activateWindow()
    window.view.setFocus()
    buttons = window.welcome.findChildren(QAbstractButton)
    in_layout = sorted(buttons, key=lambda b: b.geometry().top())
    reached = []
    for _ in in_layout:
        QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
        reached.append(QApplication.focusWidget())
    assert reached == in_layout  # examples, the live host, Open a file…, top to bottom
    QTest.keyClick(QApplication.focusWidget(), Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is window.palette_list


def test_enter_on_an_example_opens_it(window: MainWindow) -> None:
    window.activateWindow()
    button = window.welcome.example_buttons["seed-ipvlan-l2"]
    button.setFocus()
    QTest.keyClick(button, Qt.Key.Key_Return)  # a push button outside a dialog ignored it
    assert "ipvlan1" in window.document.snapshot.interfaces
