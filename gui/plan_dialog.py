"""The plan preview: the engine's steps, like a diff, before anything is changed."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

MARKS = {"create": "+", "modify": "~", "delete": "−"}


def plan_steps(plan: Any) -> list[dict[str, str]]:
    """Steps of a Plan object or of its JSON form."""
    data = plan.to_json() if hasattr(plan, "to_json") else plan
    steps = data.get("steps", []) if isinstance(data, dict) else []
    return [s for s in steps if isinstance(s, dict)]


def destroy_plan(status: Any) -> dict[str, Any]:
    """What a destroy removes, from the deployment's status: every object this topology
    created that is still there (host NICs are referenced, never removed)."""
    data = status.to_json() if hasattr(status, "to_json") else dict(status)
    steps = [{"action": "delete", "object": o["object"],
              "text": f"delete {o['what']} {o['object']}"}
             for o in data.get("objects", [])
             if o.get("what") != "host-nic" and o.get("state") != "missing"]
    return {"topology": data.get("topology", ""), "steps": steps}


class PlanDialog(QDialog):
    """Lists the steps; "Apply" accepts the dialog (or "Destroy" for a destroy plan)."""

    def __init__(self, plan: Any, verb: str = "Apply", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(f"{verb}: plan")
        self.steps = plan_steps(plan)
        layout = QVBoxLayout(self)
        name = plan.topology if hasattr(plan, "topology") else (
            plan.get("topology", "") if isinstance(plan, dict) else "")
        if self.steps:
            summary = f"{verb} {name}: {len(self.steps)} step{'s' * (len(self.steps) != 1)}"
        elif verb == "Destroy":
            summary = f"{name}: nothing of it is deployed"
        else:
            summary = f"{name}: nothing to do, the kernel already matches the topology"
        self.summary = QLabel(summary)
        layout.addWidget(self.summary)
        self.list = QListWidget()
        for step in self.steps:
            self.list.addItem(f"{MARKS.get(step.get('action', ''), '·')} {step.get('text', '')}")
        layout.addWidget(self.list)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.go = buttons.addButton(verb, QDialogButtonBox.ButtonRole.AcceptRole)
        self.go.setEnabled(bool(self.steps))
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 380)
