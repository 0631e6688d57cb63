"""The engine's result types rebuilt from the JSON the daemon sends.

The CLI and GUI then show a Plan or a Status the same way whether it came from the engine
directly (``--local``) or through netwrightd.
"""

from __future__ import annotations

import json
from typing import Any

from netwright.backend.outcomes.change import Change
from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.outcomes.results import ApplyResult, ObjectStatus, Plan, Status, Step
from netwright.backend.service.errors import ServiceFailedError, problem_from_json
from netwright.backend.topology.problems import Problem


def _load(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        raise ServiceFailedError("netwrightd sent an answer that is not JSON") from None


def _steps(found: list[Any]) -> list[Step]:
    return [Step(action=s["action"], object=s["object"], text=s["text"]) for s in found]


def plan_from_json(data: dict[str, Any]) -> Plan:
    return Plan(
        topology=str(data.get("topology", "")),
        steps=_steps(data.get("steps", [])),
        notes=[str(n) for n in data.get("notes", [])],
        warnings=[problem_from_json(w) for w in data.get("warnings", []) if isinstance(w, dict)],
        needs=[str(n) for n in data.get("needs", [])],
    )


def parse_plan(text: str) -> Plan:
    return plan_from_json(_load(text))


def parse_apply_result(text: str) -> ApplyResult:
    data = _load(text)
    awaiting = data.get("awaiting_confirmation")
    return ApplyResult(plan=plan_from_json(data), seconds=float(data.get("seconds", 0.0)),
                       awaiting_confirmation=dict(awaiting) if isinstance(awaiting, dict)
                       else None, removed=data.get("removed") is True)


def parse_status(text: str) -> Status:
    data = _load(text)
    return Status(
        topology=str(data["topology"]),
        deployed=bool(data["deployed"]),
        objects=[ObjectStatus(object=o["object"], what=o["what"], state=o["state"],
                              differences=list(o.get("differences", [])),
                              label=str(o.get("label", "")))
                 for o in data.get("objects", [])],
        dhcp=[dict(d) for d in data.get("dhcp", []) if isinstance(d, dict)],
        awaiting_confirmation=(dict(data["awaiting_confirmation"])
                               if isinstance(data.get("awaiting_confirmation"), dict) else None),
        source=Provenance.from_json(data.get("source")),
        host_destroy=_steps(data["host_destroy"]) if "host_destroy" in data else None,
        changing=Change.from_json(data.get("changing")),
        trial_ended=(dict(data["trial_ended"]) if isinstance(data.get("trial_ended"), dict)
                     else None),
    )


def parse_problems(text: str) -> list[Problem]:
    return [problem_from_json(p) for p in _load(text).get("problems", []) if isinstance(p, dict)]


def parse_json(text: str) -> Any:
    return _load(text)


def parse_json_objects(text: str) -> list[dict[str, Any]]:
    """A JSON list of objects from the backend (anything else is left out)."""
    data = parse_json(text)
    return [dict(item) for item in data if isinstance(item, dict)] if isinstance(data, list) else []


def parse_deployment_sources(text: str) -> dict[str, Provenance | None]:
    """Deployments' answer: each deployed topology and where its last apply came from
    (None: not recorded, or a backend older than API 1.7)."""
    return {str(d.get("name")): Provenance.from_json(d.get("source"))
            for d in parse_json_objects(text)}
