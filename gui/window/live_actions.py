"""The live host in the designer: open it read-only, compare a design with it, copy its
objects into the design.

"Open Live Host" asks the window's backend (netwrightd, or the lab) for the host as a
topology of existing objects and draws it in a ``LiveScene`` on the same canvas, laid out by
Graphviz as Arrange would, under a banner that says it is read-only and when it was
observed. While it is shown the editing actions are greyed and the inspector is a read-only
one. "Compare with Design" draws the design's missing objects into the picture and outlines
what is missing, extra and drifted, listed in the Compare dock. "Copy into Design" adds the
selected observed objects (and what they need) to the design as existing objects, one undo
step. Adopting lives in ``adopt_actions``. The window's design is never touched by viewing
the host; "Back to Design" shows it again.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QDockWidget, QMenu, QPushButton

from netwright.backend.count_words import counted
from netwright.backend.topology.document import Document
from netwright.backend.topology.fastload import load_plain, to_plain
from netwright.backend.topology.problems import NetwrightError
from netwright.gui.canvas.graph_layout import LayoutUnavailableError, dot_positions
from netwright.gui.canvas.items import box_shape
from netwright.gui.canvas.live_scene import LiveScene
from netwright.gui.canvas.theme import Theme
from netwright.gui.canvas.view import ViewPlace
from netwright.gui.docks.compare import CompareView
from netwright.gui.docks.live_inspector import ObservedPanel
from netwright.gui.link.live import READ, LiveHostError, Observation, managed_text, observe
from netwright.gui.model.document import Edit, TopologyDocument
from netwright.gui.model.edits import position
from netwright.gui.model.live_compare import Comparison, compare, overlay
from netwright.gui.model.live_copy import CopyFromHostCommand, copy_edits
from netwright.gui.model.snapshot import Snapshot, take_snapshot
from netwright.gui.window.adopt_actions import AdoptFlow
from netwright.gui.window.dock_sizes import steady_width
from netwright.gui.window.live_banner import LiveBanner, banner_text


class LiveHost(QObject):
    """The live view of one window: its document, scene, docks, banner and actions."""

    def __init__(self, window: Any) -> None:
        super().__init__(window)
        self.window = window
        self.document = TopologyDocument(self)
        self.scene = LiveScene(self.document, window.theme)
        self.scene.setParent(self)
        self.observation: Observation | None = None
        self.observed: Snapshot = Snapshot()  # the host as observed (no design objects)
        self._observed_data: dict[str, Any] = {}
        self.comparison: Comparison | None = None
        self._front_before_compare: QDockWidget | None = None  # the bottom panel's, then
        self.showing = False
        # the design's zoom and scroll (and undo step) when the host was shown, the host's
        # when the design was: each view comes back as it was left
        self._design_place: ViewPlace | None = None
        self._design_step = 0
        self._live_place: ViewPlace | None = None
        self._redraw_pending = False
        self._locked: dict[QAction, bool] = {}
        self._build_actions()
        self.observed_panel = ObservedPanel(self.document)
        self.inspector = self.observed_panel.inspector
        # in a scroll area as the design's Inspector: the host's whole form, built for a moment
        # on each observation, made the window taller than a 1024×700 screen
        self.inspector_dock = self._dock("Observed", steady_width(self.observed_panel),
                                         "observed", window.inspector_dock)
        self.compare_view = CompareView(window.theme)
        self.compare_dock = self._dock("Compare", self.compare_view, "compare",
                                       window.problems_dock)
        # Copy and Adopt act on a selection: the right-click menu and File offer them
        self.banner = LiveBanner(window.view, [self.refresh_action, self.compare_action,
                                               self.back_action])
        self.scene.selectionChanged.connect(self._on_selection)
        self.scene.refused.connect(lambda text: window.statusBar().showMessage(text, 6000))
        self.scene.context_requested.connect(self._context_menu)
        self.scene.file_dropped.connect(window.open_path_asking)
        self.compare_view.activated_key.connect(self.go_to_key)
        window.document.content_changed.connect(self._design_changed)
        window.document.replaced.connect(self._design_changed)
        window.document.replaced.connect(self._forget_design_place)
        self._update_actions()

    # -- construction ---------------------------------------------------------------------

    def _build_actions(self) -> None:
        w = self.window
        self.open_action = w._action(
            "Open &Live Host", self.open, "Ctrl+Shift+L",
            "draw this machine's namespaces and links as they are now, read-only")
        self.refresh_action = w._action("&Refresh", self.refresh, "Ctrl+R",
                                        "observe the live host again")
        self.compare_action = w._action(
            "Compare with &Design", self.compare, "Ctrl+Shift+D",
            "outline what the open design has that the host lacks, what only the host has,"
            " and what differs")
        self.copy_action = w._action(
            "Cop&y into Design", self.copy_into_design, "Ctrl+Shift+Y",
            "add the selected observed objects to the design as existing objects")
        self.back_action = w._action("&Back to Design", self.show_design, "Ctrl+Shift+B",
                                     "show the design again")
        self.adopt = AdoptFlow(w, self)

    def _dock(self, title: str, widget: Any, name: str, beside: QDockWidget) -> QDockWidget:
        dock = QDockWidget(title, self.window)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.window.addDockWidget(self.window.dockWidgetArea(beside), dock)
        self.window.tabifyDockWidget(beside, dock)
        dock.hide()
        beside.raise_()
        return dock

    def add_to_menus(self, file_menu: QMenu, view_menu: QMenu) -> None:
        """After File ▸ Open Recent: the live host's entries; the Observed and Compare docks'
        toggles at the end of View, after the design's docks; a button on the welcome panel."""
        view_menu.addActions([self.inspector_dock.toggleViewAction(),
                              self.compare_dock.toggleViewAction()])
        entries = file_menu.actions()
        anchor = self.window.recent_menu.menuAction()
        after = entries[entries.index(anchor) + 1] if anchor in entries[:-1] else None
        section = [self.open_action, self.refresh_action, self.compare_action,
                   self.copy_action, self.adopt.action, self.back_action]
        file_menu.insertSeparator(after) if after is not None else file_menu.addSeparator()
        for action in section:
            file_menu.insertAction(after, action) if after is not None \
                else file_menu.addAction(action)
        welcome = self.window.welcome
        button = QPushButton("Open the live host (this machine's networks, read-only)")
        button.setObjectName("welcome-live")
        button.clicked.connect(self.open)
        layout = welcome.column
        layout.insertWidget(layout.count() - 1, button, 0, Qt.AlignmentFlag.AlignLeft)
        self.welcome_button = button

    def set_theme(self, theme: Theme) -> None:
        """Follow a light/dark palette switch, as the design's canvas does."""
        self.scene.set_theme(theme)
        self.compare_view.set_theme(theme)

    # -- showing --------------------------------------------------------------------------

    def open(self) -> None:
        """Observe the host (if not yet) and show it."""
        self.show_live()
        if self.observation is None:
            self.refresh()

    def refresh(self) -> None:
        """Observe again; the picture is replaced when the answer comes."""
        self.banner.show_text(banner_text(None, bool(getattr(self.window.runner.backend,
                                                             "lab", False))))
        self.window._spawn(self._observe())

    async def _observe(self) -> bool:
        try:
            found = await observe(self.window.runner.backend)
        except NetwrightError as exc:
            # the sentence begins "cannot read the live host: …": after "the live host could
            # not be read" (or "not shown") it said the same thing twice
            why = LiveHostError(str(exc).removeprefix(f"cannot {READ}: "))
            self.banner.show_text(f"Live host — not shown: {why}")
            self.window.report_error("the live host could not be read", why)
            return False
        await self.show_observation(found)
        return True

    async def show_observation(self, found: Observation) -> None:
        """Draw what the backend observed (and list in the log what it left out)."""
        self.observation = found
        data = load_plain(found.text)  # libyaml; the contract's parser when it is missing
        self._observed_data = data if isinstance(data, dict) else dict(
            to_plain(Document.from_text(found.text).tree) or {})
        self.observed = take_snapshot(self._observed_data)
        self.observed_panel.set_networkmanager({name: managed_text(name, entry) for name, entry
                                           in found.networkmanager.items()})
        self.observed_panel.set_holders(found.holders)
        self.scene.set_holders(found.holders)
        for line in found.skipped:
            self.window.log.appendPlainText(f"live host: left out {line}")
        await self._draw()

    async def _draw(self) -> None:
        """The observation (with the design's missing objects while comparing) on the
        canvas, arranged by dot, outlined by the comparison."""
        data = self._observed_data
        if self.comparison is not None:
            self.comparison = compare(self.window.document.snapshot, self.observed,
                                      self.observation.host if self.observation else None)
            data = overlay(data, self.window.document.snapshot, self.comparison)
        self.document.load_data(data)
        self._arrange()
        self.scene.set_marks({d.key: d.kind for d in self.comparison.differences}
                             if self.comparison is not None else {})
        self.compare_view.show_comparison(self.window.document.snapshot.name or "the design",
                                          self.comparison)
        found = self.observation
        if found is not None and self.showing:
            self.banner.show_text(banner_text(found.when, found.lab, len(found.skipped)))
        if self.showing:
            self.window.view.first_view()  # a star of 200 containers: readable, not Fit's 8 %
        self._live_place = None  # a new picture: its own first view when shown again
        self._on_selection()  # the new document emptied the Observed form; the same keys
        self._update_actions()  # are still selected on the canvas

    def _arrange(self) -> None:
        """Positions from Graphviz, as Arrange gives a design (the import's own rows when
        dot is missing); the live document has no undo: it is never the user's edit."""
        snapshot = self.document.snapshot
        try:
            # in this thread, as Arrange: qasync's executor threads abort the process at exit
            spots = dot_positions(snapshot, lambda key: box_shape(snapshot, key),
                                  grid=self.scene.grid())
        except LayoutUnavailableError as exc:
            self.window.log.appendPlainText(f"live host: not arranged: {exc}")
            return
        edits = [Edit(("layout", key), position(x, y)) for key, (x, y) in spots.items()]
        if edits:
            self.document.apply(edits)
            self.scene._on_replaced()  # every item where the new layout says

    def show_live(self) -> None:
        w = self.window
        if not self.showing:
            self.showing = True
            self._design_place = w.view.place()  # Back to Design returns there
            self._design_step = w.document.undo_stack.index()
            w.view.setScene(self.scene)
            self.inspector_dock.show()
            self.inspector_dock.raise_()
            w.inspector_dock.hide()
            self._lock(True)
        found = self.observation
        self.banner.show_text(banner_text(found.when if found else None,
                                          found.lab if found else False,
                                          len(found.skipped) if found else 0))
        w.welcome.set_wanted(False)
        if found is not None:
            w.view.go_to_place(self._live_place)  # as left, or the first view of it
        self._update_actions()

    def show_design(self) -> None:
        w = self.window
        if self.showing:
            self.showing = False
            self._live_place = w.view.place()
            w.view.setScene(w.scene)
            self.banner.hide_banner()
            self.inspector_dock.hide()
            w.inspector_dock.show()
            w.inspector_dock.raise_()
            self._lock(False)
            w._update_welcome()
            w.view.go_to_place(self._design_place)
            if w.document.undo_stack.index() != self._design_step:
                w.view.show_selection()  # what Copy into Design added and selected
        self._update_actions()

    def _lock(self, live: bool) -> None:
        """Grey the design's editing actions while the host is shown (and restore them)."""
        w = self.window
        editing = [w.undo_action, w.redo_action, w.cut_action, w.copy_action, w.paste_action,
                   w.delete_action, w.layout_action, w.snap_action, w.go_to_action]
        if live:
            if not self._locked:  # again after a copy: keep the states from before the view
                self._locked = {a: a.isEnabled() for a in editing}
            for action in editing:
                action.setEnabled(False)
            w.palette_dock.widget().setEnabled(False)
            w.host_dock.widget().setEnabled(False)
            w._update_backend_state()
            return
        for action in editing:
            action.setEnabled(self._locked.get(action, True))
        self._locked = {}
        stack = w.document.undo_stack
        w.undo_action.setEnabled(stack.canUndo())
        w.redo_action.setEnabled(stack.canRedo())
        w.palette_dock.widget().setEnabled(True)
        w.host_dock.widget().setEnabled(True)
        w._update_backend_state()
        w._update_edit_actions()  # the design's selection may have changed (Copy into Design)

    def _update_actions(self) -> None:
        shown = self.showing
        self.refresh_action.setEnabled(shown)
        self.back_action.setEnabled(shown)
        self.copy_action.setEnabled(shown and self.observation is not None)
        self.compare_action.setEnabled(True)
        self.compare_action.setText("Stop &Comparing" if self.comparison is not None
                                    else "Compare with &Design")
        self.adopt.update()

    # -- compare and copy -----------------------------------------------------------------

    def compare(self) -> None:
        """Toggle the comparison with the open design (observing first if needed)."""
        panel = self.window.bottom_panel
        if self.comparison is not None:
            self.comparison = None
            panel.withdraw(self.compare_dock, self._front_before_compare)
            self.window._spawn(self._draw())
            return
        design = self.window.document.snapshot
        if not (design.namespaces or design.interfaces or design.nics):
            self.window.statusBar().showMessage(
                "Compare with Design: open or draw a design first; this one is empty", 8000)
            return
        self.comparison = Comparison()
        self._front_before_compare = panel.front()  # given back by Stop Comparing
        panel.reveal(self.compare_dock)
        self.show_live()
        self.window._spawn(self._observe() if self.observation is None else self._draw())

    def _design_changed(self) -> None:
        if self.showing:
            self.window.welcome.set_wanted(False)  # the canvas shows the host, not the design
        if self.comparison is not None and self.observation is not None \
                and not self._redraw_pending:  # a burst of edits: one redraw after them
            self._redraw_pending = True
            self.window._spawn(self._redraw())

    def _forget_design_place(self) -> None:
        """Another file opened while the host is shown: Back to Design shows it from its
        first view, not where the file before it was left."""
        self._design_place = None

    async def _redraw(self) -> None:
        self._redraw_pending = False
        await self._draw()

    def selected_observed(self) -> list[str]:
        """The selected keys that are the host's own (not the design's missing ones)."""
        observed = self.observed
        return [k for k in self.scene.selected_keys() if k in observed.namespaces
                or k in observed.interfaces or k in observed.nics]

    def copy_into_design(self) -> list[str]:
        """The selected observed objects into the design as existing objects, one step."""
        w = self.window
        selected = self.selected_observed()
        if not selected:
            w.statusBar().showMessage("Copy into Design: select objects of the live host"
                                      " first", 6000)
            return []
        edits, keys = copy_edits(w.document.snapshot, self.observed, selected)
        if not keys:
            w.statusBar().showMessage("the design already has the selected objects", 6000)
            return []
        # the design's selection: Undo gives it back (the copy is selected, as a paste is)
        w.push(CopyFromHostCommand(w.document, keys, edits, w._selection()))
        if self.showing:
            self._lock(True)  # the push re-enabled Undo; it stays greyed here
        w.statusBar().showMessage(
            f"copied {counted(len(keys), 'object')} into the design as existing: {', '.join(keys)}"
            " (Undo takes them back)", 8000)
        return keys

    # -- selection ------------------------------------------------------------------------

    def go_to_key(self, key: str) -> None:
        """Select ``key`` in the picture of the host (shown again if the design was); a row
        of the host's own settings (forwarding, NAT and firewall) has nothing to select."""
        if not key:
            return
        if not self.showing:
            self.show_live()
        self.scene.select_keys([key])
        self.window.view.show_selection()  # only as far as it needs, as in the design

    def _on_selection(self) -> None:
        keys = self.scene.selected_keys()
        self.inspector.show_key(keys[0] if len(keys) == 1 and keys[0] in (
            *self.document.snapshot.namespaces, *self.document.snapshot.interfaces,
            *self.document.snapshot.nics) else None)
        self.adopt.update()

    def _context_menu(self, target: object, where: Any) -> None:
        menu = QMenu(self.window)
        menu.addActions([self.copy_action, self.adopt.action])
        menu.addSeparator()
        menu.addActions([self.refresh_action, self.compare_action, self.back_action])
        self.context_menu = menu
        menu.popup(where)
