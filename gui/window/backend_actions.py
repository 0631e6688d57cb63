"""The window's backend side: connect, Plan, Apply, Destroy, Check, status.

A mixin of ``MainWindow`` (typed by ``WindowParts``, never importing the window) (kept apart so
the window module stays about layout and editing). Every call runs as an asyncio task on the Qt
loop through ``BackendRunner``; results and failures come back as signals and are shown in the
Plan/Log and Checks docks, the status bar and on the canvas (the failing item is selected; a
check cell's path is coloured).
"""

from __future__ import annotations

import asyncio
import os
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QTimer

from netwright.backend.nm.errors import ConfirmationRequired
from netwright.backend.outcomes.change import Change
from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.topology.problems import TopologyError
from netwright.gui.dialogs.plan import (
    PlanDialog,
    destroy_plan,
    plan_log,
    plan_needs,
    plan_steps,
    warnings_of,
)
from netwright.gui.link.backend import NO_BACKEND, Backend, connect_default
from netwright.gui.model.deployment import meaning_digest
from netwright.gui.model.leases import LeaseInfo, leases_of
from netwright.gui.model.live_compare import has_existing
from netwright.gui.model.paths import failing_key, path_wires
from netwright.gui.model.wording import designer_fix, designer_message
from netwright.gui.window.trial_actions import reverted_words

#: Errors (by class name, as the client raises them) that refuse a whole call.
CALL_REFUSALS = frozenset({"NotAuthorizedError", "BusyError", "OutdatedBackendError",
                           "BackendStoppingError"})

if TYPE_CHECKING:
    from netwright.gui.window.parts import WindowBase as _Base
else:
    _Base = object


# this window's jobs that change the deployment: their StateChanged is their own
OWN_CHANGES = frozenset({"Apply", "Destroy", "Restore"})
# the end of "Stale: measured before …" when the deployment changed through another client
CHANGED_ELSEWHERE = {
    "": "the deployment changed outside this window (the command line or another designer);"
        " Check again to measure what is deployed now",
    "destroyed": "the deployment was destroyed outside this window (the command line or"
                 " another designer): nothing of it is deployed now",
    "restored": "the deployment was restored to its previous configuration (a change on"
                " trial that nobody kept); Check again to measure what is deployed now",
}


class BackendActions(_Base):
    """Backend operations of the main window."""

    async def connect_backend(self) -> bool:
        """Find the system backend or start the lab; say which in the status bar."""
        self.backend_label.setText("connecting to a backend…")
        try:
            backend = await connect_default()
        except Exception as exc:  # LookupError or the client's BackendUnavailableError
            self.backend_label.setText(f"{NO_BACKEND}: {exc}")
            self.log.appendPlainText(f"no backend: {exc}")
            return False
        self.set_backend(backend)
        return True

    def set_backend(self, backend: Backend | None) -> None:
        self.runner.backend = backend
        self._update_title()
        self._update_backend_state()
        if backend is not None:
            listeners = getattr(backend, "state_listeners", None)
            if isinstance(listeners, list):  # someone else's apply changes whose it is
                listeners.append(self._on_state_changed)
            notices = getattr(backend, "notices", None)
            if isinstance(notices, list):  # a new lab replaced one older than the files
                notices.append(self._on_backend_notice)
            restarts = getattr(backend, "restart_listeners", None)
            if isinstance(restarts, list):  # netwrightd restarted: ask it again
                restarts.append(self._on_backend_restarted)
            self.refresh_status()
            self.refresh_host_facts()
        else:
            self.status_refresher.stop()
            self.show_leases({})
            self.set_host_facts(None)

    def _on_backend_notice(self, line: str) -> None:
        """What the client did by itself (a new lab started): the status bar and the log,
        and this design's status asked again (the new lab has none of the old one's)."""
        text = line.removeprefix("netwright: ")
        self.statusBar().showMessage(text, 10000)
        self.log.appendPlainText(text)
        self.refresh_status()

    def _on_backend_restarted(self) -> None:
        """netwrightd's name has an owner again (systemd restarted it): what its recovery
        left, and what was asked while nobody answered, is asked again (a status asked in
        that moment had said "status unknown")."""
        self.log.appendPlainText("the backend (netwrightd) restarted: asking it again")
        self.refresh_status()
        self.refresh_host_facts()

    def _on_state_changed(self, topology: str, state: str) -> None:
        """The backend says a deployment changed (the CLI, another designer, a trial's end):
        if it is this design's name, ask its status (and so whose it is) again, and mark the
        last Check stale (it measured what is no longer there; only this window's own Apply
        and Destroy did). This window's own job is said when it ends; a confirmed trial
        changed nothing in the kernel."""
        if topology != self._topology_name() or self.runner.backend is None:
            return
        self.deployment.changed_elsewhere()
        ours = self.runner.busy() and self.runner.operation in OWN_CHANGES
        if state != "confirmed" and not ours:
            self.checks.mark_stale(CHANGED_ELSEWHERE.get(state, CHANGED_ELSEWHERE[""]),
                                   deployment=True)
            self.scene.set_wire_results({})
        self.refresh_status()

    def _topology_name(self) -> str:
        return self.document.snapshot.name

    def _run(self, operation: str, call: Callable[[], Awaitable[Any]]) -> bool:
        if self.runner.backend is None:
            return self._no_backend(operation)
        if not self.runner.run(operation, call):
            self.statusBar().showMessage(f"{operation}: wait for {self.runner.operation}", 4000)
            return False
        return True

    def _ask(self, operation: str, ask: Callable[[Backend], Awaitable[Any]]) -> bool:
        """``_run`` of one call on the backend connected now (``ask`` gets it, never None)."""
        backend = self.runner.backend
        if backend is None:
            return self._no_backend(operation)
        return self._run(operation, lambda: ask(backend))

    def _no_backend(self, operation: str) -> bool:
        self.statusBar().showMessage(f"{operation}: {NO_BACKEND}", 6000)
        return False

    def plan(self) -> None:
        text = self.document.render()
        self._ask("Plan", lambda backend: backend.plan(text))

    def apply(self) -> None:
        """Apply as Destroy does, plan first: the plan dialog asks whenever Apply would delete
        or change anything, replace a deployment of another design or need a permission
        besides apply; a plan that only creates runs at once. A change the backend wants
        confirmed is refused (with its sentence), never made, and the plan dialog opens to
        confirm it there."""
        text = self.document.render()
        self._ask("Apply plan", lambda backend: backend.plan(text))

    def _apply_planned(self, plan: Any) -> None:
        """The plan of a toolbar Apply: ask (the dialog) or go (only creations)."""
        steps = plan_steps(plan)
        if not steps and self.deployment.is_foreign():  # nothing changes, but it becomes ours
            self._open_plan_dialog(plan)
            return
        # a design of existing objects plans nothing, yet Adopt needs it recorded as deployed
        if not steps and (self.deployment.deployed or not has_existing(self.document.snapshot)):
            self.log.appendPlainText(plan_log(plan))
            self.statusBar().showMessage("Apply: nothing to do, the kernel already matches"
                                         " the design", 6000)
            self.deployment.matched(self._digest())
            self._show_deployment()
            return
        risky = any(step.get("action") in ("delete", "modify") for step in steps)
        # a permission besides apply (the host's own forwarding, NAT or firewall): its note
        # is read in the dialog before polkit asks for a password or refuses
        if risky or self.deployment.is_foreign() or warnings_of(steps) or plan_needs(plan):
            self._open_plan_dialog(plan)
            return
        text = self.document.render()
        self._applying = self._digest()
        self._run("Apply", lambda: self._job("apply", text, **self._source_option()))

    def _open_plan_dialog(self, plan: Any) -> None:
        caution = [self.deployment.caution(self._topology_name(), self._this_file())] \
            if self.deployment.is_foreign() else []
        dialog = PlanDialog(plan, "Apply", self, caution)
        self.plan_dialog = dialog
        dialog.accepted.connect(self.apply_accepted_plan)
        dialog.open()

    def apply_accepted_plan(self) -> None:
        """Apply after the person accepted the plan dialog, which showed every warning (e.g.
        NetworkManager re-applying the device of the host's default route): confirmed."""
        text = self.document.render()
        options: dict[str, Any] = {"confirm": True}
        if self.trial_seconds is not None:
            options["confirm_seconds"] = self.trial_seconds
        options.update(self._source_option())
        self._applying = self._digest()
        self._run("Apply", lambda: self._job("apply", text, **options))

    def _source_option(self) -> dict[str, str]:
        """The design file, for the backend to record as the deployment's source."""
        return {"source_file": os.path.abspath(self.document.file)} if self.document.file else {}

    # -- whose deployment, and does the design still match it --------------------------------

    def _digest(self) -> str:
        return meaning_digest(self.document.contract.tree)

    def _show_deployment(self) -> None:
        """The deployment's words in the status bar (kept with the trial's ", on trial")."""
        if self.runner.backend is None:
            return
        words = self.deployment.words(self._digest(), self._this_file())
        self.deploy_label.setText(words + self._trial_words)
        self.deploy_label.setToolTip(self.deployment.detail())

    def _this_file(self) -> str:
        return os.path.abspath(self.document.file) if self.document.file else ""

    def _learn_whose(self) -> None:
        """Deployed, but is it this design? Its plan against the kernel is empty if so."""
        backend: Any = self.runner.backend
        name, text, digest = self._topology_name(), self.document.render(), self._digest()
        self.deployment.source = str(self.settings.value(f"deployments/{name}/file", "") or "")

        async def learn() -> None:
            try:
                plan = await backend.plan(text)
            except Exception:  # the plan's own failure shows when the person asks for it
                return
            if name != self._topology_name() or not self.deployment.needs_plan():
                return  # renamed, replaced or learnt meanwhile
            self.deployment.planned(not plan_steps(plan), digest)
            self._show_deployment()

        self._spawn(learn())

    def on_design_edited(self) -> None:
        """An edit: say whether the deployment still matches; a new name is another one."""
        if self._topology_name() != self._deployment_name:
            self._deployment_name = self._topology_name()
            self.deployment.forget()
            self.refresh_status()
            return
        self._show_deployment()

    def forget_deployment(self) -> None:
        """Another document: whose deployment its name has is learnt anew."""
        self.deployment.forget()
        self._deployment_name = self._topology_name()

    def destroy_deployment(self) -> None:
        """First what would go (the deployment's status), then Destroy from that dialog."""
        name = self._topology_name()
        self._ask("Destroy plan", lambda backend: backend.status(name))

    def destroy_now(self) -> None:
        name = self._topology_name()
        self._run("Destroy", lambda: self._job("destroy", name))

    def check(self) -> None:
        name = self._topology_name()
        self._ask("Check", lambda backend: backend.check(name))

    async def _job(self, verb: str, argument: str, **options: Any) -> Any:
        """Start apply/destroy/revert as a job (so Cancel can reach the backend) and wait for
        it. ``options`` (apply's ``confirm``, ``confirm_seconds``) go to the backend only when
        given, so a backend without them still takes an ordinary apply."""
        backend: Any = self.runner.backend
        progress = self.runner.report_progress
        starter = getattr(backend, f"start_{verb}", None)
        if starter is None or not hasattr(backend, "wait_job"):
            return await getattr(backend, verb)(argument, progress, **options)
        self._job_id = await starter(argument, **options)
        try:
            return await backend.wait_job(self._job_id, progress)
        finally:
            self._job_id = ""

    def cancel_operation(self) -> None:
        """Ask the backend to cancel the running job (it rolls back), else stop waiting."""
        backend: Any = self.runner.backend
        if self._job_id and hasattr(backend, "cancel"):
            self.log.appendPlainText(f"cancelling {self.runner.operation}…")
            self._spawn(backend.cancel(self._job_id))
        else:
            self.runner.cancel()

    def refresh_status(self) -> None:
        """Deployed, drifted or not deployed, and the leases: asked of the backend without
        blocking, one request at a time (``StatusRefresher``)."""
        if self.runner.backend is None or not self._topology_name():
            self.status_refresher.stop()
            self.show_leases({})
            return
        self.status_refresher.refresh()

    async def _ask_status(self) -> None:
        backend: Any = self.runner.backend
        name = self._topology_name()
        if backend is None or not name:
            return
        try:
            status = await backend.status(name)
        except Exception as exc:  # the sentence is enough here
            not_deployed = type(exc).__name__ == "NotDeployed"  # the engine's class
            self.deployment.forget()
            self._show_unknown_status(name, None if not_deployed else str(exc))
            self.status_refresher.set_periodic(False)
            self.show_leases({})
            if not_deployed:  # a first apply's trial restored: nothing is deployed now
                self.follow_trial(name, None)
            else:  # refused, or the bus failed: a trial's dialog cannot learn its end
                self.trial_status_failed(name, str(exc))
            return
        if name == self._topology_name():  # not renamed or replaced meanwhile
            self.show_status(status)

    def _show_unknown_status(self, name: str, why: str | None) -> None:
        """"not deployed" (``why`` None), or "status unknown" with the backend's sentence
        in the tooltip and, once, in the log: the whole sentence in the status bar was cut
        off mid-word on a small screen, and the tooltip was the last deployment's."""
        words = "not deployed" if why is None else "status unknown (see Plan / Log)"
        tip = "" if why is None else f"the status of {name}: {why}"
        if why is not None and self.deploy_label.toolTip() != tip:
            self.log.appendPlainText(tip)
        self.deploy_label.setText(words)
        self.deploy_label.setToolTip(tip)

    def _spawn(self, coroutine: Any) -> asyncio.Future[Any]:
        """A side task (status, cancel) beside the one main operation; kept until done."""
        task: asyncio.Future[Any] = asyncio.ensure_future(coroutine)
        self._side_tasks.add(task)
        task.add_done_callback(self._side_tasks.discard)
        return task

    def show_status(self, status: Any) -> None:
        """The deployment's state in the status bar and its DHCP leases on the canvas, in the
        inspector and in the Leases dock; leases are followed while the deployment has any."""
        data = status.to_json() if hasattr(status, "to_json") else dict(status)
        awaiting = data.get("awaiting_confirmation")
        on_trial = bool(data.get("deployed")) and isinstance(awaiting, dict)
        self._trial_words = ", on trial" if on_trial else ""
        changing = Change.from_json(data.get("changing"))
        if changing is not None:  # half made meanwhile: not drift, and nothing to learn
            self.deploy_label.setText(changing.short() + self._trial_words)
            self.deploy_label.setToolTip(f"{data.get('topology', '')}: {changing.words()}")
            self.show_leases({})
            self.status_refresher.set_periodic(True)  # until it ends: then what it left
            self.follow_trial(str(data.get("topology", "")), awaiting if isinstance(
                awaiting, dict) else None)
            return
        if data.get("deployed"):
            self.deployment.learn_source(Provenance.from_json(data.get("source")),
                                         self._this_file())
        if not data.get("deployed"):
            self.deployment.forget()
            self.deploy_label.setText("not deployed")
            self.deploy_label.setToolTip("")
        elif data.get("ok") or self.deployment.is_foreign():
            self.deployment.deployed = True
            if self.deployment.needs_plan():
                self._learn_whose()
            self._show_deployment()
        else:
            drifted = [o["object"] for o in data.get("objects", []) if o.get("state") != "present"]
            self.deploy_label.setText(f"drifted ({', '.join(drifted[:3])})" + self._trial_words)
            self.deploy_label.setToolTip("")
        leases = leases_of(data, self._topology_name())
        self.show_leases(leases)
        self.status_refresher.set_periodic(bool(leases) and self.runner.backend is not None)
        self.follow_trial(str(data.get("topology", "")), awaiting if isinstance(
            awaiting, dict) else None)

    def show_leases(self, leases: dict[str, LeaseInfo]) -> None:
        self.scene.set_leases(leases)
        self.inspector.set_leases(leases)
        self.leases_table.set_leases(leases)
        self.leases_dock.setWindowTitle(self.leases_table.summary())

    def _on_backend_started(self, operation: str) -> None:
        self._started_at = time.monotonic()
        self.log.appendPlainText(f"{operation}…")
        if operation in ("Apply", "Destroy", "Restore"):  # the steps, as they are taken
            self.bottom_panel.reveal(self.log_dock)
        self.progress_bar.setRange(0, 0)
        self.progress_bar.setVisible(operation in ("Apply", "Destroy", "Check", "Restore"))
        self.cancel_button.setVisible(self.progress_bar.isVisibleTo(self.statusBar())
                                      and operation != "Restore")  # undoing is not undone
        self._update_backend_state()

    def _on_progress(self, done: int, total: int, text: str) -> None:
        self.progress_bar.setRange(0, max(total, 1))
        self.progress_bar.setValue(done)
        self.log.appendPlainText(f"  [{done}/{total}] {text}")

    def _on_backend_finished(self, operation: str, result: Any) -> None:
        self.progress_bar.setVisible(False)
        self.cancel_button.setVisible(False)
        self._update_backend_state()
        if operation == "Plan":
            if getattr(self.runner.backend, "lab", False):
                self.refresh_host_facts_if_new_nics()  # planning gave the lab host the NICs
            self.log.appendPlainText(plan_log(result))
            self._open_plan_dialog(result)
            return
        if operation == "Apply plan":
            self._apply_planned(result)
            return
        if operation == "Destroy plan":
            dialog = PlanDialog(destroy_plan(result), "Destroy", self)
            self.plan_dialog = dialog
            dialog.accepted.connect(self.destroy_now)
            dialog.open()
            return
        if operation in ("Apply", "Destroy", "Restore"):
            seconds = getattr(result, "seconds", None)
            took = f" in {seconds:.2f} s" if isinstance(seconds, float) else ""
            self.log.appendPlainText(f"{operation}: done{took}")
            self.statusBar().showMessage(f"{operation}: done{took}", 6000)
            if operation == "Apply":  # the deployment is this design now, as applied
                self.deployment.matched(self._applying)
                self.deployment.source = self._this_file()
                self.settings.setValue(f"deployments/{self._topology_name()}/file",
                                       self.document.file)
            awaiting = getattr(result, "awaiting_confirmation", None)
            if operation == "Apply" and isinstance(awaiting, dict):
                self.show_trial(self._topology_name(), awaiting)
            if operation == "Restore":  # a first apply's revert removed it (API 1.17)
                self._trial_restored(self._topology_name(),
                                     reverted_words(self._topology_name(), result))
            # what was measured is no longer what is deployed (or nothing is, now)
            self.checks.mark_stale(
                "Destroy: nothing of this design is deployed now" if operation == "Destroy"
                else f"the last {operation}; Check again to measure what is deployed now",
                deployment=True)
            self.scene.set_wire_results({})
            self.refresh_status()
            if operation != "Destroy":  # a lab host gains (and keeps) the NICs a design names
                self.refresh_host_facts_if_new_nics()
            return
        if operation == "Check":
            data = result.to_json() if hasattr(result, "to_json") else result
            if isinstance(data, dict):
                # a big matrix takes a moment to draw: say so on screen before it starts
                self.statusBar().showMessage(f"Check: drawing {len(data.get('pairs', [])):,}"
                                             " pairs…")
                self.statusBar().repaint()
                self.checks.show_result(data, measured=True, design=self._digest())
                self.bottom_panel.reveal(self.checks_dock)
                if self._check_focus:  # "Check from net1": that row's first cell
                    self.checks.focus_source(self._check_focus)
            self._check_focus = ""
            took = f"Check: done in {time.monotonic() - self._started_at:.2f} s"  # as Apply's
            self.log.appendPlainText(took)
            self.statusBar().showMessage(took, 6000)

    def _on_backend_failed(self, operation: str, error: object) -> None:
        self.progress_bar.setVisible(False)
        self.cancel_button.setVisible(False)
        self._update_backend_state()
        message = designer_fix(str(error)) or type(error).__name__  # the designer's terms
        if isinstance(error, TopologyError) and error.problems:
            message = "; ".join(designer_message(p) for p in error.problems[:3])
        if operation == "Check" and type(error).__name__ == "NotDeployed":
            message += ("; Apply it (Ctrl+F5), then Check probes it (the Checks tab shows"
                        " what is predicted meanwhile)")
        self.log.appendPlainText(f"{operation} failed: {message}")
        self.bottom_panel.reveal(self.log_dock)
        self.statusBar().showMessage(f"{operation} failed: {message}", 15000)
        # a step that failed on an object: go to it; a refusal of the whole call (no
        # permission, busy, an outdated backend) is no object's fault, whatever it names
        failing = None if type(error).__name__ in CALL_REFUSALS else failing_key(
            self.document.snapshot, getattr(error, "step", "") or message)
        if failing:
            self.go_to_key(failing)
        if operation == "Restore" and self.trial_dialog is not None:
            self.trial_dialog.failed(f"Restore failed: {message}")
        if operation in ("Apply", "Destroy", "Destroy plan", "Restore"):
            self.refresh_status()
        if operation in ("Apply", "Restore"):
            self.refresh_host_facts_if_new_nics()
        if operation == "Apply" and isinstance(error, ConfirmationRequired):
            # nothing changed; the plan dialog shows the warning, and accepting it confirms
            self.log.appendPlainText("showing the plan: accept it to confirm this change")
            QTimer.singleShot(0, self.plan)

    def show_path(self, pair: dict[str, Any]) -> None:
        """Colour the wires between a check cell's source and target, green or red."""
        verdict = ((pair.get("observed") or {}).get("verdict")
                   or (pair.get("predicted") or {}).get("verdict"))
        wires = path_wires(self.document.snapshot, pair)
        self.scene.set_wire_results({wire: verdict for wire in wires})

    def _show_predictions(self, result: dict[str, Any]) -> None:
        self.checks.show_result(result, measured=False)
