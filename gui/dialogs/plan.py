"""The plan preview: the engine's steps, like a diff, before anything is changed.

Below the steps come the plan's notes: what the apply does besides kernel steps (which DHCP
client-id each interface sends). Then the design's own warnings, which the plan carries for
the command line: each in the designer's sentence (the one the Problems dock shows), since
the person about to say yes must read what is wrong, not a code; a code stays in its row's
tooltip, for a search or a bug report. They are a list of their own, which scrolls: a design
with twenty warnings must not grow the dialog past the screen. A step the backend flags with
``WARNING:`` (a change to the device of the host's default route) is drawn in the warning
colour and repeated above the list: accepting this dialog is the confirmation the backend
asks for.
"""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QVBoxLayout,
    QWidget,
)

from netwright.backend.outcomes.change import Change
from netwright.backend.service.errors import problem_from_json
from netwright.backend.topology.problems import Problem
from netwright.gui.model.wording import designer_message

MARKS = {"create": "+", "modify": "~", "delete": "−"}
WARNING_MARK = "WARNING:"
WARNING_COLOUR = "#b36b00"
WARNING_STYLE = ("color: palette(text); background: rgba(227, 141, 0, 45);"
                 " border-left: 3px solid #e38d00; padding: 4px 6px;")


def plan_steps(plan: Any) -> list[dict[str, str]]:
    """Steps of a Plan object or of its JSON form."""
    data = plan.to_json() if hasattr(plan, "to_json") else plan
    steps = data.get("steps", []) if isinstance(data, dict) else []
    return [s for s in steps if isinstance(s, dict)]


def plan_notes(plan: Any) -> list[str]:
    """Notes of a Plan object or of its JSON form (absent in a destroy plan)."""
    notes = plan.notes if hasattr(plan, "notes") else (
        plan.get("notes", []) if isinstance(plan, dict) else [])
    return [str(note) for note in notes]


def plan_needs(plan: Any) -> list[str]:
    """The permissions besides apply a plan says it needs (a Plan object or its JSON)."""
    needs = plan.needs if hasattr(plan, "needs") else (
        plan.get("needs", []) if isinstance(plan, dict) else [])
    return [str(action) for action in needs]


def design_warnings(plan: Any) -> list[Problem]:
    """The design's warnings a plan carries (a Plan, or its JSON form)."""
    if hasattr(plan, "warnings"):
        return list(plan.warnings)
    found = plan.get("warnings", []) if isinstance(plan, dict) else []
    return [problem_from_json(w) for w in found if isinstance(w, dict)]


def design_warning_rows(plan: Any) -> list[tuple[str, str]]:
    """(the designer's sentence, the code) of each of the design's warnings the plan
    carries, each sentence once; the sentence is the one the Problems dock shows."""
    rows = {designer_message(w): w.code for w in design_warnings(plan)}
    return list(rows.items())


def plan_log(plan: Any) -> str:
    """The plan as the Log dock writes it: the command line's lines, but the design's warnings
    in the designer's sentences ("! warning: …"), not as ``FILE:LINE:COL: warning CODE: …``."""
    if not hasattr(plan, "render"):
        return str(plan)
    quiet = plan.with_warnings([]) if hasattr(plan, "with_warnings") else plan
    return "\n".join([quiet.render(), *(f"  ! warning: {sentence}"
                                        for sentence, _code in design_warning_rows(plan))])


def warnings_of(steps: list[dict[str, str]]) -> list[str]:
    """The sentences of the steps the backend wants confirmed, each once."""
    found: list[str] = []
    for step in steps:
        _text, mark, warning = step.get("text", "").partition(WARNING_MARK)
        sentence = warning.strip().rstrip(")").strip()
        if mark and sentence not in found:
            found.append(sentence)
    return found


# The destroy plan lists the objects that go (from the deployment's status); the destroy
# itself logs the engine's steps ("[1/5] delete namespace c1 and everything in it"), and one
# step can take several objects: the two counts differ, so each says what it counts.
DESTROY_COUNTS = ("the log counts the destroy's steps, not these objects: a namespace goes in"
                  " one step with everything in it, and a veth pair in one")


def destroy_plan(status: Any) -> dict[str, Any]:
    """What a destroy removes, from the deployment's status: every object this topology
    created that is still there (host NICs are referenced, never removed), then what it
    does on the host itself, in the destroy's own steps (delete its nftables tables there,
    restore the host settings it changed). An interface the status calls foreign is
    someone else's: it is left, and a note says so."""
    data = status.to_json() if hasattr(status, "to_json") else dict(status)
    objects = data.get("objects", [])
    name = data.get("topology", "")
    there = [o for o in objects if o.get("state") in ("present", "drifted")]
    steps = [{"action": "delete", "object": o["object"],
              "text": f"delete {o['what']} {o['object']}"}
             for o in there if o.get("what") not in ("host-nic", "host")]
    host = data.get("host_destroy")
    if host is None:  # a backend older than API 1.15 says only that the host has a part
        host = [{"action": "modify", "object": "host", "text": "restore the host's forwarding,"
                 f" NAT and firewall as they were before {name}"}
                for o in there if o.get("what") == "host"]
    steps += [dict(step) for step in host]
    notes = [f"left alone: {sentence}" for o in objects if o.get("state") == "foreign"
             for sentence in o.get("differences", [])]
    if sum(step["action"] == "delete" for step in steps) > 1:
        notes.append(DESTROY_COUNTS)
    changing = Change.from_json(data.get("changing"))
    if changing is not None:  # nothing was compared: what goes is not known yet
        notes.insert(0, f"{name} is {changing.words()}: what a destroy removes is known once"
                     " that has ended, and Destroy is refused until then")
    return {"topology": name, "steps": steps, "notes": notes}


def destroy_summary(name: str, steps: list[dict[str, str]]) -> str:
    """"Destroy docker: 8 objects to remove": what goes is counted, not the host settings
    given back (a step, not an object)."""
    removed = sum(step.get("action") == "delete" for step in steps)
    restored = ", and the host's settings to restore" if removed < len(steps) else ""
    return f"Destroy {name}: {removed} object{'s' * (removed != 1)} to remove{restored}"


class PlanDialog(QDialog):
    """Lists the steps; "Apply" accepts the dialog (or "Destroy" for a destroy plan)."""

    def __init__(self, plan: Any, verb: str = "Apply", parent: QWidget | None = None,
                 caution: list[str] | None = None) -> None:
        """``caution``: sentences shown above the steps besides the backend's warnings (the
        deployment Apply would replace is another design's)."""
        super().__init__(parent)
        self.setWindowTitle(f"{verb}: plan")
        self.steps = plan_steps(plan)
        layout = QVBoxLayout(self)
        name = plan.topology if hasattr(plan, "topology") else (
            plan.get("topology", "") if isinstance(plan, dict) else "")
        if self.steps:
            count = len(self.steps)
            summary = (f"{verb} {name}: {count} step{'s' * (count != 1)}" if verb != "Destroy"
                       else destroy_summary(name, self.steps))
        elif verb == "Destroy":
            summary = f"{name}: nothing of it is deployed"
        elif caution:
            summary = (f"{name}: the kernel already matches this design; {verb} only records"
                       " this design as the deployment's source")
        else:
            summary = f"{name}: nothing to do, the kernel already matches the topology"
        self.summary = QLabel(summary)
        layout.addWidget(self.summary)
        self.warnings = [*(caution or []), *warnings_of(self.steps)]
        self.warning = QLabel("\n".join(f"Warning: {w}" for w in self.warnings))
        self.warning.setWordWrap(True)
        self.warning.setStyleSheet(WARNING_STYLE)
        self.warning.setVisible(bool(self.warnings))
        layout.addWidget(self.warning)
        self.list = QListWidget()
        self.list.setWordWrap(True)
        for step in self.steps:
            item = QListWidgetItem(
                f"{MARKS.get(step.get('action', ''), '·')} {step.get('text', '')}")
            if WARNING_MARK in step.get("text", ""):
                item.setForeground(QBrush(QColor(WARNING_COLOUR)))
            self.list.addItem(item)
        layout.addWidget(self.list, 3)
        self.notes = plan_notes(plan)
        self.notes_label = QLabel("\n".join(f"• {note}" for note in self.notes))
        self.notes_label.setWordWrap(True)
        self.notes_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.notes_label.setVisible(bool(self.notes))
        layout.addWidget(self.notes_label)
        rows = design_warning_rows(plan)
        said = f"{len(rows)} warning{'s' * (len(rows) != 1)}"
        self.design_heading = QLabel(f"The design has {said} (the Problems list has them too):")
        self.design_warnings = QListWidget()
        self.design_warnings.setWordWrap(True)
        icon = self.style().standardIcon(QStyle.StandardPixmap.SP_MessageBoxWarning)
        for sentence, code in rows:
            row = QListWidgetItem(icon, sentence)
            row.setToolTip(f"{sentence}\n(warning {code})")
            self.design_warnings.addItem(row)
        for widget in (self.design_heading, self.design_warnings):
            widget.setVisible(bool(rows))
        layout.addWidget(self.design_heading)
        layout.addWidget(self.design_warnings, 2)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.go = buttons.addButton(f"{verb} anyway" if self.warnings else verb,
                                    QDialogButtonBox.ButtonRole.AcceptRole)
        self.go.setEnabled(bool(self.steps) or bool(caution))  # an Apply that claims it
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 460 if rows else 380)
