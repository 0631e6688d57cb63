"""Status (and `netwright status`) while a job of netwrightd applies or destroys the topology.

The kernel holds the topology half made meanwhile. Status compared it with the design all the
same: mid-destroy "deployed, not as designed: 412 missing", mid-apply NotFound ("not
deployed"), which the designer showed as drift or as nothing deployed. It now names the job,
whose it is and when it started, and compares nothing (API 1.16).
"""

from __future__ import annotations

import json
import time
from typing import Any

from svc_cli import NETWRIGHT, as_user_background
from svc_jobs import BIG, owned_by, wait_signal
from svc_polkit import USER_ALLOWED, USER_DEFAULT


def _status(caller, name: str = "big") -> dict[str, Any]:
    answer = caller.call("Status", "s", name)
    assert answer["ok"], answer
    data: dict[str, Any] = json.loads(answer["body"][0])
    return data


def _names_the_job(data: dict[str, Any], job: str, operation: str, since: float) -> None:
    changing = data["changing"]
    assert changing["job"] == job and changing["operation"] == operation, changing
    assert changing["user"] == USER_ALLOWED, changing
    assert since - 1 < changing["started"] < time.time(), changing
    assert data["ok"] is False and data["objects"] == [] and data["host_destroy"] == []


def test_status_mid_apply_and_mid_destroy_names_the_job(running, host, caller_factory,
                                                         system_bus) -> None:
    owner = caller_factory("allowed")
    someone = caller_factory("default")  # anyone may read a status: not only the job's owner
    since = time.time()
    answer = owner.call("Apply", "sa{sv}", BIG, {})
    assert answer["ok"], answer
    job = answer["body"][0]
    # the command line as another user, started with the job (an apply of BIG takes seconds)
    commands = [as_user_background(USER_DEFAULT, [NETWRIGHT, "status", *extra, "big"],
                                   address=system_bus) for extra in ([], ["--json"])]
    wait_signal(owner, "JobProgress", job, lambda body: 0 < body[1] < body[2] // 2)
    mid_apply = _status(someone)  # the first apply: not deployed yet, half made
    words, _err = commands[0].communicate(timeout=60)
    as_json, _err = commands[1].communicate(timeout=60)
    assert wait_signal(owner, "JobFinished", job)[1] == ""
    _names_the_job(mid_apply, job, "apply", since)
    assert mid_apply["deployed"] is False
    assert words.startswith(f"big: being applied by {USER_ALLOWED} (job {job}, started "), words
    assert "missing" not in words and "not deployed" not in words
    assert commands[0].returncode == 1  # not known to be as designed
    _names_the_job(json.loads(as_json), job, "apply", since)
    assert _status(someone)["ok"] is True  # the job ended: compared again

    since = time.time()
    answer = owner.call("Destroy", "sa{sv}", "big", {})
    assert answer["ok"], answer
    job = answer["body"][0]
    wait_signal(owner, "JobProgress", job, lambda body: 0 < body[1] < body[2] // 2)
    mid_destroy = _status(someone)
    assert wait_signal(owner, "JobFinished", job)[1] == ""
    _names_the_job(mid_destroy, job, "destroy", since)
    assert mid_destroy["deployed"] is True  # until the destroy ends
    assert owned_by(host, "big") == []

