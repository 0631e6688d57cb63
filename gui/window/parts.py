"""What the window's action mixins may use of the window: its parts, named and typed.

The ``*Actions`` classes are mixins of ``MainWindow``; they used to type ``self`` by importing
the window module, which imports them (a cycle). They now type ``self`` by ``WindowBase``
instead (a ``QMainWindow`` with the parts and methods declared here), which imports only the
layers below the window
(model, link, canvas, docks, dialogs), so every import in the package points downward. A part
a mixin needs is declared here; the window provides it.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QSettings
from PySide6.QtGui import QAction
from PySide6.QtWidgets import (
    QDockWidget,
    QLabel,
    QMainWindow,
    QPlainTextEdit,
    QProgressBar,
    QToolButton,
)

from netwright.backend.topology.problems import Problem
from netwright.gui.canvas.scene import TopologyScene
from netwright.gui.canvas.view import CanvasView
from netwright.gui.dialogs.plan import PlanDialog
from netwright.gui.dialogs.trial import TrialDialog
from netwright.gui.docks.checks import ChecksView
from netwright.gui.docks.host_nics import HostNicsView
from netwright.gui.docks.inspector import Inspector
from netwright.gui.docks.lease_views import LeasesTable
from netwright.gui.link.backend import Backend, BackendRunner
from netwright.gui.link.status_refresh import StatusRefresher
from netwright.gui.model.commands import Selection
from netwright.gui.model.deployment import DeploymentView
from netwright.gui.model.document import TopologyDocument
from netwright.gui.model.host_facts import HostFacts
from netwright.gui.window.bottom_panel import BottomPanel


class WindowParts:
    """The window's widgets and state, as the action mixins see them. A plain class, not a
    protocol: mypy takes a mixin's assignment to a protocol's attribute for a new definition
    whose type it cannot determine where the same method reads it first."""

    document: TopologyDocument
    scene: TopologyScene
    view: CanvasView
    runner: BackendRunner
    status_refresher: StatusRefresher
    inspector: Inspector
    host_view: HostNicsView
    checks: ChecksView
    checks_dock: QDockWidget
    leases_table: LeasesTable
    leases_dock: QDockWidget
    log: QPlainTextEdit
    log_dock: QDockWidget
    bottom_panel: BottomPanel
    progress_bar: QProgressBar
    cancel_button: QToolButton
    backend_label: QLabel
    deploy_label: QLabel
    plan_dialog: PlanDialog | None
    trial_dialog: TrialDialog | None
    trial_seconds: int | None
    host_facts: HostFacts | None
    settings: QSettings
    deployment: DeploymentView
    _deployment_name: str
    _applying: str
    _trial_words: str
    _check_focus: str
    _started_at: float
    paste_action: QAction
    layout_action: QAction
    fit_action: QAction
    check_action: QAction
    _job_id: str
    _side_tasks: set[asyncio.Future[Any]]
    _facts_requests: itertools.count[int]
    _facts_latest: int


class WindowMethods(Protocol):
    """The window's shared methods, as the action mixins see them."""

    # the window's own
    def push(self, command: Any) -> None: ...
    def go_to_key(self, key: str) -> None: ...
    def delete_selection(self) -> None: ...
    def check(self) -> None: ...
    def _selection(self) -> Selection: ...
    def _update_title(self) -> None: ...
    def _update_backend_state(self) -> None: ...
    def _show_problems(self, problems: list[Any]) -> None: ...

    # one mixin's, used by another
    def _run(self, operation: str, call: Callable[[], Awaitable[Any]]) -> bool: ...
    async def _job(self, verb: str, argument: str, **options: Any) -> Any: ...
    def _spawn(self, coroutine: Any) -> asyncio.Future[Any]: ...
    def set_backend(self, backend: Backend | None) -> None: ...
    def refresh_status(self) -> None: ...
    def plan(self) -> None: ...
    def apply_accepted_plan(self) -> None: ...
    def destroy_now(self) -> None: ...
    def show_leases(self, leases: dict[str, Any]) -> None: ...
    def refresh_host_facts(self) -> None: ...
    def refresh_host_facts_if_new_nics(self) -> None: ...
    def set_host_facts(self, facts: HostFacts | None, note: str = "") -> None: ...
    def with_facts_problems(self, problems: list[Problem]) -> list[Problem]: ...
    def fill_from_parent(self, key: str, quiet: bool = False) -> bool: ...
    def show_trial(self, name: str, awaiting: dict[str, Any]) -> None: ...
    def follow_trial(self, name: str, awaiting: dict[str, Any] | None) -> None: ...
    def trial_status_failed(self, name: str, error: str) -> None: ...
    def _trial_restored(self, name: str, words: str) -> None: ...
    def measure_entry(self, menu: Any, source: str | None, target: str | None = None
                      ) -> Any: ...
    def measure_wire_entry(self, menu: Any, a: str, b: str) -> None: ...
    def check_from_entries(self, menu: Any, source: str) -> bool: ...
    def _topology_name(self) -> str: ...
    def _folder(self) -> str: ...


if TYPE_CHECKING:
    class WindowBase(QMainWindow, WindowParts, WindowMethods):
        """A mixin's ``self`` as the type checker sees it: a ``QMainWindow`` (its own methods,
        and a parent for dialogs) with the parts and methods above. Only while type-checking:
        at run time the mixins derive from ``object`` and ``MainWindow`` brings the
        ``QMainWindow`` (Shiboken's metaclass and ``Protocol``'s do not combine)."""
