"""`netwright plan|apply|destroy|status|list --local`, run as the command users type."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.outcomes.provenance import local_user
from tests.engine.conftest import ROOT, links, netns_list, wait_for_no_orphans
from tests.engine.test_lab import SEED_MACVLAN
from tests.engine.test_plan_diff import BASE

NETWRIGHT = str(ROOT / ".venv" / "bin" / "netwright")


def cli(*args: str, state_dir: Path, user: str | None = None) -> subprocess.CompletedProcess[str]:
    command = [NETWRIGHT, *args]
    if user:
        command = ["setpriv", f"--reuid={user}", "--regid=nogroup", "--clear-groups", *command]
    env = {**os.environ, "NETWRIGHT_STATE_DIR": str(state_dir)}
    return subprocess.run(command, capture_output=True, text=True, check=False, env=env,
                          stdin=subprocess.DEVNULL, cwd="/")


def test_plan_apply_status_destroy(tmp_path: Path, clean_host: Any) -> None:
    state = tmp_path / "state"
    topology = tmp_path / "diff.yaml"
    topology.write_text(BASE)
    plan = cli("plan", "--local", "--json", str(topology), state_dir=state)
    assert plan.returncode == 0, plan.stderr
    steps = json.loads(plan.stdout)["steps"]
    assert steps[0] == {"action": "create", "object": "d1", "text": "create namespace d1"}
    refused = cli("apply", "--local", str(topology), state_dir=state)
    assert refused.returncode == 2 and "add --yes" in refused.stderr
    assert "d1" not in netns_list()
    applied = cli("apply", "--local", "--yes", str(topology), state_dir=state)
    assert applied.returncode == 0, applied.stderr
    assert "applied" in applied.stdout and "d1" in netns_list()
    again = cli("plan", "--local", "--json", str(topology), state_dir=state)
    assert json.loads(again.stdout) == {"topology": "diff", "steps": []}
    status = cli("status", "--local", "diff", state_dir=state)
    assert status.returncode == 0 and "as designed" in status.stdout
    user = local_user()  # the source of the apply: this file, this user, this host
    assert f"  deployed from {topology} by {user} on " in status.stdout, status.stdout
    shown = cli("list", "--local", state_dir=state).stdout
    assert shown.startswith(f"diff  deployed from {topology} by {user} "), shown
    every = cli("status", "--local", state_dir=state)  # no name: every deployment
    assert every.returncode == 0 and every.stdout == status.stdout, every
    subprocess.run("ip -n d1 addr flush dev x1", shell=True, check=True)
    drifted = cli("status", "--local", "--json", str(topology), state_dir=state)
    assert drifted.returncode == 1
    every = cli("status", "--local", "--json", state_dir=state)
    assert every.returncode == 1, every
    assert json.loads(every.stdout) == {"target": "host",
                                        "statuses": {"diff": json.loads(drifted.stdout)}}
    assert {o["object"]: o["state"] for o in json.loads(drifted.stdout)["objects"]}["x1"] == \
        "drifted"
    listed = cli("list", "--local", "--json", state_dir=state)
    assert json.loads(listed.stdout)["deployments"] == ["diff"]
    # a name that is not deployed (the file's stem, a typo): the sentence says what is
    mistyped = cli("status", "--local", "dif", state_dir=state)
    assert mistyped.returncode == 1 and mistyped.stderr == (
        "netwright: topology dif is not deployed on this machine (deployed there: diff)\n"), \
        mistyped.stderr
    assert json.loads(listed.stdout)["sources"]["diff"]["file"] == str(topology)
    destroyed = cli("destroy", "--local", str(topology), state_dir=state)
    assert destroyed.returncode == 0, destroyed.stderr
    assert wait_for_no_orphans(clean_host) == clean_host
    gone = cli("destroy", "--local", "diff", state_dir=state)
    assert gone.returncode == 1 and "topology diff is not deployed on this machine" in gone.stderr


def test_lab_mode(tmp_path: Path, clean_host: Any) -> None:
    state = tmp_path / "state"
    topology = tmp_path / "seed.yaml"
    topology.write_text(SEED_MACVLAN)
    host_only = cli("plan", "--local", str(topology), state_dir=state)
    assert host_only.returncode == 1
    assert ("netwright: macvlan ipvlan1 and ipvlan2 are built on host NIC wlp2s0, which this"
            " machine does not have: put a NIC it has ('ip link') in place of wlp2s0, under"
            " host.nics and in each 'parent: wlp2s0', or try the design in the lab (--lab)"
            ) in host_only.stderr, host_only.stderr  # every child; the NIC's two places
    applied = cli("apply", "--local", "--lab", "--yes", "--json", str(topology), state_dir=state)
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["applied"] is True
    assert links("lab-net1")["ipvlan1"]["addrs"] == ["192.168.31.5/24"]
    destroyed = cli("destroy", "--local", "--lab", "seed", state_dir=state)
    assert "removed the lab host" in destroyed.stdout
    assert wait_for_no_orphans(clean_host) == clean_host


def test_clear_messages(tmp_path: Path, clean_host: Any) -> None:
    state = tmp_path / "state"
    topology = tmp_path / "diff.yaml"
    topology.write_text(BASE)
    topology.chmod(0o644)
    not_root = cli("apply", "--local", "--yes", str(topology), state_dir=state, user="nobody")
    assert not_root.returncode == 1
    assert "the engine needs root" in not_root.stderr
    # the way out is to drop --local, whatever else was given (it said "try it in the lab
    # with --lab" to an apply --local --lab, which needs root as much)
    in_lab = cli("apply", "--local", "--lab", "--yes", str(topology), state_dir=state,
                 user="nobody")
    assert in_lab.returncode == 1 and "drop --local so that netwrightd (or your lab, with" \
        " --lab) runs it" in in_lab.stderr and "try it in the lab" not in in_lab.stderr, in_lab
    for argv in (["status", "--local", "diff"], ["list", "--local"]):  # asking changes nothing
        asked = cli(*argv, state_dir=state, user="nobody")
        assert asked.returncode == 1 and "the engine needs root (it reads and changes" \
            in asked.stderr and "Traceback" not in asked.stderr, asked.stderr
    assert "Traceback" not in not_root.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("netwright: 1\nname: b\ninterfaces: {v: {kind: veth}}\n")
    invalid = cli("apply", "--local", "--yes", str(broken), state_dir=state)
    assert invalid.returncode == 1 and "veth v needs 'peer:'" in invalid.stderr
    assert invalid.stderr.startswith(f"netwright: {broken}:3:"), invalid.stderr  # file, line
    assert "Traceback" not in invalid.stderr


def test_destroying_a_file_never_deployed_says_there_was_nothing(tmp_path: Path,
                                                                 clean_host: Any) -> None:
    """`destroy --local FILE` of a design that is not deployed (and has left nothing: it
    also removes what a lost state file no longer lists) said "destroyed diff (0 step(s))"."""
    topology = tmp_path / "diff.yaml"
    topology.write_text(BASE)
    state = tmp_path / "state"
    done = cli("destroy", "--local", str(topology), state_dir=state)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ("nothing to destroy: diff is not deployed on this machine, and"
                           " nothing of it was found\n"), done.stdout
    assert cli("apply", "--local", "--yes", str(topology), state_dir=state).returncode == 0
    done = cli("destroy", "--local", str(topology), state_dir=state)
    assert done.returncode == 0 and done.stdout.startswith("destroyed diff ("), done.stdout


def _apply_interrupted_at_step_6(topology: Path, state: Path,
                                 more: str = "") -> subprocess.CompletedProcess[str]:
    """`netwright apply --local --yes TOPOLOGY` that sends itself SIGINT at step 6, as a
    user's Ctrl-C would (a fault hook); ``more``: Python run before the command, after the
    engine module is imported as ``e``."""
    env = {**os.environ, "NETWRIGHT_STATE_DIR": str(state)}
    # SIGINT's default action first: a shell's background job inherits it ignored
    code = ("import os, signal, sys\n"
            "signal.signal(signal.SIGINT, signal.default_int_handler)\n"
            "from netwright.backend.engine import engine as e\n"
            "orig = e.Engine.__init__\n"
            "def init(self, *a, **k):\n"
            "    orig(self, *a, **k)\n"
            "    self.fault = lambda i, s: i == 6 and os.kill(os.getpid(), signal.SIGINT)\n"
            "e.Engine.__init__ = init\n"
            f"{more}"
            "from netwright.backend.cli.main import main\n"
            "sys.exit(main(sys.argv[1:]))\n")
    return subprocess.run([str(ROOT / ".venv/bin/python"), "-c", code, "apply", "--local",
                           "--yes", str(topology)], env=env, capture_output=True, text=True,
                          cwd="/", timeout=120, check=False)


def test_ctrl_c_rolls_back_at_once(tmp_path: Path, clean_host: Any) -> None:
    """Ctrl-C in the middle of an apply: the command itself rolls back before it exits."""
    from tests.engine.test_rollback import MULTI

    topology = tmp_path / "rb.yaml"
    topology.write_text(MULTI)
    result = _apply_interrupted_at_step_6(topology, tmp_path / "state")
    assert result.returncode == 130, result.stderr
    assert result.stderr.endswith("netwright: interrupted; rolling back what was done\n"
                                  "netwright: rolled back the interrupted apply of rb: what"
                                  " it had changed is undone\n"), result.stderr
    assert wait_for_no_orphans(clean_host) == clean_host
    assert not list((tmp_path / "state").glob("*/*.journal"))
    assert not list((tmp_path / "state").glob("*/rb.json"))


def test_ctrl_c_twice_leaves_the_rollback_to_the_next_command_which_says_so(
        tmp_path: Path, clean_host: Any) -> None:
    """A second Ctrl-C stops the rollback of the first: the command says the rollback is
    half done, and the next command (here `status`) finishes it and says so, where it used
    to remove the half-built namespaces without a word."""
    from tests.engine.test_rollback import MULTI

    topology = tmp_path / "rb.yaml"
    topology.write_text(MULTI)
    state = tmp_path / "state"
    # and again as the rollback begins
    result = _apply_interrupted_at_step_6(topology, state, (
        "converge = e.Engine._converge\n"
        "async def again(self, *a, **k):\n"
        "    os.kill(os.getpid(), signal.SIGINT)\n"
        "    return await converge(self, *a, **k)\n"
        "e.Engine._converge = again\n"))
    assert result.returncode == 130, result.stderr
    assert result.stderr.endswith("netwright: interrupted again, so the rollback stopped"
                                  " half-way; the next netwright command (with --local)"
                                  " finishes it\n"), result.stderr
    assert "r1" in netns_list() and list(state.glob("*/rb.journal")), "nothing half-built?"
    status = cli("status", "--local", "rb", state_dir=state)
    assert status.returncode == 1 and status.stderr == (
        "netwright: rolled back the interrupted apply of rb: what it had changed is undone"
        " (an earlier command stopped half-way)\n"
        "netwright: topology rb is not deployed on this machine\n"), status.stderr
    assert wait_for_no_orphans(clean_host) == clean_host
    assert not list(state.glob("*/*.journal"))


def test_ctrl_c_at_the_apply_prompt_answers_no_at_once(tmp_path: Path,
                                                     clean_host: Any) -> None:
    """Ctrl-C at "Apply these changes? [y/N]": the prompt waits inside asyncio.run, whose
    SIGINT handler only cancels the command's task, so the first Ctrl-C was swallowed and
    the command went on waiting for an answer. It now ends at once, changing nothing."""
    from tests.tools.pty_prompt import interrupt_at_prompt

    topology = tmp_path / "diff.yaml"
    topology.write_text(BASE)
    env = {**os.environ, "NETWRIGHT_STATE_DIR": str(tmp_path / "state")}
    exited, seen = interrupt_at_prompt([NETWRIGHT, "apply", "--local", str(topology)],
                                       b"Apply these changes? [y/N]", env)
    assert exited == 130, seen
    assert seen.rstrip().endswith("nothing changed"), seen
    assert wait_for_no_orphans(clean_host) == clean_host


def test_progress_on_a_terminal(tmp_path: Path, clean_host: Any) -> None:
    """On a terminal, apply shows [done/total] progress; piped output has none."""
    import pty

    topology = tmp_path / "diff.yaml"
    topology.write_text(BASE)
    env = {**os.environ, "NETWRIGHT_STATE_DIR": str(tmp_path / "state")}
    master, slave = pty.openpty()
    child = subprocess.Popen([NETWRIGHT, "apply", "--local", "--yes", str(topology)],
                             stdin=slave, stdout=slave, stderr=slave, env=env, cwd="/")
    os.close(slave)
    seen = b""
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    os.close(master)
    assert child.wait(timeout=60) == 0
    text = seen.decode(errors="replace")
    shown = [(int(done), int(total)) for done, total in re.findall(r"\r\[(\d+)/(\d+)\] ", text)]
    assert shown, text
    assert shown[-1][0] == shown[-1][1] > 10, "the last line shows every step done"
    assert "applied" in text
    piped = cli("plan", "--local", str(topology), state_dir=tmp_path / "state")
    assert "\r[" not in piped.stderr
    destroyed = cli("destroy", "--local", str(topology), state_dir=tmp_path / "state")
    assert destroyed.returncode == 0, destroyed.stderr
    assert wait_for_no_orphans(clean_host) == clean_host  # nothing left for the next test


NOT_ROOT_CHECKED = """netwright: 1
name: nolocal
namespaces: {nl1: {}}
interfaces:
  nl1e: {kind: veth, peer: nl1h, namespace: nl1, name: eth0, addresses: [10.93.0.2/24]}
  nl1h: {kind: veth, peer: nl1e, addresses: [10.93.0.1/24]}
"""


def test_check_local_without_root_says_what_to_do(clean_host: Any) -> None:
    """A designed `check --local` as a user who may not enter namespaces: a sentence naming
    the ways that work, not the kernel's bare EPERM."""
    import shutil
    import tempfile

    place = Path(tempfile.mkdtemp(prefix="nw-check-local-"))
    try:
        place.chmod(0o755)  # the other user reads the deployment record, as a user could
        state = place / "state"
        topology = place / "nolocal.yaml"
        topology.write_text(NOT_ROOT_CHECKED)
        applied = cli("apply", "--local", "--yes", str(topology), state_dir=state)
        assert applied.returncode == 0, applied.stderr
        try:
            subprocess.run(["chmod", "-R", "a+rX", str(state)], check=True)
            checked = cli("check", "--local", "nolocal", state_dir=state, user="nobody")
            explained = cli("explain", "--deployed", "--local", "nolocal", state_dir=state,
                            user="nobody")
        finally:
            cli("destroy", "--local", "nolocal", state_dir=state)
        assert checked.returncode == 1, checked
        assert "Operation not permitted: --local probes from this process" in checked.stderr
        assert "drop --local so that netwrightd (or the lab, --lab) runs the check, or run it" \
            " as root" in checked.stderr
        assert "Traceback" not in checked.stderr
        assert explained.returncode == 1, explained
        assert "--local reads the kernel from this process" in explained.stderr
        assert "runs the explanation, or run it as root" in explained.stderr
    finally:
        shutil.rmtree(place)
    assert wait_for_no_orphans(clean_host) == clean_host


def test_list_with_nothing_deployed_says_so(tmp_path: Path) -> None:
    """Not an empty screen: a sentence on standard error (a script reading names gets none)."""
    empty = cli("list", "--local", state_dir=tmp_path / "state")
    assert empty.returncode == 0, empty.stderr
    assert empty.stdout == ""
    assert empty.stderr == "netwright: no topology is deployed on this machine\n"
    listed = cli("list", "--local", "--json", state_dir=tmp_path / "state")
    assert json.loads(listed.stdout)["deployments"] == [] and listed.stderr == ""


FORWARD = Path("/proc/sys/net/ipv4/ip_forward")
FORWARDING_ONLY = "netwright: 1\nname: {name}\nhost: {{forwarding: {{ipv4: true}}}}\n"


@pytest.fixture
def uplink_default_route() -> Iterator[None]:
    """The host's default route over a veth (fwup0), so that the host's forwarding is a
    change on trial; the machine's forwarding is put back afterwards."""
    before = FORWARD.read_text()
    subprocess.run("ip link add fwup0 type veth peer name fwup1 && ip link set fwup0 up &&"
                   " ip link set fwup1 up && ip addr add 192.0.2.2/24 dev fwup0 &&"
                   " ip route add default via 192.0.2.1", shell=True, check=True)
    try:
        yield
    finally:
        subprocess.run("ip link del fwup0", shell=True, check=False)
        FORWARD.write_text(before)


@pytest.mark.usefixtures("uplink_default_route", "clean_host")
def test_an_empty_plan_is_applied_and_recorded_like_any_other(tmp_path: Path) -> None:
    """A design that only owns the host's forwarding, applied while the kernel already
    forwards: nothing to change, yet it is recorded (with --json too) and --yes is the
    confirmation, not refused with 'Confirm to go ahead'."""
    state = tmp_path / "state"
    FORWARD.write_text("1")
    design = tmp_path / "fw.yaml"
    design.write_text(FORWARDING_ONLY.format(name="fwonly"))
    applied = cli("apply", "--local", "--yes", "--json", str(design), state_dir=state)
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["applied"] is True
    listed = json.loads(cli("list", "--local", "--json", state_dir=state).stdout)
    assert listed["deployments"] == ["fwonly"]
    assert cli("confirm", "--local", "fwonly", state_dir=state).returncode == 0
    assert cli("destroy", "--local", "fwonly", state_dir=state).returncode == 0


@pytest.mark.usefixtures("uplink_default_route", "clean_host")
def test_a_trial_that_ran_out_is_restored_by_the_next_command_which_says_so(
        tmp_path: Path) -> None:
    """With --local nobody else restores it: the next netwright command does, and tells."""
    from netwright.backend.engine import trial

    state = tmp_path / "state"
    FORWARD.write_text("0")
    design = tmp_path / "fw.yaml"
    design.write_text(FORWARDING_ONLY.format(name="fwtrial"))
    applied = cli("apply", "--local", "--yes", str(design), state_dir=state)
    assert applied.returncode == 0, applied.stderr
    assert FORWARD.read_text().strip() == "1"
    path = next(state.rglob("fwtrial*.trial"))
    held = trial.load(path)
    assert held is not None
    trial.save(path, trial.Trial(held.name, held.deadline - 3600, held.reason,  # ended
                                 held.checkpoint, held.previous, held.previous_source))
    listed = cli("list", "--local", state_dir=state)
    # a first apply: nothing was deployed before, so it is removed, not "restored"
    assert re.search(r"netwright: removed fwtrial: it was not confirmed in time; nothing of it"
                     r" was deployed before, so what its apply had made is undone \(\d+ steps?\)",
                     listed.stderr), listed.stderr
    assert "restored the previous configuration" not in listed.stderr, listed.stderr
    assert FORWARD.read_text().strip() == "0"
    assert "fwtrial" not in listed.stdout


@pytest.mark.usefixtures("uplink_default_route", "clean_host")
def test_no_to_keeping_a_first_apply_says_it_was_removed(tmp_path: Path) -> None:
    """Ctrl+C at "Keep this configuration?" is "no": a first apply has no previous
    configuration to restore, so the command says it removed the topology."""
    from tests.tools.pty_prompt import interrupt_at_prompt

    FORWARD.write_text("0")
    design = tmp_path / "fw.yaml"
    design.write_text(FORWARDING_ONLY.format(name="fwfirst"))
    env = {**os.environ, "NETWRIGHT_STATE_DIR": str(tmp_path / "state")}
    exited, seen = interrupt_at_prompt([NETWRIGHT, "apply", "--local", "--yes", str(design)],
                                       b"Keep this configuration?", env)
    assert exited == 1, seen
    assert re.search(r"Keep this configuration\? \[y/N\] \(removing it in \d+ s\)", seen), seen
    assert re.search(r"removed fwfirst; nothing of it was deployed before, so what its apply"
                     r" had made is undone \(\d+ steps?, [\d.]+ s\)", seen), seen
    assert "restored the previous configuration" not in seen, seen
    assert FORWARD.read_text().strip() == "0"


@pytest.mark.usefixtures("uplink_default_route", "clean_host")
def test_destroy_during_a_trial_says_the_trial_ended(tmp_path: Path) -> None:
    """destroy ends a pending trial (nothing comes back at its deadline): it says so."""
    state = tmp_path / "state"
    FORWARD.write_text("0")
    design = tmp_path / "fw.yaml"
    design.write_text(FORWARDING_ONLY.format(name="fwgone"))
    applied = cli("apply", "--local", "--yes", str(design), state_dir=state)
    assert applied.returncode == 0, applied.stderr
    # a first apply: not kept, it is removed (there is no previous configuration)
    assert applied.stderr.rstrip().endswith("to keep it, else it is removed (nothing of it was"
                                            " deployed before)"), applied.stderr
    destroyed = cli("destroy", "--local", "fwgone", state_dir=state)
    assert destroyed.returncode == 0, destroyed.stderr
    assert "  * the change of fwgone that was on trial ended with it: nothing is restored at" \
        " the deadline" in destroyed.stdout, destroyed.stdout
    shown = json.loads(cli("destroy", "--local", "--json", str(design), state_dir=state).stdout)
    assert not any("on trial" in note for note in shown.get("notes", [])), shown
    assert not list(state.rglob("*.trial"))


@pytest.mark.usefixtures("uplink_default_route", "clean_host")
def test_reverting_a_first_apply_says_it_was_removed(tmp_path: Path) -> None:
    """`netwright revert NAME` of an apply on trial that deployed NAME for the first time:
    there is no previous configuration to restore, so it says it removed NAME (--json:
    "removed"), not "restored the previous configuration"."""
    state = tmp_path / "state"
    FORWARD.write_text("0")
    design = tmp_path / "fw.yaml"
    design.write_text(FORWARDING_ONLY.format(name="fwrevert"))
    for as_json in (False, True):
        applied = cli("apply", "--local", "--yes", str(design), state_dir=state)
        assert applied.returncode == 0, applied.stderr
        assert FORWARD.read_text().strip() == "1"
        reverted = cli("revert", "--local", *(["--json"] if as_json else []), "fwrevert",
                       state_dir=state)
        assert reverted.returncode == 0, reverted.stderr
        assert FORWARD.read_text().strip() == "0"
        if as_json:
            said = json.loads(reverted.stdout)
            assert said["restored"] is True and said["removed"] is True, said
            continue
        assert re.search(r"^removed fwrevert; nothing of it was deployed before, so what its"
                         r" apply had made is undone \(\d+ steps?, [\d.]+ s\)$",
                         reverted.stdout.strip()), reverted.stdout
        assert "restored the previous configuration" not in reverted.stdout


def test_local_reads_without_root_are_sentences(tmp_path: Path, clean_host: Any) -> None:
    """check, explain --deployed and measure --local need the records (mode 0700) and the
    namespaces; import --local needs the namespaces: as an ordinary user each says so and
    what works instead, where check and measure showed a PermissionError's traceback and
    import wrote a host without its namespaces."""
    state = tmp_path / "state"
    topology = tmp_path / "diff.yaml"
    topology.write_text(BASE)
    assert cli("apply", "--local", "--yes", str(topology), state_dir=state).returncode == 0
    try:
        for argv in (["check", "--local", "diff"], ["explain", "--deployed", "--local", "diff"],
                     ["measure", "--local", "diff", "d1", "d2"], ["import", "--local"]):
            done = cli(*argv, state_dir=state, user="nobody")
            assert done.returncode == 1, (argv, done.stdout, done.stderr)
            assert "Traceback" not in done.stderr and done.stdout == "", (argv, done.stderr)
            assert "drop --local" in done.stderr and "root" in done.stderr, (argv, done.stderr)
    finally:
        assert cli("destroy", "--local", "diff", state_dir=state).returncode == 0


def test_plan_and_apply_show_the_designs_warnings_before_asking(tmp_path: Path,
                                                                clean_host: Any) -> None:
    """A user who skipped validate reads the VNI mismatch before the [y/N] (or --yes)."""
    from tests.service.test_plan_warnings import VNI_MISMATCH

    state = tmp_path / "state"
    topology = tmp_path / "vx.yaml"
    topology.write_text(VNI_MISMATCH)
    said = f"  ! {topology}:7:44: warning vxlan-vni-mismatch: u1-vx sends VNI 42"
    planned = cli("plan", "--local", str(topology), state_dir=state)
    assert planned.returncode == 0 and said in planned.stdout, planned
    refused = cli("apply", "--local", str(topology), state_dir=state)  # no terminal to ask
    assert refused.returncode == 2 and said in refused.stdout, refused
    applied = cli("apply", "--local", "--yes", "--json", str(topology), state_dir=state)
    assert applied.returncode == 0, applied.stderr
    warning = json.loads(applied.stdout)["warnings"][0]
    assert (warning["code"], warning["file"], warning["line"]) == \
        ("vxlan-vni-mismatch", str(topology), 7)
    destroyed = cli("destroy", "--local", "vx", state_dir=state)
    assert destroyed.returncode == 0, destroyed.stderr
    assert wait_for_no_orphans(clean_host) == clean_host


def test_plan_reads_the_design_from_standard_input(tmp_path: Path, clean_host: Any) -> None:
    from tests.service.test_plan_warnings import VNI_MISMATCH

    planned = subprocess.run([NETWRIGHT, "plan", "--local", "-"], input=VNI_MISMATCH,
                             capture_output=True, text=True, check=False, cwd="/",
                             env={**os.environ, "NETWRIGHT_STATE_DIR": str(tmp_path)})
    assert planned.returncode == 0, planned.stderr
    assert planned.stdout.startswith("vx: 11 steps\n")
    assert "  ! <stdin>:7:44: warning vxlan-vni-mismatch: " in planned.stdout


def test_dhcp_renew_and_leases_agree_on_a_design_without_dhcp(tmp_path: Path,
                                                               clean_host: Any) -> None:
    """Nothing to renew is nothing wrong: renew exits 0 and says so, as leases does."""
    state = tmp_path / "state"
    topology = tmp_path / "nodhcp.yaml"
    topology.write_text("netwright: 1\nname: nodhcp\nnamespaces: {d9: {}}\n")
    assert cli("apply", "--local", "--yes", str(topology), state_dir=state).returncode == 0
    try:
        leases = cli("dhcp", "leases", "--local", "nodhcp", state_dir=state)
        renewed = cli("dhcp", "renew", "--local", "nodhcp", state_dir=state)
        as_json = cli("dhcp", "renew", "--local", "--json", "nodhcp", state_dir=state)
    finally:
        cli("destroy", "--local", "nodhcp", state_dir=state)
    assert leases.returncode == 0, leases
    assert (renewed.returncode, renewed.stdout) == (
        0, "nodhcp: no interface gets its address from DHCP: nothing to renew\n"), renewed
    assert as_json.returncode == 0 and json.loads(as_json.stdout)["asked"] == 0
