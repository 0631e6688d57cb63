"""Following jobs from a test caller: wait for their signals, start a slow apply, clean up."""

from __future__ import annotations

import time
from typing import Any

from svc_topologies import star

BIG = star("big", 600)
BIG_NAMESPACES = 600
SIGNAL_TIMEOUT = 60.0


def owned_by(host, topology: str) -> list[str]:
    """The topology's namespaces, and interfaces carrying its marker outside them.

    An interface inside one of its namespaces cannot outlive the namespace, so the
    namespaces and the shared ones (the lab host, router, outside) are what to read.
    """
    netns = host.netns()
    prefix = "lab-n" if topology == "big" else "lab-net"
    found = [ns for ns in netns if ns.startswith(prefix)]
    marker = f"netwright:{topology}:"
    for shared in (ns for ns in netns if ns.startswith("nwlab-")):
        found += [f"{shared}/{name}" for name, link in host.links(shared).items()
                  if str(link["alias"]).startswith(marker)]
    return found


def wait_signal(caller, member: str, job: str | None = None,
                predicate=lambda body: True) -> list[Any]:
    """The first matching signal; others stay in the caller's backlog for later waits."""
    backlog: list[list[Any]] = caller.__dict__.setdefault("backlog", [])
    deadline = time.monotonic() + SIGNAL_TIMEOUT
    while time.monotonic() < deadline:
        backlog += caller.request(op="signals")["signals"]
        for entry in backlog:
            name, body = entry
            if name == member and (job is None or body[0] == job) and predicate(body):
                backlog.remove(entry)
                return body
        time.sleep(0.01)
    raise AssertionError(f"no {member} signal for {job} within {SIGNAL_TIMEOUT} s")


def start_big(caller) -> str:
    caller.request(op="signals")  # forget older signals
    caller.__dict__["backlog"] = []
    answer = caller.call("Apply", "sa{sv}", BIG, {})
    assert answer["ok"], answer
    job = answer["body"][0]
    wait_signal(caller, "JobProgress", job, lambda body: 0 < body[1] < body[2] // 2)
    return job


def destroy(caller, name: str) -> None:
    answer = caller.call("Destroy", "sa{sv}", name, {})
    assert answer["ok"], answer
    finished = wait_signal(caller, "JobFinished", answer["body"][0])
    assert finished[1] == "", finished


