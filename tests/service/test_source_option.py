"""Apply's "source-file" option: recorded with the caller's user name (as the bus vouches for
it), returned by Status and Deployments to anyone who may inspect, and bounded and checked
like every other argument (it is shown, never trusted)."""

from __future__ import annotations

import json
import socket

from svc_jobs import destroy, wait_signal
from svc_polkit import USER_ALLOWED, USER_PEER
from svc_topologies import SEED

INVALID = "io.netwright.Error.InvalidArguments"


def _apply(caller, options: dict) -> dict:
    caller.request(op="signals")
    caller.__dict__["backlog"] = []
    return caller.call("Apply", "sa{sv}", SEED, options)


def test_status_and_deployments_say_whose_deployment_it_is(running, caller_factory) -> None:
    owner = caller_factory("allowed")
    applied = _apply(owner, {"source-file": {"$v": ["s", "/home/alice/seed.yaml"]}})
    assert applied["ok"], applied
    assert wait_signal(owner, "JobFinished", applied["body"][0])[1] == ""
    other = caller_factory("peer")  # another user who may inspect sees the same source
    status = json.loads(other.call("Status", "s", "seed")["body"][0])
    source = status["source"]
    assert (source["file"], source["user"]) == ("/home/alice/seed.yaml", USER_ALLOWED), source
    assert source["host"] == socket.gethostname() and source["time"] > 0
    listed = json.loads(other.call("Deployments", "")["body"][0])
    assert [(d["name"], d["source"]["user"]) for d in listed] == [("seed", USER_ALLOWED)]
    # an old client sends no file: the user, host and time are still the backend's to say
    again = _apply(other, {})
    assert again["ok"], again
    assert wait_signal(other, "JobFinished", again["body"][0])[1] == ""
    source = json.loads(owner.call("Status", "s", "seed")["body"][0])["source"]
    assert (source["file"], source["user"]) == ("", USER_PEER), source
    destroy(owner, "seed")


def test_a_bad_source_file_is_refused_before_anything_changes(running, host,
                                                             caller_factory) -> None:
    caller = caller_factory("allowed")
    for value, why in [("seed.yaml", "must be absolute"),
                       ("/tmp/a\nb.yaml", "control characters"),
                       ("/" + "x" * 5000, "at most 1024")]:
        refused = _apply(caller, {"source-file": {"$v": ["s", value]}})
        assert refused["error"] == INVALID and why in refused["text"], refused
        assert len(refused["text"]) < 200, refused  # the caller's input is not echoed
    wrong_type = _apply(caller, {"source-file": {"$v": ["u", 7]}})
    assert wrong_type["error"] == INVALID, wrong_type
    assert "lab-net1" not in host.netns()
