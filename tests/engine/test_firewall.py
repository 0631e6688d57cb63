"""Forwarding, NAT and firewall rules as owned state: applied, re-applied as a no-op, edited by
hand (drift), replaced in one transaction, rolled back, destroyed; the host's forwarding
restored to its value from before; a foreign table byte-identical throughout; a table that
only borrows our name never touched. Read back with nft(8) and /proc, not from the engine."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.client.results import parse_apply_result, parse_status
from netwright.backend.engine import Engine, Target
from netwright.backend.engine.nft_capabilities import supported
from netwright.backend.engine.trial import Ended
from netwright.backend.nm.errors import ConfirmationRequired
from netwright.backend.outcomes.errors import (
    ApplyFailed,
    ConfirmationExpired,
    ConflictError,
    KernelUnsupported,
    NotDeployed,
    NothingToConfirm,
)
from netwright.backend.outcomes.results import ApplyResult
from netwright.backend.topology.model import Topology
from tests.engine.conftest import run, sh

DOCKER = """netwright: 1
name: dock
host:
  nics: {up0: {addresses: [192.0.2.2/24]}}
  forwarding: {ipv4: true}
  nat:
    - {masquerade: {from: 172.30.0.0/16, out: up0}}
    - {publish: {proto: tcp, port: 8080, in: up0, to: 172.30.0.2, to-port: 80}}
  firewall:
    forward:
      policy: drop
      stateful: true
      rules:
        - {action: accept, in: dock0}
        - {action: accept, out: dock0, proto: tcp, dport: 80, to: 172.30.0.2}
namespaces:
  c1:
    routes: [{to: default, via: 172.30.0.1}]
    firewall:
      input: {policy: drop, stateful: true, rules: [{action: accept, proto: tcp, dport: 80}]}
interfaces:
  dock0: {kind: bridge, addresses: [172.30.0.1/16]}
  veth-c1: {kind: veth, peer: c1-eth0, master: dock0}
  c1-eth0: {kind: veth, name: eth0, namespace: c1, peer: veth-c1, addresses: [172.30.0.2/16]}
"""
FORWARD = Path("/proc/sys/net/ipv4/ip_forward")
# The stock-kernel VM does not autoload netfilter modules (a booted Debian does)
VM_MODULES = ("nf_tables", "nft_ct", "nf_conntrack_bridge", "nft_meta_bridge",
              "nft_reject_bridge")
FOREIGN = ("table ip docker {\n chain FORWARD {\n  type filter hook forward priority 0;"
           " policy accept;\n  ip saddr 172.17.0.0/16 accept\n }\n}\n")


def nft(*args: str, netns: str | None = None, check: bool = True) -> str:
    prefix = ["ip", "netns", "exec", netns] if netns else []
    done = subprocess.run([*prefix, "nft", *args], capture_output=True, text=True, check=False)
    if check and done.returncode != 0:
        raise AssertionError(f"nft {' '.join(args)}: {done.stderr.strip()}")
    return done.stdout


def past_deadline(result: ApplyResult) -> None:
    """Sleep until the trial ``result`` holds has expired: its deadline (rounded to the
    millisecond when reported, hence the 10 ms), not the window counted from the apply's end."""
    assert result.awaiting_confirmation is not None, result
    time.sleep(max(0.0, float(result.awaiting_confirmation["deadline"]) + 0.01 - time.time()))


@pytest.fixture
def uplink() -> Iterator[None]:
    sh("ip link add up0 type veth peer name up0p && ip addr add 192.0.2.2/24 dev up0"
       " && ip link set up0 up && ip link set up0p up")
    yield
    sh("ip link del up0", check=False)


@pytest.fixture
def forwarding_off() -> Iterator[None]:
    before = FORWARD.read_text()
    FORWARD.write_text("0\n")
    yield
    FORWARD.write_text(before)


@pytest.fixture
def foreign_table(tmp_path: Path) -> Iterator[Callable[[], str]]:
    path = tmp_path / "foreign.nft"
    path.write_text(FOREIGN)
    nft("-f", str(path))
    yield lambda: nft("-j", "list", "table", "ip", "docker")
    nft("delete", "table", "ip", "docker", check=False)


@pytest.mark.usefixtures("uplink", "forwarding_off", "clean_host")
def test_owned_rules_from_apply_to_destroy(engine: Engine, topo: Callable[[str], Topology],
                                           foreign_table: Callable[[], str]) -> None:
    design = topo(DOCKER)
    foreign = foreign_table()
    plan = run(engine.plan(design))
    texts = [s.text for s in plan.steps]
    assert any("create nftables table inet netwright-dock in the host (5 rules)" in t
               for t in texts), texts
    assert any("set net.ipv4.ip_forward = 1 on the host (now 0" in t for t in texts)
    run(engine.apply(design))
    listed = nft("list", "table", "inet", "netwright-dock")
    assert 'comment "netwright:dock:host"' in listed
    assert "policy drop;" in listed and "dnat ip to 172.30.0.2:80" in listed
    assert 'ip saddr 172.30.0.0/16 oifname "up0" masquerade' in listed
    assert "tcp dport 80 accept" in nft("list", "table", "inet", "netwright-dock", netns="c1")
    assert FORWARD.read_text().strip() == "1"
    assert run(engine.plan(design)).steps == []
    assert foreign_table() == foreign

    nft("add", "rule", "inet", "netwright-dock", "forward", "accept")  # a hand edit
    status = run(engine.status("dock"))
    host = next(o for o in status.objects if o.object == "host")
    assert host.state == "drifted"
    assert host.differences[0].endswith("(5 rules): undo edits made by hand")
    assert "  drifted  the host's forwarding, NAT rules and firewall rules\n" in status.render()
    run(engine.apply(design))
    assert run(engine.plan(design)).steps == []
    assert nft("list", "table", "inet", "netwright-dock").count("accept comment") == 3

    changed = topo(DOCKER.replace("- {action: accept, in: dock0}\n",
                                  "- {action: accept, in: dock0, proto: udp}\n"))
    step = next(s for s in run(engine.plan(changed)).steps if "inet netwright-dock in the host"
                in s.text)
    assert ('+ forward: iifname "dock0" meta l4proto udp accept; − forward: iifname "dock0"'
            ' accept') in step.text

    FORWARD.write_text("0\n")  # forwarding turned off by hand: drift, and apply puts it back
    host = next(o for o in run(engine.status("dock")).objects if o.object == "host")
    assert any("net.ipv4.ip_forward = 1" in d for d in host.differences)
    run(engine.apply(design))
    assert FORWARD.read_text().strip() == "1"

    run(engine.destroy("dock"))
    assert "netwright-dock" not in nft("list", "tables")
    assert FORWARD.read_text().strip() == "0"
    assert foreign_table() == foreign
    assert not list(engine.store.dir.glob("dock.*"))


def test_a_table_that_only_borrows_our_name_is_never_touched(
        engine: Engine, topo: Callable[[str], Topology], uplink: None, forwarding_off: None,
        clean_host: dict[str, Any]) -> None:
    nft("add", "table", "inet", "netwright-dock")
    nft("add", "chain", "inet", "netwright-dock", "mine")
    before = nft("-j", "list", "table", "inet", "netwright-dock")
    try:
        with pytest.raises(ConflictError, match="does not carry this topology's marker"):
            run(engine.plan(topo(DOCKER)))
        assert nft("-j", "list", "table", "inet", "netwright-dock") == before
    finally:
        nft("delete", "table", "inet", "netwright-dock", check=False)


def test_rollback_after_the_tables_restores_everything(
        state_dir: Path, topo: Callable[[str], Topology], uplink: None,
        forwarding_off: None, clean_host: dict[str, Any]) -> None:
    design = topo(DOCKER)
    steps = len(run(Engine(state_dir, Target.host()).plan(design)).steps)

    def fault(index: int, step: object) -> None:
        if index == steps - 1:  # the last step: every table is in, forwarding is on
            raise RuntimeError("power cut")

    engine = Engine(state_dir, Target.host(), fault=fault)
    with pytest.raises(ApplyFailed):
        run(engine.apply(design))
    assert "netwright-dock" not in nft("list", "tables")
    assert FORWARD.read_text().strip() == "0"
    assert run(engine.deployments()) == []


@pytest.mark.usefixtures("uplink", "forwarding_off", "clean_host")
def test_rules_on_the_default_route_device_are_on_trial(
        engine: Engine, topo: Callable[[str], Topology]) -> None:
    """Masquerade out of the uplink and host forwarding can cut the host off: refused without
    confirmation (nothing changed), then applied on trial, and revert brings back the old."""
    sh("ip route add default via 192.0.2.1 dev up0")
    design = topo(DOCKER)
    flagged = [s.text for s in run(engine.plan(design)).steps if "WARNING:" in s.text]
    assert flagged and flagged[0].endswith(
        "(WARNING: this switches the host's forwarding and changes NAT or filter rules on up0"
        " (the device of the host's default route): the host may lose its connection. Confirm"
        " to go ahead; the change is then on trial and the previous rules come back by"
        " themselves unless you keep it in time)"), flagged
    with pytest.raises(ConfirmationRequired, match="switches the host's forwarding"):
        run(engine.apply(design))
    assert "netwright-dock" not in nft("list", "tables")
    assert FORWARD.read_text().strip() == "0"
    result = run(engine.apply(design, confirm=True, confirm_seconds=30))
    assert result.awaiting_confirmation is not None
    assert FORWARD.read_text().strip() == "1"
    # status says what the change may do, not the plan's "Confirm to go ahead" once more,
    # and what the end of the window does to a first apply: there is nothing to restore
    said = run(engine.status("dock")).render().splitlines()[-1]
    assert said.startswith("  the last apply awaits confirmation (this switches the host's"
                           " forwarding and changes NAT or filter rules on up0 (the device of"
                           " the host's default route): the host may lose its connection):"
                           " keep it with 'netwright confirm dock' within "), said
    assert said.endswith(" s, or it is removed (nothing of it was deployed before)"), said
    run(engine.revert("dock"))
    assert "netwright-dock" not in nft("list", "tables")
    assert FORWARD.read_text().strip() == "0"
    # the revert of a first apply leaves nothing deployed: said so (and by what, when), not
    # "has no change …"
    for call, command in ((engine.confirm_deployment, "confirm"), (engine.revert, "revert")):
        with pytest.raises(NothingToConfirm) as after:
            run(call("dock"))
        assert re.fullmatch(r"the trial of dock ended at \d\d:\d\d:\d\d, before this"
                            rf" {command}: a revert ended it, so it was removed \(nothing of it"
                            rf" was deployed before\); nothing is left to {command}",
                            str(after.value)), after.value
    with pytest.raises(NotDeployed):
        run(engine.destroy("dock"))  # nothing to destroy, and the trial's end is forgotten
    with pytest.raises(NothingToConfirm, match="topology dock is not deployed on this"
                       " machine, so no change of it awaits confirmation"):
        run(engine.confirm_deployment("dock"))


@pytest.mark.usefixtures("uplink", "forwarding_off", "clean_host")
def test_a_late_confirm_of_a_first_apply_says_it_was_removed(
        engine: Engine, topo: Callable[[str], Topology]) -> None:
    """Nothing was deployed before the apply on trial: confirming too late removes the
    topology, and says that rather than "the previous configuration was restored", in the
    words of every other end of a trial (revert, the window's own end: ``undone_words``); a
    later apply confirmed too late restores the one before it, and says so in those words."""
    sh("ip route add default via 192.0.2.1 dev up0")
    held = run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=5))
    assert held.awaiting_confirmation is not None
    assert held.awaiting_confirmation.get("removes") is True
    past_deadline(held)
    with pytest.raises(ConfirmationExpired) as late:
        run(engine.confirm_deployment("dock"))
    said = str(late.value)
    assert re.fullmatch(r"removed dock: it was confirmed \d+ s too late; nothing of it was"
                        r" deployed before, so what its apply had made is undone \(\d+ steps\);"
                        r" apply again and confirm within the window", said), said
    assert "netwright-dock" not in nft("list", "tables")
    assert FORWARD.read_text().strip() == "0"
    run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=60))
    run(engine.confirm_deployment("dock"))
    past_deadline(run(engine.apply(topo(DOCKER.replace("port: 8080", "port: 8081")),
                                   confirm=True, confirm_seconds=5)))
    with pytest.raises(ConfirmationExpired) as late:
        run(engine.confirm_deployment("dock"))
    said = str(late.value)
    assert re.fullmatch(r"restored the previous configuration of dock: its change on trial was"
                        r" confirmed \d+ s too late \(\d+ steps?\); apply again and confirm"
                        r" within the window", said), said
    assert "dport 8080" in nft("list", "table", "inet", "netwright-dock")
    run(engine.destroy("dock"))


CLOCK = r"\d\d:\d\d:\d\d"


@pytest.mark.usefixtures("uplink", "forwarding_off", "clean_host")
def test_a_confirm_after_the_trial_ended_says_what_ended_it_and_when(
        engine: Engine, topo: Callable[[str], Topology], state_dir: Path) -> None:
    """The backend's clock (netwrightd's, the lab's) ended the trial before the confirm came:
    the confirm, a revert and a status say when it ended and what that undid, not only "not
    deployed" ("I just applied it!"); any engine on the same state directory says it (both
    backends make one per call), and the next apply forgets it."""
    sh("ip route add default via 192.0.2.1 dev up0")
    past_deadline(run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=5)))
    clock = Engine(state_dir, Target.host())  # its revert holds the lock meanwhile
    with clock.store.lock("dock"), pytest.raises(ConfirmationExpired) as undoing:
        run(engine.confirm_deployment("dock"))
    assert re.fullmatch(rf"the trial of dock ended at {CLOCK}, before this confirm: nobody"
                        r" confirmed it in time, so it is being removed \(nothing of it was"
                        r" deployed before\); apply it again and confirm within the window",
                        str(undoing.value)), undoing.value  # not "being applied by another …"
    assert [e.name for e in run(engine.end_expired_trials())] == ["dock"]  # the clock's call
    assert "netwright-dock" not in nft("list", "tables")
    later = Engine(state_dir, Target.host())
    with pytest.raises(ConfirmationExpired) as late:
        run(later.confirm_deployment("dock"))
    assert re.fullmatch(rf"the trial of dock ended at {CLOCK}, before this confirm: nobody"
                        r" confirmed it in time, so it was removed \(nothing of it was deployed"
                        r" before\); apply it again and confirm within the window",
                        str(late.value)), late.value
    with pytest.raises(NothingToConfirm) as late_revert:
        run(later.revert("dock"))
    assert re.fullmatch(rf"the trial of dock ended at {CLOCK}, before this revert: nobody"
                        r" confirmed it in time, so it was removed \(nothing of it was deployed"
                        r" before\); nothing is left to revert", str(late_revert.value))
    with pytest.raises(NotDeployed) as status:
        run(later.status("dock"))
    assert re.fullmatch(rf"topology dock is not deployed on this machine; the trial of dock"
                        rf" ended at {CLOCK}: nobody confirmed it in time, so it was removed"
                        r" \(nothing of it was deployed before\)", str(status.value))
    # an update whose trial ended: the configuration from before it is back, and said so
    run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=60))
    run(engine.confirm_deployment("dock"))
    assert run(engine.status("dock")).trial_ended is None  # the apply forgot the first end
    past_deadline(run(engine.apply(topo(DOCKER.replace("port: 8080", "port: 8081")),
                                   confirm=True, confirm_seconds=5)))
    run(engine.end_expired_trials())
    with pytest.raises(ConfirmationExpired) as late:
        run(Engine(state_dir, Target.host()).confirm_deployment("dock"))
    assert re.fullmatch(rf"the trial of dock ended at {CLOCK}, before this confirm: nobody"
                        r" confirmed it in time, so the previous configuration was restored;"
                        r" apply it again and confirm within the window", str(late.value))
    shown = parse_status(json.dumps(run(engine.status("dock")).to_json()))  # as a client
    assert re.fullmatch(rf"  the trial of dock ended at {CLOCK}: nobody confirmed it in time,"
                        r" so the previous configuration was restored",
                        shown.render().splitlines()[-1]), shown.render()
    assert "dport 8080" in nft("list", "table", "inet", "netwright-dock")
    run(engine.destroy("dock"))
    assert not list(state_dir.rglob("*.ended")), "destroy forgets the end too"


@pytest.mark.usefixtures("uplink", "forwarding_off", "clean_host")
def test_reverting_a_first_apply_says_it_removed_it(
        engine: Engine, topo: Callable[[str], Topology]) -> None:
    """Nothing was deployed before the apply on trial: revert removes the topology, and its
    result says so ("removed", also in the JSON netwrightd sends and its client reads), so
    that nobody is told "restored the previous configuration"."""
    sh("ip route add default via 192.0.2.1 dev up0")
    held = run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=60))
    assert held.awaiting_confirmation is not None
    reverted = run(engine.revert("dock"))
    assert reverted.removed is True
    assert reverted.to_json()["removed"] is True
    assert parse_apply_result(json.dumps(reverted.to_json())).removed is True
    assert "netwright-dock" not in nft("list", "tables")
    assert FORWARD.read_text().strip() == "0"
    # a trial that changed a deployment restores it: not "removed"
    run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=60))
    run(engine.confirm_deployment("dock"))
    run(engine.apply(topo(DOCKER.replace("port: 8080", "port: 8081")), confirm=True,
                     confirm_seconds=60))
    said = run(engine.status("dock")).render().splitlines()[-1]
    assert said.endswith(" s, or the previous configuration is restored"), said
    restored = run(engine.revert("dock"))
    assert restored.removed is False and "removed" not in restored.to_json()


@pytest.mark.usefixtures("uplink", "forwarding_off", "clean_host")
def test_each_end_of_a_trial_is_told_once_by_the_call_that_ends_it(
        state_dir: Path, topo: Callable[[str], Topology]) -> None:
    """netwrightd says StateChanged "restored" for each end its engines tell of
    (``trial_ended``): a status that came after the deadline, before the daemon's clock,
    ended the trial unsaid; a confirm or revert after an end must not tell of it again."""
    sh("ip route add default via 192.0.2.1 dev up0")
    told: list[Ended] = []
    engine = Engine(state_dir, Target.host(), trial_ended=told.append)
    past_deadline(run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=5)))
    with pytest.raises(NotDeployed):  # it ends the trial first: a first apply is removed
        run(engine.status("dock"))
    assert [(e.name, e.how, e.removed) for e in told] == [("dock", "expired", True)]
    with pytest.raises(ConfirmationExpired):
        run(engine.confirm_deployment("dock"))
    with pytest.raises(NothingToConfirm):
        run(engine.revert("dock"))
    assert len(told) == 1
    past_deadline(run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=5)))
    with pytest.raises(ConfirmationExpired):  # too late: it ends the trial itself
        run(engine.confirm_deployment("dock"))
    run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=60))
    run(engine.revert("dock"))
    assert [(e.how, e.removed) for e in told] == [("expired", True), ("expired", True),
                                                  ("reverted", True)]
    assert "netwright-dock" not in nft("list", "tables")


@pytest.mark.usefixtures("uplink", "forwarding_off", "clean_host")
def test_netwrightd_logs_that_an_expired_first_apply_was_removed(
        state_dir: Path, topo: Callable[[str], Topology],
        caplog: pytest.LogCaptureFixture) -> None:
    """The daemon's clock ends a trial nobody confirmed (its worker and engine, as
    netwrightd runs them): a first apply is logged as removed, not as restored."""
    from netwright.backend.service.trials import TrialWatch
    from netwright.backend.service.worker import EngineWorker

    sh("ip route add default via 192.0.2.1 dev up0")
    worker = EngineWorker(state_dir, Target.host())
    engine = worker.engine()
    held = run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=5))
    assert held.awaiting_confirmation is not None
    ended: list[str] = []

    async def watched() -> None:
        worker.tell_trial_ends(lambda over: ended.append(over.name))
        watch = TrialWatch(worker)
        await watch.start()
        started = time.monotonic()
        while not ended:
            assert time.monotonic() - started < 20, caplog.text
            await asyncio.sleep(0.1)
        watch.stop()

    try:
        with caplog.at_level(logging.INFO, logger="netwrightd"):
            run(watched())
    finally:
        for name in run(engine.deployments()):
            run(engine.destroy(name))
    assert ended == ["dock"]
    said = [r.getMessage() for r in caplog.records if r.name == "netwrightd"]
    assert any(m.startswith("removed dock: it was not confirmed in time; nothing of it was"
                            " deployed before") for m in said), said
    assert not any("previous configuration" in m for m in said), said
    assert "netwright-dock" not in nft("list", "tables")


@pytest.mark.usefixtures("uplink", "forwarding_off", "clean_host")
def test_a_status_read_while_the_trial_is_restored_still_says_on_trial(
        engine: Engine, state_dir: Path, topo: Callable[[str], Topology],
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The daemon's trial clock restores in one thread while a status is read in another (the
    designer asks at the deadline). Until the restore has ended, a status must name the trial,
    never say "deployed, not on trial": the window takes that for "restored" and kept showing
    the half-destroyed design as drifted. Real engines in two threads, each made to act at the
    other's worst moment: a status in the middle of the restore (the design still there, the
    restore under way), and a restore that ends while a status reads (after the record, before
    the kernel)."""
    sh("ip route add default via 192.0.2.1 dev up0")

    def other_thread(call: Callable[[Engine], Any]) -> Any:
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(lambda: run(call(Engine(state_dir, Target.host())))).result()

    def before(engine: Engine, method: str, first: Callable[[Engine], Any]) -> list[Any]:
        """``first`` (in another thread, on its own engine) runs as ``method`` begins."""
        seen: list[Any] = []
        original = getattr(engine, method)

        def hooked(*args: Any, **kwargs: Any) -> Any:
            seen.append(other_thread(first))
            return original(*args, **kwargs)

        monkeypatch.setattr(engine, method, hooked)
        return seen

    run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=30))
    restoring = Engine(state_dir, Target.host())
    during = before(restoring, "_destroy_runtime", lambda other: other.status("dock"))
    run(restoring.revert("dock"))
    assert "netwright-dock" not in nft("list", "tables")
    assert during[0].awaiting_confirmation is not None, during[0]

    run(engine.apply(topo(DOCKER), confirm=True, confirm_seconds=30))
    reading = Engine(state_dir, Target.host())
    before(reading, "_compute", lambda other: other.revert("dock"))
    status = run(reading.status("dock"))
    assert "netwright-dock" not in nft("list", "tables")  # the restore did run meanwhile
    assert status.deployed and status.awaiting_confirmation is not None, status


@pytest.mark.usefixtures("uplink", "forwarding_off", "clean_host")
def test_status_says_what_destroy_does_on_the_host(
        engine: Engine, topo: Callable[[str], Topology]) -> None:
    """The designer's destroy plan is built from the status: it said "restore the host's
    forwarding, NAT and firewall" and never named the bridge table of the host's port
    rules, which destroy deletes. The status now carries the destroy's own host steps."""
    design = topo(DOCKER.replace(
        "master: dock0}", "master: dock0,\n"
        "           port-firewall: {to-port: {policy: drop, rules: [{action: accept}]}}}"))
    run(engine.apply(design))
    said = [(s.action, s.text) for s in run(engine.status("dock")).host_destroy or []]
    assert said == [
        ("delete", "delete nftables table inet netwright-dock in the host"),
        ("delete", "delete nftables table bridge netwright-dock in the host"),
        ("modify", "restore net.ipv4.ip_forward = 0 on the host (its value before topology"
                   " dock)")]
    done = run(engine.destroy("dock")).plan.steps
    assert [(s.action, s.text) for s in done if s.object == "host"] == said
    assert "netwright-dock" not in nft("list", "tables")


def test_a_kernel_without_bridge_conntrack_refuses_stateful_port_rules_up_front(
        engine: Engine, topo: Callable[[str], Topology], clean_host: dict[str, Any]) -> None:
    """This machine's kernel has no nf_conntrack_bridge: the plan says so with the fix before
    anything is touched; the same design with stateless port rules applies."""
    stateful = DOCKER.replace(
        "master: dock0}", "master: dock0,\n"
        "           port-firewall: {to-port: {policy: drop, stateful: true}}}")
    stateful = stateful.split("host:")[0] + "namespaces:" + stateful.split("namespaces:")[1]
    design = topo(stateful)
    if supported(["bridge-conntrack"])["bridge-conntrack"]:
        pytest.skip("this kernel has bridge connection tracking (the stock-kernel tier)")
    with pytest.raises(KernelUnsupported, match=r"^this kernel has no bridge connection"
                       r" tracking support \(module nf_conntrack_bridge\).*stateful rules on a"
                       r" bridge port need it.*make the port's rules stateless"):
        run(engine.plan(design))
    assert run(engine.deployments()) == []
    run(engine.apply(topo(stateful.replace("stateful: true", "stateful: false"))))
    assert "chain to-veth-c1" in nft("list", "table", "bridge", "netwright-dock")
    # status names the host's table of port rules while it is as designed, not only once
    # it drifts (a design with port rules alone listed no host line)
    status = run(engine.status("dock"))
    host = [o for o in status.objects if o.what == "host"]
    assert [(o.object, o.state) for o in host] == [("host", "present")]
    # named by what the host holds: no forwarding or NAT here (the OpenStack example's case)
    assert "  present  the host's port firewall table" in status.render().splitlines()
    # and so through netwrightd: the client rebuilds the status from its JSON
    assert parse_status(json.dumps(status.to_json())).render() == status.render()


@pytest.mark.kernel
def test_stateful_port_rules_on_a_kernel_with_bridge_conntrack(
        engine: Engine, topo: Callable[[str], Topology], clean_host: dict[str, Any]) -> None:
    """Debian's stock kernel loads nf_conntrack_bridge on demand: a security group's
    stateful ingress on a bridge port applies there, and replies to the VM's own traffic
    pass while new connections towards it are dropped."""
    design = topo("""netwright: 1
name: sg
namespaces:
  vm1: {}
  peer: {}
interfaces:
  qbr: {kind: bridge}
  tap-vm1:
    kind: veth
    peer: vm1-eth0
    master: qbr
    port-firewall: {to-port: {policy: drop, stateful: true}}
  vm1-eth0: {kind: veth, name: eth0, namespace: vm1, peer: tap-vm1, addresses: [10.9.0.11/24]}
  tap-peer: {kind: veth, peer: peer-eth0, master: qbr}
  peer-eth0: {kind: veth, name: eth0, namespace: peer, peer: tap-peer,
              addresses: [10.9.0.12/24]}
""")
    subprocess.run(["modprobe", "-a", *VM_MODULES], check=True)
    assert supported(["bridge-conntrack"])["bridge-conntrack"]
    run(engine.apply(design))
    assert "ct state established,related accept" in nft("list", "table", "bridge",
                                                          "netwright-sg")
    out = subprocess.run(["ip", "netns", "exec", "vm1", "ping", "-c", "1", "-W", "2",
                          "10.9.0.12"], capture_output=True, text=True, check=False)
    back = subprocess.run(["ip", "netns", "exec", "peer", "ping", "-c", "1", "-W", "1",
                           "10.9.0.11"], capture_output=True, text=True, check=False)
    assert (out.returncode, back.returncode) == (0, 1), (out.stdout, back.stdout)


@pytest.mark.usefixtures("uplink", "forwarding_off", "clean_host")
def test_kill_9_between_two_table_replacements_then_recover(
        engine: Engine, topo: Callable[[str], Topology], tmp_path: Path,
        state_dir: Path) -> None:
    """Each table is one transaction: killed after the host's table was replaced and before
    the namespace's was, each table is whole (the new one, the old one), and the next command
    puts the previous design back."""
    from tests.engine.test_crash import _kill, _start

    run(engine.apply(topo(DOCKER)))
    changed = DOCKER.replace("dport: 80, to: 172.30.0.2", "dport: 81, to: 172.30.0.2").replace(
        "proto: tcp, dport: 80}]", "proto: tcp, dport: 81}]")
    file = tmp_path / "dock.yaml"
    file.write_text(changed)
    steps = run(engine.plan(topo(changed))).steps
    replaces = [i for i, s in enumerate(steps) if "replace nftables table" in s.text]
    assert len(replaces) == 2, [s.text for s in steps]
    child, _ready = _start("apply", state_dir, file, replaces[1], tmp_path)
    _kill(child)
    assert "tcp dport 81" in nft("list", "table", "inet", "netwright-dock")  # whole, new
    assert "tcp dport 80" in nft("list", "table", "inet", "netwright-dock", netns="c1")  # old
    run(Engine(state_dir, Target.host()).deployments())  # any command recovers first
    assert "tcp dport 81" not in nft("list", "table", "inet", "netwright-dock")
    assert "tcp dport 80" in nft("list", "table", "inet", "netwright-dock")
    assert run(engine.plan(topo(DOCKER))).steps == []
