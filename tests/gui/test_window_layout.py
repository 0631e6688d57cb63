"""At 1024×700 the canvas keeps most of the window: the palette is a strip of icons, the
bottom panel starts closed and opens from the status bar (its button counts the problems),
View ▸ Bottom Panel or Ctrl+J, and by itself when something there must be seen; each dock
names itself once; a fitted drawing stays fitted when the window changes size."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from gestures import double_click
from PySide6.QtCore import QSettings, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDockWidget, QTabBar

from netwright.gui.window.main import MainWindow

Started = Callable[..., MainWindow]


def _area(width: int, height: int) -> int:
    return width * height


def _titles_once(window: MainWindow) -> None:
    """A dock in a tab group shows no title bar of its own: its tab names it (the content
    starts at the dock's top)."""
    QApplication.processEvents()
    for dock in window.findChildren(QDockWidget):
        tabbed = [d for d in window.tabifiedDockWidgets(dock) if not d.isHidden()]
        if dock.isVisible() and tabbed:
            assert dock.widget().geometry().top() <= 1, (dock.windowTitle(),
                                                         dock.widget().geometry())


def _tab_bars(window: MainWindow) -> list[list[str]]:
    """The tabs of each tab bar the window shows (Qt left a stray "Problems | Plan / Log"
    bar across the palette strip)."""
    bars = window.findChildren(QTabBar, options=Qt.FindChildOption.FindDirectChildrenOnly)
    return sorted([bar.tabText(i) for i in range(bar.count())]
                  for bar in bars if bar.isVisible() and bar.count())


def test_at_1024x700_the_canvas_keeps_most_of_the_window(started: Started, seed: Path) -> None:
    window = started(1024, 700)
    assert window.open_path(seed)
    QApplication.processEvents()
    viewport = window.view.viewport().size()
    # was 545×435, a third of the window: the palette's and the bottom docks' share
    assert _area(viewport.width(), viewport.height()) >= 0.5 * _area(1024, 700), viewport
    assert not window.bottom_panel.is_open()
    assert not window.problems_dock.isVisible()
    palette = window.palette_list
    assert palette.isVisible() and palette.compact and palette.width() <= 60
    assert palette.verticalScrollBar().maximum() == 0, "the palette needs scrolling"
    assert window.host_dock in window.tabifiedDockWidgets(window.inspector_dock)
    form = window.inspector_dock.widget()  # the inspector's form whole, no sideways scrolling
    for key in (None, "net1", "ipvlan1"):
        window.scene.select_keys([key] if key else [])
        QApplication.processEvents()
        assert form.horizontalScrollBar().maximum() == 0, key
    # the closed panel hides nothing silently: the status bar counts the problems
    button = window.bottom_panel.button
    assert button.isVisible() and button.text() == "4 warnings", button.text()
    _titles_once(window)
    assert _tab_bars(window) == [["Inspector", "Host", "History"]]


def test_at_1600x1000_nothing_gets_worse(started: Started, seed: Path) -> None:
    window = started(1600, 1000)
    assert window.open_path(seed)
    QApplication.processEvents()
    viewport = window.view.viewport().size()
    assert viewport.width() >= 1060 and viewport.height() >= 662, viewport  # as before
    assert window.bottom_panel.is_open() and window.problems_dock.isVisible()
    assert not window.palette_list.compact  # names beside the icons
    assert window.palette_list.verticalScrollBar().maximum() == 0
    _titles_once(window)
    assert _tab_bars(window) == [["Inspector", "Host", "History"],
                                 ["Problems (0 errors, 4 warnings)", "Plan / Log", "Checks",
                                  "Leases"]]
    problems = window.problems_dock
    assert problems.width() == window.width()  # across the window: no empty corner
    assert window.problems_fix.hint is not None and window.problems_fix.hint.isVisible()


def test_a_bridge_ports_form_needs_no_sideways_scrolling(started: Started) -> None:
    """A bridge port's form (its port firewall's tabs) and a vxlan's are the widest; at the
    window's default 1400×880 they were 14 px wider than the dock once its scroll bar showed,
    and Tab through the fields scrolled the labels out of sight ("ey", "eer")."""
    examples = Path(__file__).resolve().parents[2] / "examples"
    for width, height in ((1400, 880), (1600, 1000), (1024, 700)):
        window = started(width, height)
        for example, key in (("docker-bridge", "veth-c1"), ("vxlan-overlay", "vxlan-a")):
            window.document.undo_stack.setClean()
            assert window.open_path(examples / f"{example}.yaml")
            window.scene.select_keys([key])
            QApplication.processEvents()
            form = window.inspector_dock.widget()
            assert form.horizontalScrollBar().maximum() == 0, (width, example, key)
        window.document.undo_stack.setClean()


def test_the_status_bar_button_and_ctrl_j_open_and_close_the_panel(
        started: Started, seed: Path) -> None:
    window = started(1024, 700)
    assert window.open_path(seed)
    panel = window.bottom_panel
    before = window.view.viewport().height()
    QTest.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert panel.is_open() and panel.button.isChecked()
    assert panel.current() is window.problems_dock
    assert window.problems.topLevelItemCount() == 4
    _titles_once(window)
    assert window.problems_fix.hint is not None and window.problems_fix.hint.isVisible()
    assert window.problems_dock.width() == window.width()  # across: no empty corner
    assert window.view.viewport().height() < before
    QTest.mouseClick(panel.button, Qt.MouseButton.LeftButton)  # Problems on top: closes
    QApplication.processEvents()
    assert not panel.is_open() and not panel.button.isChecked()
    assert window.view.viewport().height() == before
    QTest.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert panel.is_open() and panel.action.isChecked()
    window.log_dock.raise_()
    QApplication.processEvents()
    # with another tab on top, the button brings Problems up rather than closing
    QTest.mouseClick(panel.button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert panel.is_open() and panel.current() is window.problems_dock
    QTest.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    QApplication.processEvents()
    assert not panel.is_open()
    assert panel.action in window.view_menu.actions()
    assert panel.action.shortcut().toString() == "Ctrl+J"
    QTest.keyClick(window, Qt.Key.Key_J, Qt.KeyboardModifier.ControlModifier)
    # the user's choice wins over the window's height next time
    again = started(1024, 700)
    assert again.bottom_panel.is_open()


def test_the_panel_opens_by_itself_on_an_error_the_user_must_see(
        started: Started, tmp_path: Path) -> None:
    window = started(1024, 700)
    panel = window.bottom_panel
    assert not panel.is_open()
    broken = tmp_path / "broken.yaml"
    broken.write_text("name: [unclosed\n")
    assert not window.open_path(broken)
    QApplication.processEvents()
    assert panel.is_open() and panel.current() is window.log_dock
    assert "cannot open" in window.log.toPlainText()
    assert not window.view.viewport().size().isEmpty()


def test_a_file_with_errors_opens_with_the_problems_shown(started: Started, seed: Path,
                                                         tmp_path: Path) -> None:
    window = started(1024, 700)
    wrong = tmp_path / "wrong.yaml"  # ipvlan2 takes ipvlan1's address: an error
    wrong.write_text(seed.read_text().replace("192.168.31.6/24", "192.168.31.5/24"))
    assert window.open_path(wrong)
    QApplication.processEvents()
    errors = window.problems.counts()[0]
    assert errors >= 1
    panel = window.bottom_panel
    assert panel.is_open() and panel.current() is window.problems_dock
    assert panel.button.text().startswith(f"{errors} error")
    first = started(1024, 700, wrong)  # `netwright wrong.yaml`: opened before it shows
    assert first.bottom_panel.is_open() and first.bottom_panel.current() is first.problems_dock
    quiet = started(1024, 700, seed)  # warnings only: the panel starts closed
    assert not quiet.bottom_panel.is_open()


def test_the_icon_strip_adds_by_double_click_and_names_itself_in_tooltips(
        started: Started, seed: Path) -> None:
    window = started(1024, 700)
    assert window.open_path(seed)
    palette = window.palette_list
    rows = {palette.item(r).data(Qt.ItemDataRole.UserRole): r for r in range(palette.count())}
    bridge = palette.item(rows["bridge"])
    assert bridge.toolTip().startswith("Bridge: ")
    rect = palette.visualItemRect(bridge)
    assert rect.height() <= 2 * palette.iconSize().height()  # one icon a row
    double_click(palette, rect.center())
    assert "br1" in window.scene.nodes
    palette.setFocus()
    palette.setCurrentRow(rows["namespace"])
    QTest.keyClick(palette, Qt.Key.Key_Return)
    assert "net3" in window.scene.nodes
    window.resizeDocks([window.palette_dock], [200], Qt.Orientation.Horizontal)
    QApplication.processEvents()
    assert not palette.compact  # dragged wider: the names again


def test_a_fitted_drawing_stays_fitted_when_the_window_shrinks(window: MainWindow,
                                                               seed: Path) -> None:
    window.resize(1400, 880)
    assert window.open_path(seed)
    QApplication.processEvents()
    window.view.fit_all()
    window.resize(1024, 700)
    QApplication.processEvents()
    view = window.view
    shown = view.mapToScene(view.viewport().rect()).boundingRect()
    assert shown.contains(window.scene.frame.rect())
    view.zoom_in()  # zoomed by hand: a resize leaves the zoom alone
    zoom = view.zoom()
    window.resize(1300, 800)
    QApplication.processEvents()
    assert view.zoom() == zoom


def test_the_docks_come_back_as_the_user_left_them(started: Started) -> None:
    first = started(1600, 1000)
    first.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, first.host_dock)  # moved
    first.history_dock.toggleViewAction().trigger()  # closed from View
    first.live.compare_dock.show()  # shown with the live host only
    assert first.close()
    again = started(1600, 1000)
    assert again.dockWidgetArea(again.host_dock) == Qt.DockWidgetArea.LeftDockWidgetArea
    assert again.history_dock.isHidden() and not again.history_dock.toggleViewAction().isChecked()
    assert again.live.compare_dock.isHidden()
    assert again.bottom_panel.is_open() and again.problems_dock.isVisible()
    _titles_once(again)


def test_a_state_saved_before_the_strip_is_not_restored(started: Started,
                                                        settings: QSettings) -> None:
    """A state of the old arrangement (Host tabbed with the palette, saved without a
    version) would put the Host list beside a 44 px strip: the window's own is used."""
    old = started(1600, 1000)
    old.tabifyDockWidget(old.palette_dock, old.host_dock)
    settings.setValue("window/state", old.saveState())
    old.close_confirmed = True  # closing would save the new version
    old.hide()
    window = started(1024, 700)
    assert window.host_dock in window.tabifiedDockWidgets(window.inspector_dock)
    assert window.palette_list.compact


def test_a_floated_dock_has_its_title_bar_and_loses_it_back_in_its_group(
        started: Started) -> None:
    window = started(1600, 1000)
    history = window.history_dock
    _titles_once(window)
    assert history.titleBarWidget() is not None  # tabbed: its tab names it
    history.setFloating(True)
    QApplication.processEvents()
    assert history.titleBarWidget() is None  # floating: its own title bar, to move it
    assert window.palette_dock.titleBarWidget() is None  # alone and wide: "Palette"
    history.setFloating(False)
    QApplication.processEvents()
    assert history.titleBarWidget() is not None
    _titles_once(window)
