"""A job belongs to whoever started it: only they hear its signals, only they (or root) may
cancel it, under the job's own action; and errors never hand a caller's input back in full."""

from __future__ import annotations

import time

from svc_callers import run_client
from svc_jobs import destroy, owned_by, start_big, wait_signal
from svc_polkit import USER_ALLOWED
from svc_topologies import SEED

from netwright.backend.service.authority import GRANT_SECONDS

JOB_SIGNALS = {"JobStarted", "JobProgress", "JobFinished"}
NOT_AUTHORIZED = "io.netwright.Error.NotAuthorized"


def test_a_denied_listener_hears_nothing_of_another_users_job(running, caller_factory) -> None:
    listener = caller_factory("denied")  # polkit denies it every action
    # Everything it is allowed to ask the bus for: all signals of the interface, even
    # those addressed to others (the bus policy refuses to let it eavesdrop).
    eavesdrop = listener.call(
        "AddMatch", "s", "type='signal',interface='io.netwright.Backend1',eavesdrop=true",
        destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
        interface="org.freedesktop.DBus")
    listener.request(op="signals")
    owner = caller_factory("allowed")
    owner.request(op="signals")
    owner.__dict__["backlog"] = []
    applied = owner.call("Apply", "sa{sv}", SEED, {})
    assert applied["ok"], applied
    finished = wait_signal(owner, "JobFinished", applied["body"][0])
    assert finished[1] == "" and '"steps"' in finished[3], finished
    checked = owner.call("StartCheck", "sa{sv}", "seed", {"timeout": {"$v": ["d", 0.2]}})
    assert checked["ok"], checked
    report = wait_signal(owner, "JobFinished", checked["body"][0])
    assert "192.168.31.5" in report[3], report  # the report names every address
    destroy(owner, "seed")
    heard = listener.request(op="signals")["signals"]
    assert [s for s in heard if s[0] in JOB_SIGNALS] == [], (eavesdrop, heard)
    # It still learns that something changed, with no more than List tells anyone.
    assert ["StateChanged", ["seed", "deployed"]] in heard, heard


def test_only_the_owner_or_root_may_cancel(running, host, caller_factory) -> None:
    owner = caller_factory("allowed")
    job = start_big(owner)
    peer = caller_factory("peer")  # may apply too, but did not start this job
    refused = peer.call("Cancel", "s", job)
    assert refused["error"] == NOT_AUTHORIZED, refused
    assert "another user started it" in refused["text"], refused
    assert owner.call("Cancel", "s", job)["ok"]  # the owner may
    finished = wait_signal(owner, "JobFinished", job)
    assert finished[1] == "io.netwright.Error.Cancelled", finished
    assert owned_by(host, "big") == []
    job = start_big(owner)
    assert caller_factory("root").call("Cancel", "s", job)["ok"]  # and root may
    assert wait_signal(owner, "JobFinished", job)[1] == "io.netwright.Error.Cancelled"
    assert owned_by(host, "big") == []


def test_cancel_asks_for_the_action_of_the_job(running, host, caller_factory, polkitd) -> None:
    owner = caller_factory("allowed")
    assert wait_signal(owner, "JobFinished", start_big(owner))[1] == ""
    peer = caller_factory("peer")  # polkit: everything but io.netwright.destroy
    before = polkitd.log_text().count("io.netwright.destroy for nwtest-peer")
    destroying = owner.call("Destroy", "sa{sv}", "big", {})  # 600 namespaces: most of a second
    assert destroying["ok"], destroying
    refused = peer.call("Cancel", "s", destroying["body"][0])
    assert refused["error"] == NOT_AUTHORIZED and "denied" in refused["text"], refused
    assert wait_signal(owner, "JobFinished", destroying["body"][0])[1] == ""
    assert owned_by(host, "big") == []
    deadline = time.monotonic() + 5  # polkitd writes its log line a moment later
    while polkitd.log_text().count("io.netwright.destroy for nwtest-peer") == before:
        assert time.monotonic() < deadline, "polkit was not asked for io.netwright.destroy"
        time.sleep(0.05)


def test_errors_quote_only_a_prefix_of_the_callers_input(running, caller_factory) -> None:
    caller = caller_factory("allowed")
    huge = {"$bytes": 10 * 1024 * 1024}
    for member, signature, body in [
        ("Cancel", "s", [huge]),
        ("Status", "s", [huge]),
        ("Destroy", "sa{sv}", ["seed", {"x" * 100_000: {"$v": ["s", "y"]}}]),
        ("Check", "sa{sv}", ["seed", {"timeout": {"$v": ["s", "y" * 100_000]}}]),
        ("Plan", "sa{sv}", [SEED, {"z" * 1_000_000: {"$v": ["b", True]}}]),
    ]:
        answer = caller.call(member, signature, *body)
        assert answer["ok"] is False, (member, answer)
        assert len(answer["text"]) < 400, (member, answer["error"], answer["text"][:500])


def test_the_owners_own_connection_cancels_without_being_asked_again(
        running, system_bus, polkitd) -> None:
    """The connection that started a job proved its action then (for a capture, auth_admin:
    an administrator's password each time); stopping it grants nothing more, so polkit is
    not asked again, even once netwrightd's reuse of a grant (2 s) is over."""
    asked = "netwright-test: io.netwright.capture for nwtest-allowed\n"
    run_client(USER_ALLOWED, system_bus, "await client.apply(seed)")
    try:
        before = polkitd.log_text().count(asked)
        ended = run_client(USER_ALLOWED, system_bus, f"""
import asyncio, os
fd = os.open('/dev/null', os.O_WRONLY)
job = await client.start_capture('seed', 'mv1', fd)
await asyncio.sleep({GRANT_SECONDS + 0.5})
await client.cancel(job)
return (await client.wait_capture(job))['ended']
""")
        assert ended["value"] == "stopped", ended
        deadline = time.monotonic() + 5  # polkitd writes its log line a moment later
        while polkitd.log_text().count(asked) == before:
            assert time.monotonic() < deadline, "polkit was not asked to start the capture"
            time.sleep(0.05)
        time.sleep(0.5)  # and a second question would be there by now
        assert polkitd.log_text().count(asked) == before + 1, polkitd.log_text()[-2000:]
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")
