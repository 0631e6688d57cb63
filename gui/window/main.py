"""The designer's main window: assembles the canvas, palette, inspector and docks.

The window owns no topology data. It connects the scene's requests to undo commands, the
document's signals to the title and status bar, and the menus to the file, export and
backend operations. Every action has a shortcut.
"""

from __future__ import annotations

import asyncio
import itertools
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEvent, QPointF, QSettings, Qt, QTimer
from PySide6.QtGui import (
    QAction,
    QCloseEvent,
    QDragEnterEvent,
    QDropEvent,
    QGuiApplication,
    QKeySequence,
    QPainterPath,
    QResizeEvent,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QApplication,
    QDockWidget,
    QFileDialog,
    QLabel,
    QMainWindow,
    QMenu,
    QMessageBox,
    QProgressBar,
    QToolButton,
    QUndoView,
    QWidget,
)

from netwright.backend.count_words import counted
from netwright.backend.topology.problems import NetwrightError, TopologyError
from netwright.gui.canvas.export import (
    render_png,
    render_svg,
    shell_script_function,
    write_shell_script,
)
from netwright.gui.canvas.free_spot import free_spot
from netwright.gui.canvas.graph_layout import LayoutUnavailableError, dot_positions
from netwright.gui.canvas.items import box_shape
from netwright.gui.canvas.room_beside import copy_offset
from netwright.gui.canvas.scene import GRID, TopologyScene, key_of_path
from netwright.gui.canvas.theme import current_theme
from netwright.gui.canvas.view import CanvasView
from netwright.gui.dialogs.capture import CaptureDialog
from netwright.gui.dialogs.go_to import GoToDialog
from netwright.gui.dialogs.kubernetes_export import KubernetesExportDialog
from netwright.gui.dialogs.plan import PlanDialog
from netwright.gui.dialogs.source_view import SourceDialog
from netwright.gui.dialogs.trial import TrialDialog
from netwright.gui.docks.checks import ChecksView
from netwright.gui.docks.fix_bar import FixBar, beside_list
from netwright.gui.docks.host_nics import HostNicsView
from netwright.gui.docks.inspector import Inspector
from netwright.gui.docks.lease_views import LeasesTable
from netwright.gui.docks.log_view import LogView
from netwright.gui.docks.palette import Palette
from netwright.gui.docks.problems import ProblemsView
from netwright.gui.link.backend import (
    LAB_NOTICE,
    Backend,
    BackendRunner,
    describe,
)
from netwright.gui.link.predictions import PredictionRunner
from netwright.gui.link.status_refresh import StatusRefresher
from netwright.gui.model.clipboard import from_clipboard, to_mime
from netwright.gui.model.commands import (
    CreateCommand,
    DeleteCommand,
    FixCommand,
    JoinBridgeCommand,
    LayoutCommand,
    MoveCommand,
    PasteCommand,
    ReparentCommand,
    Selection,
    WireCommand,
)
from netwright.gui.model.deployment import DeploymentView
from netwright.gui.model.document import Edit, TopologyDocument
from netwright.gui.model.duplicate import (
    far_ends_from_data,
    far_ends_to_data,
    follow_addresses,
    made_short,
    paste_words,
    pasted_tops,
    pasted_what,
    with_far_ends,
)
from netwright.gui.model.edits import (
    EditRefusedError,
    bridge_port_edits,
    create_edits,
    delete_edits,
    paste_edits,
    position,
    reparent_edits,
    wire_edits,
)
from netwright.gui.model.files import RecentFiles, examples
from netwright.gui.model.fixes import Fix, pair_fix, problem_fix
from netwright.gui.model.fresh_macs import fresh_macs, mac_words
from netwright.gui.model.host_facts import HostFacts
from netwright.gui.model.paste import fresh_addresses
from netwright.gui.model.prefill import PREFILL_KINDS
from netwright.gui.model.rule_summary import port_rules_gone
from netwright.gui.model.snapshot import Snapshot
from netwright.gui.model.wording import placed_message
from netwright.gui.window.backend_actions import BackendActions
from netwright.gui.window.bottom_panel import BottomPanel
from netwright.gui.window.check_from_actions import CheckFromActions
from netwright.gui.window.context_actions import ContextActions
from netwright.gui.window.dock_sizes import fit_bottom, fit_docks, steady_width
from netwright.gui.window.dock_titles import DockTitles
from netwright.gui.window.focus_chain import step_focus
from netwright.gui.window.help_menu import HelpMenu
from netwright.gui.window.host_actions import HostActions
from netwright.gui.window.live_actions import LiveHost
from netwright.gui.window.made_note import canvas_before, say_made, show_made, show_rect
from netwright.gui.window.measure_actions import MeasureActions
from netwright.gui.window.quit_actions import QuitActions
from netwright.gui.window.startup import APP_NAME, first_size
from netwright.gui.window.status_fit import MessageFitter
from netwright.gui.window.trial_actions import TrialActions
from netwright.gui.window.undo_keys import DesignUndoKeys
from netwright.gui.window.welcome import WelcomePanel
from netwright.gui.window.window_state import restore_docks, save_docks


def backend_tip(action: QAction, connected: bool, busy: bool, operation: str) -> str:
    """A backend action's tooltip: what it does, or why it cannot now."""
    name = action.text().replace("&", "").rstrip("…")
    if not connected:
        return f"{name}: no backend connected"
    if busy:
        return f"{name}: wait for {operation} to finish"
    return f"{name}: {action.statusTip()}" if action.statusTip() else name


LIVE_TIP = "The live host is shown read-only: Back to Design to plan, apply, destroy or check it"


class MainWindow(BackendActions, ContextActions, TrialActions, HostActions, QuitActions,
                 MeasureActions, CheckFromActions, QMainWindow):
    _closed = False
    """Set once the window has let go of its backend and timers on close."""

    def __init__(self, settings: QSettings | None = None, backend: Backend | None = None) -> None:
        super().__init__()
        self.settings = settings or QSettings()
        self.recent = RecentFiles(self.settings)
        self.theme = current_theme()
        self.document = TopologyDocument(self)
        self.scene = TopologyScene(self.document, self.theme)
        self.scene.setParent(self)
        self.view = CanvasView(self.scene)
        self.setCentralWidget(self.view)
        self.setAcceptDrops(True)
        self.runner = BackendRunner(backend, self)
        self._job_id = ""
        self._side_tasks: set[asyncio.Future[Any]] = set()
        self.status_refresher = StatusRefresher(self._ask_status, self._spawn,
                                                self.runner.busy, self)
        self.plan_dialog: PlanDialog | None = None
        self.trial_dialog: TrialDialog | None = None
        self.trial_seconds: int | None = None  # a change on trial: the backend's window
        self.context_menu: QMenu | None = None  # the last right-click menu (ContextActions)
        self.source_dialog: SourceDialog | None = None
        self.capture_dialog: CaptureDialog | None = None
        self._check_focus = ""  # "Check from net1": the Checks dock opens on that row
        self._started_at = 0.0  # time.monotonic() when the running backend call started
        self.deployment = DeploymentView()  # whose deployment the design's name has
        self._deployment_name = ""
        self._applying = ""  # the design's meaning digest as the running Apply sends it
        self._trial_words = ""
        self.host_facts: HostFacts | None = None  # Inspect's answer, while a backend is there
        self._facts_requests = itertools.count(1)
        self._facts_latest = 0
        self._build_docks()
        self._build_actions()
        self._build_menus()
        self._build_status_bar()
        self._connect()
        self._build_welcome_and_help()
        self.live = LiveHost(self)  # Open Live Host, Compare, Copy into Design, Adopt…
        self.live.add_to_menus(self.file_menu, self.view_menu)
        self.welcome.follow_the_canvas_in_tab_order()  # with the live host's button
        restore_docks(self, self.settings, [self.live.inspector_dock, self.live.compare_dock])
        for dock in self.findChildren(QDockWidget):
            self.dock_titles.watch(dock)
        self.dock_titles.update()
        self.bottom_panel.watch(self.live.compare_dock)
        self.predictions = PredictionRunner(self.document, self)
        self.predictions.predicted.connect(self._show_predictions)
        self.predictions.unavailable.connect(self.checks.clear_result)
        self.predictions.schedule()
        self._update_title()
        self._update_backend_state()
        self._update_edit_actions()
        self.resize(first_size(self))

    # -- construction ---------------------------------------------------------------------

    def _dock(self, title: str, widget: QWidget, area: Qt.DockWidgetArea, name: str) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_docks(self) -> None:
        """The palette alone on the left (a strip of icons on a narrow window); Inspector,
        Host and History tabbed on the right; the bottom panel's docks tabbed across the
        window's width (under the canvas alone, the Problems sentences wrapped to seven
        lines at 1024×700)."""
        self.dock_titles = DockTitles(self)
        self.palette_list = Palette(self.theme)
        self.palette_dock = self._dock("Palette", self.palette_list,
                                       Qt.DockWidgetArea.LeftDockWidgetArea, "palette")
        self.inspector = Inspector(self.document)
        self.inspector_dock = self._dock("Inspector", steady_width(self.inspector),
                                         Qt.DockWidgetArea.RightDockWidgetArea, "inspector")
        self.host_view = HostNicsView()
        self.host_dock = self._dock("Host", self.host_view,
                                    Qt.DockWidgetArea.RightDockWidgetArea, "host")
        self.undo_view = QUndoView(self.document.undo_stack)
        self.undo_view.setEmptyLabel("New design")  # the History's first row (``_on_replaced``)
        self.history_dock = self._dock("History", self.undo_view,
                                       Qt.DockWidgetArea.RightDockWidgetArea, "history")
        self.tabifyDockWidget(self.inspector_dock, self.host_dock)
        self.tabifyDockWidget(self.host_dock, self.history_dock)
        self.inspector_dock.raise_()
        self.problems = ProblemsView()
        self.problems_fix = FixBar(beside=True)
        self.problems_dock = self._dock("Problems", beside_list(self.problems, self.problems_fix),
                                        Qt.DockWidgetArea.BottomDockWidgetArea, "problems")
        self.log = LogView()
        self.log_dock = self._dock("Plan / Log", self.log,
                                   Qt.DockWidgetArea.BottomDockWidgetArea, "log")
        self.checks = ChecksView(self.theme)
        self.checks_dock = self._dock("Checks", self.checks,
                                      Qt.DockWidgetArea.BottomDockWidgetArea, "checks")
        self.leases_table = LeasesTable(self.theme)
        self.leases_dock = self._dock("Leases", self.leases_table,
                                      Qt.DockWidgetArea.BottomDockWidgetArea, "leases")
        self.tabifyDockWidget(self.problems_dock, self.log_dock)
        self.tabifyDockWidget(self.log_dock, self.checks_dock)
        self.tabifyDockWidget(self.checks_dock, self.leases_dock)
        self.problems_dock.raise_()
        self.bottom_panel = BottomPanel(
            self, self.settings, self.problems_dock,
            [self.problems_dock, self.log_dock, self.checks_dock, self.leases_dock],
            lambda: fit_bottom(self, self.bottom_panel.docks()))

    def _action(self, text: str, slot: Any, shortcut: Any = None, tip: str = "") -> QAction:
        action = QAction(text, self)
        if shortcut is not None:
            shortcuts = shortcut if isinstance(shortcut, list) else [shortcut]
            action.setShortcuts([QKeySequence(s) for s in shortcuts])
        if tip:
            action.setStatusTip(tip)
            action.setToolTip(tip)
        action.triggered.connect(slot)
        self.addAction(action)
        return action

    def _build_actions(self) -> None:
        key = QKeySequence.StandardKey
        self.new_action = self._action("&New", self.file_new, key.New)
        self.open_action = self._action("&Open…", self.file_open, key.Open)
        self.save_action = self._action("&Save", self.file_save, key.Save)
        self.save_as_action = self._action("Save &As…", self.file_save_as, key.SaveAs)
        self.export_png_action = self._action("Export &PNG…", self.export_png, "Ctrl+E")
        self.export_svg_action = self._action("Export S&VG…", self.export_svg, "Ctrl+Shift+E")
        self.export_badges_action = self._action(
            "Problem &Badges in Exports", lambda: None, None,
            "draw the red and amber problem marks in exported PNG and SVG pictures")
        self.export_badges_action.setCheckable(True)
        self.export_sh_action = self._action(
            "Export &shell script…", self.export_shell, "Ctrl+Alt+E",
            "the ip(8) commands that build this topology")
        self.export_sh_action.setEnabled(shell_script_function() is not None)
        self.export_k8s_action = self._action(
            "Export for &Kubernetes…", self.export_kubernetes, None,
            "NetworkAttachmentDefinitions and Pods for Multus, with what cannot be carried")
        self.quit_action = self._action("&Quit", self.close, key.Quit)
        stack = self.document.undo_stack
        self.undo_action = stack.createUndoAction(self, "&Undo")
        self.undo_action.setShortcuts(key.Undo)
        self.redo_action = stack.createRedoAction(self, "&Redo")
        redo_keys = QKeySequence.keyBindings(key.Redo)
        self.redo_action.setShortcuts(redo_keys + [QKeySequence("Ctrl+Y")] * (
            QKeySequence("Ctrl+Y") not in redo_keys))
        # The toolbar shows a fixed word, so its buttons never move under the mouse; the
        # command ("Undo Move ipvlan2") is in the menu, the tooltip and the History.
        self.undo_keys = DesignUndoKeys(self)  # Ctrl+Z in a committed field: the design's
        if (application := QApplication.instance()) is not None:
            application.installEventFilter(self.undo_keys)
        self.undo_action.setIconText("Undo")
        self.redo_action.setIconText("Redo")
        self.addActions([self.undo_action, self.redo_action])
        self.cut_action = self._action("Cu&t", self.cut, key.Cut)
        self.copy_action = self._action("&Copy", self.copy, key.Copy)
        self.paste_action = self._action("&Paste", self.paste, key.Paste)
        self.delete_action = self._action("&Delete", self.delete_selection,
                                          [QKeySequence(QKeySequence.StandardKey.Delete),
                                           QKeySequence("Backspace")])
        self.select_all_action = self._action("Select &All", self.select_all, key.SelectAll)
        self.go_to_action = self._action("&Go to Item…", self.ask_go_to, key.Find,
                                         "Select an item of the canvas by its name")
        self.zoom_in_action = self._action("Zoom &In", self.view.zoom_in,
                                           [QKeySequence(key.ZoomIn), "+", "="])
        self.zoom_out_action = self._action("Zoom &Out", self.view.zoom_out,
                                            [QKeySequence(key.ZoomOut), "-"])
        self.fit_action = self._action("&Fit to Window", self.view.fit_all, ["Ctrl+0", "F"])
        self.fit_action.setIconText("Fit")
        self.actual_size_action = self._action("&Actual Size", self.view.reset_zoom, "Ctrl+Alt+0")
        self.snap_action = self._action("&Snap to Grid", self._toggle_snap, "Ctrl+G")
        self.snap_action.setCheckable(True)
        self.snap_action.setChecked(self.scene.snap)
        self.layout_action = self._action("Arrange &Automatically", self.arrange, "Ctrl+L")
        self.layout_action.setIconText("Arrange")
        self.plan_action = self._action("&Plan…", self.plan, "F5", "show what Apply would do")
        self.apply_action = self._action("&Apply", self.apply, "Ctrl+F5",
                                         "make the kernel match this design")
        self.destroy_action = self._action("&Destroy", self.destroy_deployment, "Shift+F5",
                                           "remove everything this topology deployed")
        self.check_action = self._action("&Check", self.check, "F6",
                                         "probe every pair and explain the result")
        self.cancel_action = self._action("Cancel", self.cancel_operation, "Esc")
        self.host_facts_action = self._action(
            "Refresh &Host Facts", self.refresh_host_facts, "Ctrl+Shift+H",
            "ask the backend for the host's NICs, addresses, gateways and Wi-Fi")
        self.cancel_action.setEnabled(False)

    def _build_menus(self) -> None:
        bar = self.menuBar()
        file_menu = self.file_menu = bar.addMenu("&File")
        file_menu.addAction(self.new_action)
        self.examples_menu = file_menu.addMenu("New from &Example")
        for path in examples():
            action = self.examples_menu.addAction(path.stem)
            action.triggered.connect(lambda _checked=False, p=path: self.new_from_example(p))
        file_menu.addAction(self.open_action)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        file_menu.addSeparator()
        file_menu.addActions([self.save_action, self.save_as_action])
        file_menu.addSeparator()
        file_menu.addActions([self.export_png_action, self.export_svg_action,
                              self.export_badges_action, self.export_sh_action,
                              self.export_k8s_action])
        file_menu.addSeparator()
        file_menu.addAction(self.quit_action)
        edit = bar.addMenu("&Edit")
        edit.addActions([self.undo_action, self.redo_action])
        edit.addSeparator()
        edit.addActions([self.cut_action, self.copy_action, self.paste_action,
                         self.delete_action, self.select_all_action, self.go_to_action])
        view = self.view_menu = bar.addMenu("&View")
        view.addActions([self.zoom_in_action, self.zoom_out_action, self.fit_action,
                         self.actual_size_action])
        view.addSeparator()
        view.addActions([self.snap_action, self.layout_action])
        view.addSeparator()
        view.addAction(self.bottom_panel.action)
        view.addSeparator()
        for dock in (self.palette_dock, self.host_dock, self.inspector_dock, self.history_dock,
                     self.problems_dock, self.log_dock, self.checks_dock, self.leases_dock):
            view.addAction(dock.toggleViewAction())
        topology = bar.addMenu("&Topology")
        topology.addActions([self.plan_action, self.apply_action, self.destroy_action])
        topology.addSeparator()
        topology.addActions([self.check_action, self.make_measure_action(), self.cancel_action])
        topology.addSeparator()
        topology.addAction(self.host_facts_action)
        toolbar = self.toolbar = self.addToolBar("Main")
        toolbar.setObjectName("main-toolbar")
        toolbar.addActions([self.new_action, self.open_action, self.save_action])
        toolbar.addSeparator()
        toolbar.addActions([self.undo_action, self.redo_action])
        toolbar.addSeparator()
        toolbar.addActions([self.zoom_in_action, self.zoom_out_action, self.fit_action,
                            self.layout_action])
        toolbar.addSeparator()
        toolbar.addActions([self.plan_action, self.apply_action, self.destroy_action,
                            self.check_action])

    def _build_status_bar(self) -> None:
        self.progress_bar = QProgressBar()
        self.progress_bar.setMaximumWidth(220)
        self.progress_bar.setVisible(False)
        self.statusBar().addPermanentWidget(self.progress_bar)
        self.cancel_button = QToolButton()
        self.cancel_button.setDefaultAction(self.cancel_action)
        self.cancel_button.setVisible(False)
        self.statusBar().addPermanentWidget(self.cancel_button)
        self.backend_label = QLabel()
        self.deploy_label = QLabel()
        self.statusBar().addPermanentWidget(self.deploy_label)
        self.statusBar().addPermanentWidget(self.backend_label)
        # first of the lasting widgets: the problems, and the bottom panel's opener
        self.statusBar().insertPermanentWidget(0, self.bottom_panel.button)
        self.message_fitter = MessageFitter(self.statusBar())  # none runs under them

    def _connect(self) -> None:
        doc = self.document
        doc.modified_changed.connect(lambda _m: self._update_title())
        doc.file_changed.connect(lambda _f: self._update_title())
        doc.problems_changed.connect(self._show_problems)
        self.scene.problems_of = self.with_facts_problems  # badges as the Problems list
        doc.replaced.connect(self._on_replaced)
        doc.reading_changed.connect(self._on_reading)
        doc.load_failed.connect(lambda exc: self.report_error("the file could not be read", exc))
        doc.selection_wanted.connect(lambda *_: self.view.show_selection())  # Undo brought it
        self._show_problems(doc.problems)
        scene = self.scene
        scene.create_requested.connect(self._create_dropped)
        scene.wire_requested.connect(self.wire)
        scene.reparent_requested.connect(self.reparent)
        scene.join_requested.connect(self.join_bridge)
        scene.nodes_moved.connect(self.move_nodes)
        scene.file_dropped.connect(self.open_path_asking)
        scene.context_requested.connect(self.show_context_menu)
        self.problems.currentItemChanged.connect(lambda *_: self._show_problem_fix())
        self.problems_fix.apply_requested.connect(self.apply_fix)
        self.checks.fix_for = lambda pair: pair_fix(self.document.snapshot, self.document.get,
                                                    pair, self.host_facts)
        self.checks.fix_bar.apply_requested.connect(self.apply_fix)
        self.checks.matrix.design = self.document.get
        scene.refused.connect(lambda text: self.statusBar().showMessage(text, 6000))
        scene.selectionChanged.connect(self._on_selection)
        self.palette_list.add_requested.connect(self._add_at_centre)
        self.problems.activated_key.connect(self.go_to_key)
        self.problems.activated_path.connect(self.go_to_path)
        self.inspector.renamed.connect(lambda _old, new: self.scene.select_keys([new]))
        self.runner.started.connect(self._on_backend_started)
        self.runner.finished.connect(self._on_backend_finished)
        self.runner.failed.connect(self._on_backend_failed)
        self.runner.progress.connect(self._on_progress)
        self.checks.pair_selected.connect(self.show_path)
        self.leases_table.activated_key.connect(self.go_to_key)
        self.host_view.add_requested.connect(self.add_host_nic)
        self.host_view.refresh_requested.connect(self.refresh_host_facts)
        self.inspector.host_panel.fill_requested.connect(self.fill_from_parent)
        self.inspector.host_panel.nic_fill_requested.connect(self.fill_nic_from_host)
        self.inspector.parent_changed.connect(self.fill_new_child)
        doc.content_changed.connect(self._on_design_changed)
        doc.content_changed.connect(self.on_design_edited)
        doc.content_changed.connect(self._checks_outdated)
        self.connect_measure()
        self.connect_check_from()

    # -- state shown in the chrome --------------------------------------------------------

    def _update_title(self) -> None:
        name = Path(self.document.file).name if self.document.file else "Untitled"
        lab = f" — {LAB_NOTICE}" if getattr(self.runner.backend, "lab", False) else ""
        self.setWindowTitle(f"{name}[*] — {APP_NAME}{lab}")
        self.setWindowModified(self.document.is_modified())

    def _update_backend_state(self) -> None:
        connected = self.runner.backend is not None
        busy = self.runner.busy()
        # the live host is shown read-only: Plan, Apply, Destroy and Check act on the design,
        # which is not what the canvas shows, so they wait until Back to Design
        live = getattr(self, "live", None) is not None and self.live.showing
        for action in (self.plan_action, self.apply_action, self.destroy_action,
                       self.check_action):
            action.setEnabled(connected and not busy and not live)
            action.setToolTip(LIVE_TIP if live else
                              backend_tip(action, connected, busy, self.runner.operation))
        self.cancel_action.setEnabled(busy)
        self.host_facts_action.setEnabled(connected)
        self.backend_label.setText(describe(self.runner.backend))
        if not connected:
            self.deploy_label.setText("designing (not deployed)")

    def _show_problems(self, problems: list[Any]) -> None:
        problems = self.with_facts_problems(problems)
        self.problems.set_problems(problems, self.document.snapshot.kind_of)
        self.scene.set_problems(problems)
        self.problems_dock.setWindowTitle(self.problems.summary())
        self.bottom_panel.set_problem_counts(*self.problems.counts())

    def _build_welcome_and_help(self) -> None:
        """The Help menu, and the hint an empty canvas shows (#15 item 4)."""
        self.help_menu = HelpMenu(self, self.new_from_example,
                                  lambda: describe(self.runner.backend))
        self.menuBar().addMenu(self.help_menu)
        self.welcome = WelcomePanel(self.view, self.new_from_example, self.file_open)
        self._had_content = False  # the design drew something (``_update_welcome``)
        for signal in (self.document.content_changed, self.document.replaced):
            signal.connect(self._update_welcome)
        self._update_welcome()

    def _update_welcome(self) -> None:
        snapshot = self.document.snapshot
        empty = not (snapshot.namespaces or snapshot.interfaces or snapshot.nics)
        emptied = empty and self._had_content
        self._had_content = not empty
        self.welcome.set_wanted(empty)
        if emptied and self.view.scene() is self.scene:
            # an Undo or a Delete took the last item: the empty host as a new design shows
            # it, the welcome over its frame (the frame stayed where the zoom and scroll of
            # the drawing left it, its title hidden under the panel)
            self.view.fit_all()

    def _show_problem_fix(self) -> None:
        problem = self.problems.current_problem()
        self.problems_fix.show_fix(None if problem is None else problem_fix(
            self.document.snapshot, self.document.get, problem))

    def apply_fix(self, fix: Fix) -> None:
        """A problem's or a check cell's fix, as one undo step; what it changes is selected
        (Undo gives back the selection from before it)."""
        fixed = list(dict.fromkeys(key for edit in fix.edits
                                   if (key := key_of_path(edit.path)) is not None))
        self.push(FixCommand(self.document, fix.label, list(fix.edits), fixed,
                             self._selection()))
        if fix.edits:  # the change in view (a port's new rule was below the fold)
            self.inspector.focus_path(fix.edits[0].path, take_focus=False)
        # whole in the log; in the status bar as much as fits beside the problems button
        # (at 1024x700 it ran under it: "… (addresses and parent stay) (U")
        say_made(self, f"{fix.label} (Undo takes it back)", fix.label)
        self._show_problem_fix()

    def _checks_outdated(self) -> None:
        """An edit: the last Check is stale (kept, marked), unless the edit (an Undo) gave
        back the design it was made beside; its path leaves the canvas."""
        self.checks.design_changed(self._digest())
        self.scene.set_wire_results({})

    def _on_replaced(self) -> None:
        # the History's first row says what Undo goes back to: "Opened" for a new design
        # that was never opened read wrong
        file = self.document.file
        self.undo_view.setEmptyLabel(f"Opened {Path(file).name}" if file else "New design")
        self.forget_deployment()
        self.checks.forget_measurement()
        self._update_title()
        self._on_design_changed()
        self.scene.set_wire_results({})
        self.refresh_status()
        QTimer.singleShot(0, self._first_view_of_design)
        if self.problems.counts()[0]:  # a file opened with errors: the list says which
            self.bottom_panel.reveal(self.problems_dock)

    def _first_view_of_design(self) -> None:
        """A file just opened, shown from its first view; not while the canvas shows the
        live host (Back to Design shows it so then)."""
        if self.view.scene() is self.scene:
            self.view.first_view()

    def _on_reading(self, reading: bool) -> None:
        """A big file is editable from its quick read while the full read goes on."""
        name = Path(self.document.file).name
        if reading:
            self.statusBar().showMessage(f"opened {name}; reading its comments and line"
                                         " numbers in the background")
        else:
            self.statusBar().showMessage(f"opened {name}", 4000)

    def _on_selection(self) -> None:
        keys = self.scene.selected_keys()
        self._update_edit_actions(keys)
        shown = keys[0] if len(keys) == 1 else None
        if shown is None and self.inspector.key is None:
            # the topology's form already: rebuilding it for each item a rubber band or
            # Select All adds took 25 ms an item (Select All of 200 namespaces: 20 s)
            return
        self.inspector.show_key(shown)
        if len(keys) == 1 and not self.inspector_dock.isHidden():
            # hidden while the live view shows its Observed dock: raised then, Qt would not
            # raise it when Back to Design shows it again (History stayed in front)
            self.inspector_dock.raise_()

    def _update_edit_actions(self, keys: list[str] | None = None) -> None:
        """Cut and Copy (items) and Delete (items or wires) are greyed while nothing of the
        kind is selected: they were offered, and did nothing, on an empty selection. The
        live host's view keeps them greyed (``LiveHost._lock``)."""
        live = getattr(self, "live", None)
        if live is not None and live.showing:
            return
        keys = self.scene.selected_keys() if keys is None else keys
        self.cut_action.setEnabled(bool(keys))
        self.copy_action.setEnabled(bool(keys))
        self.delete_action.setEnabled(bool(keys) or bool(self.scene.selectedItems()))

    # -- canvas requests → undo commands ----------------------------------------------------

    def push(self, command: Any) -> None:
        self.document.undo_stack.push(command)

    def create_at(self, kind: str, namespace: str | None, pos: QPointF) -> list[str]:
        try:
            edits, keys = create_edits(self.document.snapshot, kind, namespace, pos.x(), pos.y())
        except EditRefusedError as exc:
            self.statusBar().showMessage(str(exc), 6000)
            return []
        self.push(CreateCommand(self.document, kind, keys, edits, self._selection()))
        if kind in PREFILL_KINDS:
            self.fill_new_child(keys[0])
        return keys

    def _create_dropped(self, kind: str, namespace: str | None, pos: QPointF) -> None:
        """A palette entry dropped on the canvas, scrolled into view once the host frame and
        the scene's room have grown to hold it: a host NIC dropped above the frame was
        scrolled in before, when the room did not reach it yet, and landed partly out of
        view. Dropped on the host over another item (a namespace on a namespace, a veth
        pair on a bridge, half over a box's edge), it goes to the free room nearest, as an
        item dragged there does: it was drawn over the other."""
        scrolled = canvas_before(self)
        if namespace is None:  # on the host: beside what it was let go on, not over it
            occupied = [node.sceneBoundingRect() for node in self.scene.nodes.values()]
            pos = free_spot(occupied, pos, kind, GRID)
        keys = self.create_at(kind, namespace, pos)
        item = self.scene.item_for(keys[0]) if keys else None
        if item is not None:
            show_rect(self, item.sceneBoundingRect(), scrolled)

    def _add_at_centre(self, kind: str) -> None:
        """A palette entry double-clicked or Entered: into the selected namespace (an
        interface), else on the host at the free spot nearest the selection or the view's
        centre, scrolled into view."""
        centre = self.view.mapToScene(self.view.viewport().rect().center())
        namespace = None
        selected = self.scene.selected_keys()
        if kind not in ("namespace", "nic") and len(selected) == 1 \
                and selected[0] in self.document.snapshot.namespaces:
            namespace = selected[0]
        near = centre
        chosen = [self.scene.nodes[k] for k in selected if k in self.scene.nodes]
        if chosen:
            near = chosen[0].sceneBoundingRect().center()
        occupied = [node.sceneBoundingRect() for node in self.scene.nodes.values()]
        spot = centre if namespace else free_spot(occupied, near, kind, GRID)
        scrolled = canvas_before(self)
        keys = self.create_at(kind, namespace, spot)
        item = self.scene.item_for(keys[0]) if keys else None
        if item is not None:  # as far as it needs: ensureVisible's margin took the design out
            show_rect(self, item.sceneBoundingRect(), scrolled)

    def wire(self, a: str, b: str) -> bool:
        try:
            edits = wire_edits(self.document.snapshot, a, b)
        except EditRefusedError as exc:
            self.statusBar().showMessage(str(exc), 8000)
            return False
        self.push(WireCommand(self.document, a, b, edits))
        for edit in edits:
            if edit.path[-1:] == ("parent",):
                self.fill_new_child(str(edit.path[1]))
        return True

    def reparent(self, key: str, namespace: str | None, pos: QPointF, drag: int = 0) -> None:
        """``key`` into ``namespace``; ``drag``: the drag that moved it there in the host,
        whose move becomes part of this one undo step (Undo puts it back where it stood)."""
        try:
            edits = reparent_edits(self.document.snapshot, key, namespace, pos.x(), pos.y())
        except EditRefusedError as exc:
            self.statusBar().showMessage(str(exc), 6000)
            return
        if edits:
            if self._take_back_drag(key, drag):
                edits = reparent_edits(self.document.snapshot, key, namespace, pos.x(),
                                       pos.y())
            before = self.document.snapshot
            self.push(ReparentCommand(self.document, key, namespace, edits))
            self.scene.select_keys([key])
            self.fill_new_child(key)
            self._say_port_rules_gone(before, edits)

    def join_bridge(self, key: str, bridge: str, drag: int = 0) -> None:
        """``key`` dropped on host bridge ``bridge``'s box: one of its ports, in one undo step
        with the drag that brought it there (``drag``, as for ``reparent``)."""
        try:
            edits = bridge_port_edits(self.document.snapshot, key, bridge)
        except EditRefusedError as exc:
            self.statusBar().showMessage(str(exc), 6000)
            return
        if edits:
            if self._take_back_drag(key, drag):
                edits = bridge_port_edits(self.document.snapshot, key, bridge)
            self.push(JoinBridgeCommand(self.document, key, bridge, edits))
            self.scene.select_keys([key])

    def _take_back_drag(self, key: str, drag: int) -> bool:
        """Undo the move step ``drag`` made of ``key`` alone, if it is the last step: the
        drop that ends the drag is then the one step (Undo puts it back where it stood)."""
        stack = self.document.undo_stack
        moved = stack.command(stack.index() - 1) if drag and stack.index() else None
        if isinstance(moved, MoveCommand) and moved.drag == drag and moved.keys == [key]:
            stack.undo()
            return True
        return False

    def move_nodes(self, drag: int, moves: dict[str, tuple[float, float]]) -> None:
        edits = [Edit(("layout", key), position(x, y)) for key, (x, y) in sorted(moves.items())]
        self.push(MoveCommand(self.document, drag, edits))

    def delete_selection(self) -> None:
        keys, wires = self.scene.selected_keys(), self.scene.selected_wires()
        if not keys and not wires:
            return
        before = self.document.snapshot
        edits = delete_edits(before, keys, wires)
        if edits:
            names = keys + [f"{a}–{b}" for _r, a, b in wires]
            self.push(DeleteCommand(self.document, names, edits, (keys, wires)))
            self._say_port_rules_gone(before, edits)

    def _say_port_rules_gone(self, before: Snapshot, edits: list[Edit]) -> None:
        """A port that left its bridge took its port firewall along: say so (and Undo)."""
        note = port_rules_gone(before, edits)
        if note:
            self.statusBar().showMessage(note, 12000)

    def select_all(self) -> None:
        """Every selectable item, as one selection change (not one an item)."""
        everything = QPainterPath()
        everything.addRect(self.scene.itemsBoundingRect().adjusted(-1, -1, 1, 1))
        self.scene.setSelectionArea(everything, Qt.ItemSelectionOperation.ReplaceSelection,
                                    Qt.ItemSelectionMode.IntersectsItemBoundingRect)

    def copy(self) -> bool:
        keys = self.scene.selected_keys()
        if not keys:
            return False
        fragment, far_ends = with_far_ends(self.document.snapshot, keys)
        fragment["far-ends"] = far_ends_to_data(far_ends)  # a veth's other end, as Duplicate
        QGuiApplication.clipboard().setMimeData(to_mime(fragment))
        return True

    def cut(self) -> None:
        if self.copy():
            self.delete_selection()

    def paste(self) -> list[str]:
        fragment = from_clipboard(QGuiApplication.clipboard())
        if not fragment:
            self.statusBar().showMessage("nothing Netwright can paste on the clipboard", 4000)
            return []
        snapshot = self.document.snapshot
        # on free room beside the original, as Duplicate (40 px down and right was on it)
        offset = copy_offset(fragment, self.scene.nodes, GRID)
        edits, keys = paste_edits(snapshot, fragment, offset.x(), offset.y())
        if not edits:
            return []
        renames = dict(zip([*(fragment.get("namespaces") or {}),
                            *(fragment.get("interfaces") or {})], keys, strict=True))
        far_ends = far_ends_from_data(fragment.get("far-ends"))
        edits = fresh_addresses(edits, snapshot, self.host_facts)
        edits = follow_addresses(edits, fragment.get("interfaces") or {}, renames, far_ends)
        edits, new_macs = fresh_macs(edits, snapshot)
        scrolled = canvas_before(self)
        self.push(PasteCommand(self.document, keys, edits, self._selection(),
                               pasted_tops(fragment, renames, far_ends)))
        show_made(self, keys, scrolled)
        say_made(self, paste_words(fragment, renames, far_ends) + mac_words(new_macs),
                 made_short("Pasted", pasted_what(fragment, renames, far_ends), far_ends,
                            renames, new_macs))
        return keys

    def _selection(self) -> Selection:
        """What the canvas has selected, for an undo step to give back."""
        return self.scene.selected_keys(), self.scene.selected_wires()

    def arrange(self) -> bool:
        """Every item where Graphviz's dot puts it, as one undo step; a sentence if dot is
        missing, fails or takes too long (nothing moves then)."""
        snapshot = self.document.snapshot
        try:
            positions = dot_positions(snapshot, lambda key: box_shape(snapshot, key),
                                      grid=self.scene.grid())
        except LayoutUnavailableError as exc:
            self.report_error("nothing was arranged", exc)
            return False
        edits = [Edit(("layout", key), position(x, y)) for key, (x, y) in positions.items()
                 if snapshot.layout.get(key) != (x, y)]
        if edits:
            self.push(LayoutCommand(self.document, edits))
            self.view.first_view()
            self.statusBar().showMessage(
                f"Arrange Automatically moved {counted(len(edits), 'item')} (Undo puts"
                f" {'it' if len(edits) == 1 else 'them'} back)", 6000)
        else:  # the click did something: it says so (the drawing, unchanged, did not)
            self.statusBar().showMessage(
                "Arrange Automatically: every item is already where it puts it; nothing"
                " moved", 6000)
        return True

    def go_to_key(self, key: str) -> None:
        """Select ``key`` and scroll it into view only as far as it needs (``reveal``): it
        was centred, which took half the design out of a view that showed all of it."""
        self.scene.select_keys([key])
        self.view.show_selection()

    def ask_go_to(self) -> GoToDialog:
        """Edit › Go to Item…: the item named goes selected, and the keys to the canvas."""
        snapshot = self.document.snapshot
        dialog = GoToDialog([*snapshot.namespaces, *snapshot.nics, *snapshot.interfaces], self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.chosen.connect(self.go_to_key)
        dialog.finished.connect(lambda _result: self.view.setFocus())
        dialog.open()
        return dialog

    def go_to_path(self, path: tuple[object, ...]) -> None:
        """A problem's field in the inspector (the host's rules: the topology view's)."""
        if path[:1] == ("host",) and path[1:2] != ("nics",):
            self.scene.clearSelection()
        self.inspector.focus_path(path)

    def _toggle_snap(self) -> None:
        self.scene.snap = self.snap_action.isChecked()

    # -- files ----------------------------------------------------------------------------

    def maybe_save(self) -> bool:
        """True when it is fine to drop the current document (saved, discarded, unmodified)."""
        if not self.document.is_modified():
            return True
        name = Path(self.document.file).name if self.document.file else "Untitled"
        buttons = QMessageBox.StandardButton
        box = QMessageBox(QMessageBox.Icon.Question, APP_NAME,
                          f"{name} has unsaved changes. Save them?",
                          buttons.Save | buttons.Discard | buttons.Cancel, self)
        box.setDefaultButton(buttons.Save)
        # Qt's own texts carry no mnemonic: Alt+D did nothing, and the Return pressed
        # next saved
        box.button(buttons.Save).setText("&Save")
        box.button(buttons.Discard).setText("&Discard")
        answer = box.exec()
        box.deleteLater()
        if answer == buttons.Save:
            return self.file_save()
        return answer == buttons.Discard

    def file_new(self) -> None:
        if self.maybe_save():
            self.document.new()

    def new_from_example(self, path: Path) -> None:
        """The example's content as a new, unsaved document (Save asks for a name)."""
        if not self.maybe_save():
            return
        try:
            self.document.load_text(Path(path).read_text(encoding="utf-8"), origin=str(path))
        except (OSError, TopologyError) as exc:
            self.report_error(f"cannot open the example {Path(path).name}", exc)
            return
        self.undo_view.setEmptyLabel(f"New from example {Path(path).stem}")

    def file_open(self) -> None:
        if not self.maybe_save():
            return
        path, _ = QFileDialog.getOpenFileName(self, "Open topology", self._folder(),
                                              "Netwright topologies (*.yaml *.yml)")
        if path:
            self.open_path(path)

    def open_path_asking(self, path: str) -> None:
        if self.maybe_save():
            self.open_path(path)

    def open_path(self, path: str | Path) -> bool:
        try:
            self.document.open_progressively(path)
        except TopologyError as exc:
            self.report_error(f"cannot open {path}", exc)
            return False
        self.recent.add(str(path))
        self.statusBar().showMessage(f"opened {path}", 4000)
        return True

    def file_save(self) -> bool:
        if not self.document.file:
            return self.file_save_as()
        return self._save_to(self.document.file)

    def file_save_as(self) -> bool:
        suggested = self.document.file or str(Path(self._folder()) /
                                              f"{self.document.snapshot.name or 'topology'}.yaml")
        path, _ = QFileDialog.getSaveFileName(self, "Save topology", suggested,
                                              "Netwright topologies (*.yaml *.yml)")
        return bool(path) and self._save_to(path)

    def _save_to(self, path: str) -> bool:
        try:
            self.document.save(path)
        except NetwrightError as exc:
            self.report_error("the topology was not saved", exc)
            return False
        self.recent.add(path)
        self.statusBar().showMessage(f"saved {path}", 4000)
        return True

    def _folder(self) -> str:
        return str(Path(self.document.file).parent) if self.document.file else str(Path.home())

    def _fill_recent(self) -> None:
        self.recent_menu.clear()
        for path in self.recent.paths():
            action = self.recent_menu.addAction(path)
            action.triggered.connect(lambda _c=False, p=path: self.open_path_asking(p))
        if self.recent_menu.isEmpty():
            self.recent_menu.addAction("(none)").setEnabled(False)

    def report_error(self, what: str, exc: Exception) -> None:
        detail = str(exc)
        if isinstance(exc, TopologyError) and exc.problems:
            detail = "\n".join(placed_message(p) for p in exc.problems[:8])
        self.statusBar().showMessage(f"{what}: {detail.splitlines()[0]}", 10000)
        self.log.appendPlainText(f"{what}:\n{detail}")
        self.bottom_panel.reveal(self.log_dock)
        if self.isVisible() and QApplication.platformName() != "offscreen":
            QMessageBox.warning(self, APP_NAME, f"{what}.\n\n{detail}")

    # -- export ---------------------------------------------------------------------------

    def _export_path(self, title: str, suffix: str, pattern: str) -> str:
        stem = Path(self.document.file).stem if self.document.file else "topology"
        path, _ = QFileDialog.getSaveFileName(self, title, str(Path(self._folder()) /
                                                               f"{stem}.{suffix}"), pattern)
        return path

    def export_png(self) -> None:
        path = self._export_path("Export PNG", "png", "PNG images (*.png)")
        if path:
            badges = self.export_badges_action.isChecked()
            self._export(lambda: render_png(self.scene, path, badges=badges), path)

    def export_svg(self) -> None:
        path = self._export_path("Export SVG", "svg", "SVG drawings (*.svg)")
        if path:
            badges = self.export_badges_action.isChecked()
            self._export(lambda: render_svg(self.scene, path, badges=badges), path)

    def export_shell(self) -> None:
        path = self._export_path("Export shell script", "sh", "Shell scripts (*.sh)")
        if path:
            self._export(lambda: write_shell_script(self.document, path), path)

    def export_kubernetes(self) -> None:
        """The design as Multus YAML (``netwright export --format multus``)."""
        try:
            topology = self.document.contract.topology()
        except NetwrightError as exc:
            self.report_error("fix the errors in the Problems list before exporting", exc)
            return
        dialog = KubernetesExportDialog(topology, self._folder(), self)
        if dialog.exec() and dialog.saved_path:  # said, as the other exports say it
            self.statusBar().showMessage(f"exported {dialog.saved_path}", 4000)

    def _export(self, job: Any, path: str) -> None:
        try:
            job()
        except NetwrightError as exc:
            self.report_error("nothing was exported", exc)
            return
        self.statusBar().showMessage(f"exported {path}", 4000)

    # -- window events --------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        super().resizeEvent(event)
        fit_docks(self, self.palette_dock, self.inspector_dock, self.bottom_panel.docks())

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802
        """The first time: the bottom panel opens or not for the window's height."""
        self.bottom_panel.start(self.height())
        super().showEvent(event)

    def focusNextPrevChild(self, next: bool) -> bool:  # noqa: N802 (Qt override)
        return step_focus(super().focusNextPrevChild, next)

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self._closed:  # closed before: Qt sends a close event to a hidden window too
            event.accept()
        elif self.close_confirmed or (self.maybe_save() and self.lab_allows_close()):
            self._closed = True
            save_docks(self, self.settings)
            self.scene.selectionChanged.disconnect(self._on_selection)
            self.predictions.timer.stop()
            self.status_refresher.stop()
            self.release_backend()
            event.accept()
        else:
            event.ignore()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if any(u.isLocalFile() and u.toLocalFile().endswith((".yaml", ".yml"))
               for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        for url in event.mimeData().urls():
            if url.isLocalFile() and url.toLocalFile().endswith((".yaml", ".yml")):
                event.acceptProposedAction()
                self.open_path_asking(url.toLocalFile())
                return

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802
        if event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange):
            theme = current_theme()
            if theme.dark != self.theme.dark:
                self.theme = theme
                self.scene.set_theme(theme)
                self.leases_table.set_theme(theme)
                self.checks.set_theme(theme)
                self.palette_list.set_theme(theme)
                self.live.set_theme(theme)
                self.view.setBackgroundBrush(theme.background)
        super().changeEvent(event)
