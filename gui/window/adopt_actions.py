"""Adopt…: existing objects handed to the deployed design, after a confirmation by name.

The objects are the selection: existing namespaces and interfaces of the design, or objects
of the live host that the design holds as existing (matched as the kernel knows them). The
backend first names each one (Adopt with ``preview``: nothing is marked, and an object that
cannot be adopted — another topology's, half a veth pair — is refused with its sentence);
the dialog shows those names and the topology; only its Adopt button calls Adopt. The
design then stops marking them existing, one undo step, so the next Apply keeps them.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QObject

from netwright.backend.count_words import counted
from netwright.backend.topology.problems import NetwrightError
from netwright.gui.dialogs.adopt import AdoptDialog
from netwright.gui.link.live import adopt
from netwright.gui.model.commands import EditsCommand
from netwright.gui.model.document import Edit
from netwright.gui.model.live_compare import compare


class AdoptCommand(EditsCommand):
    """The design's side of an adopt: 'existing: true' taken out of each object."""


def existing_keys(snapshot: Any, keys: list[str]) -> list[str]:
    """The keys of ``keys`` that the design marks existing (namespaces, interfaces)."""
    return [k for k in keys if (snapshot.namespaces.get(k) or snapshot.interfaces.get(k)
                                or {}).get("existing") is True]


class AdoptFlow(QObject):
    """The Adopt… action of a window, for its design's selection and its live view's."""

    def __init__(self, window: Any, live: Any) -> None:
        super().__init__(window)
        self.window = window
        self.live = live
        self.dialog: AdoptDialog | None = None
        self.action = window._action(
            "Ado&pt…", self.start, None,
            "hand the selected existing objects to the deployed design (Destroy then"
            " removes them), after naming each one")

    def update(self) -> None:
        """Always offered: what is missing (a selection, a deployment, a backend) is said
        in a sentence when it is chosen (the backend may connect after the window opens)."""
        self.action.setEnabled(True)

    def chosen(self) -> tuple[list[str], str]:
        """The design keys to adopt, or a sentence saying why there are none."""
        design = self.window.document.snapshot
        if self.live.showing:
            selected = self.live.selected_observed()
            matched = compare(design, self.live.observed).live_to_design
            outside = [k for k in selected if k not in matched]
            if outside:
                return [], (f"{', '.join(outside)} {'is' if len(outside) == 1 else 'are'} not"
                            " in the design: Copy into Design and Apply it first; only a"
                            " deployed design adopts")
            keys = [matched[k] for k in selected]
        else:
            keys = self.window.scene.selected_keys()
        if not keys:
            return [], "select the existing objects to adopt first"
        chosen = existing_keys(design, keys)
        if not chosen:
            return [], (f"{', '.join(keys)}: not marked existing in the design (only existing"
                        " objects can be adopted)")
        return chosen, ""

    def start(self) -> None:
        w = self.window
        keys, why = self.chosen()
        if not keys:
            w.statusBar().showMessage(f"Adopt: {why}", 8000)
            return
        name = w.document.snapshot.name
        if w.runner.backend is None:
            w.statusBar().showMessage("Adopt: no backend is connected", 8000)
            return
        if not w.deployment.deployed:
            w.statusBar().showMessage(f"Adopt: apply {name or 'the design'} first; only a"
                                      " deployed design adopts", 8000)
            return
        w._spawn(self._preview(name, keys))

    async def _preview(self, name: str, keys: list[str]) -> None:
        try:
            shown = await adopt(self.window.runner.backend, name, keys, preview=True)
        except NetwrightError as exc:
            self.window.report_error("nothing was adopted", exc)
            return
        self.dialog = AdoptDialog(name, [str(item.get("text", "")) for item in shown],
                                  self.window)
        self.dialog.accepted.connect(lambda: self.window._spawn(self._adopt(name, keys)))
        self.dialog.open()

    async def _adopt(self, name: str, keys: list[str]) -> None:
        w = self.window
        try:
            done = await adopt(w.runner.backend, name, keys, preview=False)
        except NetwrightError as exc:
            w.report_error("nothing was adopted", exc)
            return
        edits = [Edit((str(item["section"]), str(item["key"]), "existing"))
                 for item in done if item.get("section") in ("namespaces", "interfaces")]
        if edits:
            w.push(AdoptCommand(w.document, f"Adopt {', '.join(str(i['key']) for i in done)}",
                                edits))
        for item in done:
            w.log.appendPlainText(f"adopted {item.get('text', item.get('key'))} into {name}")
        w.statusBar().showMessage(f"adopted {counted(len(done), 'object')} into {name}: Destroy now"
                                  " removes them; save the design so the next Apply keeps"
                                  " them", 10000)
        if self.live.showing:
            self.live.refresh()
