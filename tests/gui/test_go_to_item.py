"""Edit › Go to Item… (Ctrl+F): the keyboard's way to select one item of the canvas."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.dialogs.go_to import GoToDialog, matching_key
from netwright.gui.window.main import MainWindow


def _dialog() -> GoToDialog:
    dialog = QApplication.activeModalWidget() or next(
        w for w in QApplication.topLevelWidgets() if isinstance(w, GoToDialog) and w.isVisible())
    assert isinstance(dialog, GoToDialog)
    return dialog


def test_ctrl_f_then_a_name_selects_that_item_and_gives_the_keys_back(
        window: MainWindow, seed: Path, qtbot) -> None:  # type: ignore[no-untyped-def]
    assert window.open_path(seed)
    window.view.setFocus()
    QTest.keyClick(window.view, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    dialog = _dialog()
    QTest.keyClicks(dialog.line, "NET2")
    popup = dialog.line.completer().popup()
    assert popup.isVisible()  # the completions take the keys: one Return must do
    QTest.keyClick(popup, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.isVisible())
    assert window.scene.selected_keys() == ["net2"]
    assert QApplication.focusWidget() is window.view  # the arrows now move net2
    assert window.inspector.key == "net2"


def test_a_name_that_is_no_item_says_so_and_stays(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    dialog = window.ask_go_to()
    QTest.keyClicks(dialog.line, "net9")
    QTest.keyClick(dialog.line, Qt.Key.Key_Return)
    assert dialog.isVisible() and "No item is named “net9”" in dialog.note.text()
    QTest.keyClick(dialog.line, Qt.Key.Key_Escape)
    assert not dialog.isVisible()


def test_a_unique_start_of_a_name_is_enough() -> None:
    keys = ["net1", "net2", "wlp2s0", "ipvlan1"]
    assert matching_key("wl", keys) == "wlp2s0"
    assert matching_key("net", keys) is None  # two start so
    assert matching_key(" Net1 ", keys) == "net1"


def _in_view(window: MainWindow, key: str) -> bool:
    view = window.view
    node = window.scene.nodes[key]
    shown = view.mapFromScene(node.mapRectToScene(node.shape().boundingRect())).boundingRect()
    return view.viewport().rect().contains(shown)


def test_going_to_an_item_in_view_scrolls_nothing_and_one_out_of_view_comes_in(
        window: MainWindow) -> None:
    """Go to Item (and a problem's double-click, Go to an end of a wire) selects the item
    and scrolls only as far as it needs: it centred the item, which took docker0 out of a
    1024×700 view that showed the whole design."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    assert window.open_path(examples / "docker-bridge.yaml")
    window.resize(1024, 700)
    QApplication.processEvents()
    view = window.view
    view.fit_all()
    everything = list(window.scene.nodes)
    assert all(_in_view(window, key) for key in everything)
    scrolled = (view.horizontalScrollBar().value(), view.verticalScrollBar().value())
    dialog = window.ask_go_to()
    QTest.keyClicks(dialog.line, "c1")
    QTest.keyClick(dialog.line, Qt.Key.Key_Return)
    assert window.scene.selected_keys() == ["c1"]
    assert (view.horizontalScrollBar().value(), view.verticalScrollBar().value()) == scrolled
    assert all(_in_view(window, key) for key in everything)

    view.zoom_by(2.0 / view.zoom())  # closer: c2 alone is 420 px wide
    view.centerOn(window.scene.nodes["wlp2s0"])
    assert not _in_view(window, "c2")
    window.go_to_key("c2")
    assert _in_view(window, "c2")
