"""What a client says when the backend stopped during one of its jobs (restart.py), by kind.

A change (apply, destroy) is recovered by the restarted backend, so the client asks for the
topology's status and says what recovery left. A check, capture or measurement changes
nothing: there is nothing to recover and no status to report, and saying the backend
"rolled the interrupted check back" (as it did) would be untrue.
"""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from netwright.backend.client.restart import report_recovery
from netwright.backend.service import names

STOPPED = "the backend (netwrightd) stopped during the check of web (job 1)"


def test_a_stopped_check_says_nothing_was_changed_and_asks_no_status() -> None:
    asked: list[str] = []

    async def status(topology: str) -> tuple[str, dict[str, Any]]:
        asked.append(topology)
        return names.ERROR_NOT_FOUND, {"message": "not deployed"}

    for operation in ("check", "capture", "measure"):
        said = asyncio.run(report_recovery(STOPPED, "web", operation, status, wait=1))
        assert said == (f"{STOPPED}; a {operation} changes nothing, so nothing was left half"
                        " done: run it again once the backend is back")
        assert "rolled" not in said
    assert asked == []


@pytest.mark.parametrize(("operation", "done"), [
    ("apply", "rolled the interrupted apply back"),
    ("destroy", "finished the interrupted destroy"),
])
def test_a_stopped_change_says_what_recovery_left(operation: str, done: str) -> None:
    async def status(topology: str) -> tuple[str, dict[str, Any]]:
        return names.ERROR_NOT_FOUND, {"message": f"{topology} is not deployed"}

    said = asyncio.run(report_recovery(STOPPED, "web", operation, status, wait=1))
    assert said == f"{STOPPED}. It restarted, and its recovery {done}: web is not deployed"
