"""The window's host facts: ask Inspect, list the host's NICs, fill children from parents.

A mixin of ``MainWindow`` (typed by ``WindowParts``, never importing the window) beside
``BackendActions``. The facts are asked when a backend connects, after Apply, Destroy and
Restore (a lab host gains the NICs a topology names) and on "Refresh host facts", as a side
task on the Qt loop (never blocking); a newer request wins over an older answer, and the facts
go when the backend does. They feed the Host dock, the inspector, the Problems dock (macvlan on
Wi-Fi) and the fill: a new ipvlan or macvlan child, or one given a new parent, gets its
parent's subnet and gateway as one undo step.
"""

from __future__ import annotations

import asyncio
import itertools
from typing import TYPE_CHECKING, Any

from netwright.backend.topology.problems import Problem
from netwright.gui.docks.inspector import new_errors
from netwright.gui.model.commands import CreateCommand, FillCommand, SetFieldCommand
from netwright.gui.model.host_facts import HostFacts, parse_facts
from netwright.gui.model.host_warnings import facts_problems
from netwright.gui.model.prefill import PREFILL_KINDS, add_nic_edits, nic_fill_edits, prefill_for
from netwright.gui.model.wording import designer_message

if TYPE_CHECKING:
    from netwright.gui.window.parts import WindowBase as _Base
else:
    _Base = object

NIC_SPACING = 180.0  # between host NICs added side by side
FACTS_WAIT_SECONDS = 0.05  # how often a facts request looks whether the backend is free


class HostActions(_Base):
    """Host facts of the connected backend, and what the designer does with them."""

    host_facts: HostFacts | None
    _facts_requests: itertools.count[int]
    _facts_latest: int

    def refresh_host_facts(self) -> None:
        """Ask the backend for the host's facts (a side task; the newest answer wins)."""
        backend: Any = self.runner.backend
        if backend is None or not hasattr(backend, "inspect"):
            self.set_host_facts(None)
            return
        self._facts_latest = next(self._facts_requests)
        self.host_view.heading.setText("asking the backend for the host's NICs…")
        self._spawn(self._ask_host_facts(backend, self._facts_latest))

    def refresh_host_facts_if_new_nics(self) -> None:
        """Ask again after Plan, Apply or Restore only if the design names a NIC the facts lack.

        That is when the facts can have changed: a lab host gains the NICs a design names, and
        the engine never touches a NIC it did not create. Each Inspect of a lab costs the
        backend a fork (pyroute2), so needless ones are not made.
        """
        facts = self.host_facts
        if facts is None or any(name not in facts.nics for name in self.document.snapshot.nics):
            self.refresh_host_facts()

    async def _ask_host_facts(self, backend: Any, request: int) -> None:
        # One call at a time: Inspect waits for the operation and the status in flight. A lab
        # backend reads its host's facts by forking (pyroute2), which is safest done alone.
        while self.runner.busy() or self.status_refresher.in_flight():
            await asyncio.sleep(FACTS_WAIT_SECONDS)
            if request != self._facts_latest or self.runner.backend is not backend:
                return  # a newer request, or another backend, took over
        try:
            data = await backend.inspect()
        except Exception as exc:  # the backend's sentence (NotAuthorized, gone …) is shown
            if request == self._facts_latest and self.runner.backend is backend:
                self.log.appendPlainText(f"host facts: {exc}")
                self.set_host_facts(None, f"host facts unavailable: {exc}")
            return
        if request == self._facts_latest and self.runner.backend is backend:
            self.set_host_facts(parse_facts(data))

    def set_host_facts(self, facts: HostFacts | None, note: str = "") -> None:
        """Keep ``facts`` for this window (None: forget them) and show them everywhere."""
        if facts is None and self.runner.backend is None:
            self._facts_latest = next(self._facts_requests)  # an answer still coming is stale
        self.host_facts = facts
        self.host_view.set_facts(facts, note)
        self.host_view.set_in_design(set(self.document.snapshot.nics))
        self.inspector.set_host_facts(facts)
        live = getattr(self, "live", None)  # made after the first facts may come
        if live is not None:  # the live host's Observed dock: "On this host" for a NIC
            live.inspector.set_host_facts(facts)
        self._show_problems(self.document.problems)

    def with_facts_problems(self, problems: list[Problem]) -> list[Problem]:
        """The document's problems plus those only the facts see, located in the file."""
        extra = [self.document.placed(problem)
                 for problem in facts_problems(self.document.snapshot, self.host_facts)]
        return [*problems, *extra]

    # -- using the facts --------------------------------------------------------------------

    def fill_new_child(self, key: str) -> bool:
        """After a child was created, re-parented or moved: fill what it lacks, if anything."""
        if self.document.snapshot.kind_of(key) not in PREFILL_KINDS:
            return False
        if self.document.snapshot.namespace_of(key) is None:
            return False  # a child on the host is often the host's own shim: left as drawn
        return self.fill_from_parent(key, quiet=True)

    def fill_from_parent(self, key: str, quiet: bool = False) -> bool:
        """Fill ``key``'s missing address and default route from its parent, as one step.

        Refused (with the reason in the status bar) when there is nothing to fill or the
        result would add an error, so a fill never leaves the design worse than it was.
        """
        prefill = prefill_for(self.document.snapshot, self.host_facts, key)
        if not prefill.edits or prefill.source is None:
            if not quiet:
                self.statusBar().showMessage(f"nothing filled: {prefill.reason}", 8000)
            return False
        edits = list(prefill.edits)
        blocking = new_errors(self.document.problems, self.document.trial(edits), (), ())
        if blocking:
            self.statusBar().showMessage(f"nothing filled: {designer_message(blocking[0])}", 8000)
            return False
        self.push(FillCommand(self.document, key, prefill.source.parent, prefill.describe(),
                              edits))
        self.statusBar().showMessage(
            f"{key}: {prefill.describe()} (from {prefill.source.parent}; Undo takes it back)",
            8000)
        return True

    def fill_nic_from_host(self, key: str) -> bool:
        """Write the host's addresses and gateway into a design NIC that lacks them."""
        nic = self.host_facts.nic(key) if self.host_facts is not None else None
        edits = nic_fill_edits(self.document.snapshot, nic) if nic is not None else []
        if not edits:
            return False
        self.push(SetFieldCommand(self.document, f"{key} from the host", edits))
        return True

    def add_host_nic(self, name: str) -> bool:
        """Reference the host's NIC ``name`` in the design with its facts; go to it if there."""
        snapshot = self.document.snapshot
        if name in snapshot.nics:
            self.go_to_key(name)
            return False
        nic = self.host_facts.nic(name) if self.host_facts is not None else None
        if nic is None:
            return False
        if name in {*snapshot.interfaces, *snapshot.namespaces}:
            self.statusBar().showMessage(f"'{name}' already names something in this design;"
                                         " rename it first", 8000)
            return False
        placed = [snapshot.layout[k] for k in snapshot.nics if k in snapshot.layout]
        x = max((p[0] for p in placed), default=-NIC_SPACING) + NIC_SPACING
        y = min((p[1] for p in placed), default=0.0)
        self.push(CreateCommand(self.document, "nic", [name], add_nic_edits(nic, x, y),
                                self._selection()))  # Undo gives it back, as after a drop
        self.go_to_key(name)
        return True

    def _on_design_changed(self) -> None:
        self.host_view.set_in_design(set(self.document.snapshot.nics))
