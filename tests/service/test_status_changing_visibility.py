"""Who learns whose change runs: Status's 'changing' (API 1.16) and polkit.

While a job applies a topology, Status names the job, its user, the design file its Apply
named (the source-file option), netwrightd's pid and the start. That is what Status already
said of a deployment once applied (its source: file and user), under the same action,
io.netwright.inspect: anyone allowed to inspect sees it, as the README says. A user polkit
denies is refused before anything is looked up: the refusal is the same word for word
whether or not a change runs, and names nothing of it.
"""

from __future__ import annotations

import json

from svc_jobs import BIG, wait_signal
from svc_polkit import USER_ALLOWED

FILE = "/home/alice/designs/big-secret-name.yaml"


def test_a_denied_user_learns_nothing_of_a_running_change(running, caller_factory) -> None:
    owner = caller_factory("allowed")
    denied = caller_factory("denied")
    reader = caller_factory("default")
    quiet = denied.call("Status", "s", "big")  # nothing runs yet
    owner.request(op="signals")
    owner.__dict__["backlog"] = []
    answer = owner.call("Apply", "sa{sv}", BIG, {"source-file": {"$v": ["s", FILE]}})
    assert answer["ok"], answer
    job = answer["body"][0]
    wait_signal(owner, "JobProgress", job, lambda body: 0 < body[1] < body[2] // 2)
    refused = denied.call("Status", "s", "big")
    seen = reader.call("Status", "s", "big")
    assert wait_signal(owner, "JobFinished", job)[1] == ""
    assert refused == quiet, (quiet, refused)  # no oracle: the same refusal either way
    assert refused["error"] == "io.netwright.Error.NotAuthorized", refused
    for secret in (job, USER_ALLOWED, FILE, str(running.started.pid), "applied"):
        assert secret not in refused["text"], refused
    assert seen["ok"], seen  # allowed to inspect: the README's 'changing'
    changing = json.loads(seen["body"][0])["changing"]
    assert changing["job"] == job and changing["user"] == USER_ALLOWED, changing
    assert changing["file"] == FILE and changing["pid"] == running.started.pid, changing
    gone = owner.call("Destroy", "sa{sv}", "big", {})
    assert gone["ok"], gone
    assert wait_signal(owner, "JobFinished", gone["body"][0])[1] == ""
