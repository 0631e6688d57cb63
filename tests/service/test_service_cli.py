"""The command line through a backend, as an ordinary user: no root, polkit or the lab decide."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from svc_bus import start_system_bus
from svc_cli import NETWRIGHT, as_user
from svc_daemon import PYTHON
from svc_lab import PrivateLab
from svc_polkit import USER_ALLOWED, USER_DENIED

SEED_FILE = Path(__file__).parent / "data" / "seed-macvlan.yaml"

VIA_SERVICE = """
import argparse, sys
from netwright.backend.cli.via_backend import run_via_service
from netwright.backend.topology.problems import NetwrightError
command, subject, lab = sys.argv[1], sys.argv[2] or None, sys.argv[3] == "lab"
args = argparse.Namespace(command=command, subject=subject, json=True, yes=True, lab=lab)
try:
    sys.exit(run_via_service(args))
except NetwrightError as exc:
    print(f"netwright: {exc}", file=sys.stderr)
    sys.exit(1)
"""


def via_service(user: str, command: str, subject: str, address: str, lab: bool = False):
    return as_user(user, [PYTHON, "-c", VIA_SERVICE, command, subject,
                          "lab" if lab else "system"], address)


def test_apply_status_destroy_through_the_system_backend(running, host, system_bus) -> None:
    """This netwrightd manages the lab host (--target lab): the CLI names that target, not
    this machine, although it reached a system backend (it said "no topology is deployed on
    this machine" and "target": "host")."""
    empty = as_user(USER_ALLOWED, [NETWRIGHT, "status"], system_bus)
    assert (empty.returncode, empty.stdout, empty.stderr) == (
        0, "", "netwright: no topology is deployed on the lab host\n"), empty
    assert as_user(USER_ALLOWED, [NETWRIGHT, "list"], system_bus).stderr == empty.stderr
    applied = via_service(USER_ALLOWED, "apply", str(SEED_FILE), system_bus)
    assert applied.returncode == 0, applied.stderr
    assert json.loads(applied.stdout)["applied"] is True
    assert host.links("lab-net1")["mv1"]["addresses"] == ["192.168.31.5/24"]
    status = via_service(USER_ALLOWED, "status", "seed", system_bus)
    assert status.returncode == 0 and json.loads(status.stdout)["ok"] is True, status
    source = json.loads(status.stdout)["source"]  # the CLI sent the file's absolute path
    assert (source["file"], source["user"]) == (str(SEED_FILE), USER_ALLOWED), source
    listed = json.loads(via_service(USER_ALLOWED, "list", "-", system_bus).stdout)
    assert (listed["deployments"], listed["target"]) == (["seed"], "lab"), listed
    every = via_service(USER_ALLOWED, "status", "", system_bus)  # no name: every deployment
    assert every.returncode == 0, every
    assert json.loads(every.stdout) == {"target": "lab",
                                        "statuses": {"seed": json.loads(status.stdout)}}
    assert listed["sources"]["seed"] == source
    unknown = via_service(USER_ALLOWED, "status", "nosuch", system_bus)
    assert unknown.returncode == 1 and "nosuch is not deployed" in unknown.stderr, unknown
    refused = via_service(USER_DENIED, "destroy", "seed", system_bus)
    assert refused.returncode == 1 and "not authorized" in refused.stderr, refused
    destroyed = via_service(USER_ALLOWED, "destroy", str(SEED_FILE), system_bus)
    assert destroyed.returncode == 0, destroyed.stderr
    assert "lab-net1" not in host.netns()


def test_an_invalid_file_comes_back_with_its_line_and_column(running, host, system_bus) -> None:
    """The CLI sends the text unvalidated; the backend's problems are placed in the file."""
    with tempfile.TemporaryDirectory() as directory:
        Path(directory).chmod(0o755)
        bad = Path(directory) / "bad.yaml"
        bad.write_text("netwright: 1\nname: t\ninterfaces:\n  br0: {kind: bridge, name: 'br/0'}\n")
        bad.chmod(0o644)
        refused = via_service(USER_ALLOWED, "apply", str(bad), system_bus)
        planned = via_service(USER_ALLOWED, "plan", str(bad), system_bus)  # one blocking call
        missing = via_service(USER_ALLOWED, "plan", f"{directory}/none.yaml", system_bus)
    assert refused.returncode == 1, refused
    assert refused.stderr.startswith(f"netwright: {bad}:4:29: error invalid-name: interface name"
                                     " 'br/0' contains '/'"), refused.stderr
    assert planned.returncode == 1 and planned.stderr == refused.stderr, planned
    assert "lab-t" not in " ".join(host.netns())
    assert missing.returncode == 1
    assert missing.stderr == (f"netwright: {directory}/none.yaml: error unreadable: cannot"
                              " read the file: No such file or directory\n")


def test_without_a_system_backend_the_lab_is_used(users) -> None:
    lab = PrivateLab(USER_ALLOWED)  # this test's own lab: /tmp is shared with other runs
    try:
        applied = as_user(USER_ALLOWED, [PYTHON, "-c", VIA_SERVICE, "apply", str(SEED_FILE),
                                         "system"], env=lab.env)
        assert applied.returncode == 0, applied.stderr
        listed = as_user(USER_ALLOWED, [PYTHON, "-c", VIA_SERVICE, "list", "-", "system"],
                         env=lab.env)
        listed_json = json.loads(listed.stdout)
        assert (listed_json["deployments"], listed_json["target"]) == (["seed"], "lab")
        source = listed_json["sources"]["seed"]  # the lab knows its caller too
        assert (source["file"], source["user"]) == (str(SEED_FILE), USER_ALLOWED), source
    finally:
        lab.close()


def test_lab_start_status_stop_commands(users) -> None:
    lab = PrivateLab(USER_ALLOWED)
    try:
        stopped = as_user(USER_ALLOWED, [NETWRIGHT, "lab", "status"], env=lab.env)
        assert stopped.returncode == 1 and "no lab is running" in stopped.stdout, stopped
        started = as_user(USER_ALLOWED, [NETWRIGHT, "lab", "start"], env=lab.env)
        assert started.returncode == 0, started.stderr
        pid = lab.pid()
        assert pid is not None
        status = as_user(USER_ALLOWED, [NETWRIGHT, "lab", "status"], env=lab.env)
        assert status.returncode == 0 and f"pid {pid}" in status.stdout, status
        assert as_user(USER_ALLOWED, [NETWRIGHT, "lab", "stop"], env=lab.env).returncode == 0
        assert not Path(f"/proc/{pid}").exists()
    finally:
        lab.close()


def test_the_cli_applies_checks_and_destroys_as_an_ordinary_user(running, host, system_bus) -> None:
    """`netwright apply`, `check` and `destroy` with no --local: netwrightd does the work."""
    applied = as_user(USER_ALLOWED, [NETWRIGHT, "apply", "--yes", str(SEED_FILE)], system_bus)
    assert applied.returncode == 0, applied.stderr
    try:
        checked = as_user(USER_ALLOWED, [NETWRIGHT, "check", "--json", "seed"], system_bus)
        assert checked.returncode == 0, checked.stderr
        pairs = {(p["source"], p["target"]): p for p in json.loads(checked.stdout)["pairs"]}
        assert pairs[("net1", "192.168.31.6")]["observed"]["verdict"] == "reachable"
        parent = pairs[("net1", "192.168.31.240")]
        assert parent["predicted"]["verdict"] == parent["observed"]["verdict"] == "unreachable"
        assert all(p["match"] for p in pairs.values())
        shown = as_user(USER_ALLOWED, [NETWRIGHT, "check", "seed"], system_bus)
        assert shown.returncode == 0 and "net1" in shown.stdout and "✗" in shown.stdout
        denied = as_user(USER_DENIED, [NETWRIGHT, "destroy", "seed"], system_bus)
        assert denied.returncode == 1 and "not authorized" in denied.stderr
    finally:
        destroyed = as_user(USER_ALLOWED, [NETWRIGHT, "destroy", "seed"], system_bus)
    assert destroyed.returncode == 0, destroyed.stderr
    assert "lab-net1" not in host.netns()


def test_a_bus_without_netwrightd_sends_every_command_to_the_lab(users) -> None:
    """The blocking calls find nobody on the system bus (ServiceUnknown): a destroy, which
    asks for work at once, is then asked of the lab, as list and apply are."""
    with tempfile.TemporaryDirectory() as directory:
        run_dir = Path(directory)
        run_dir.chmod(0o755)
        bus, address = start_system_bus(run_dir)
        lab = PrivateLab(USER_ALLOWED)
        try:
            applied = as_user(USER_ALLOWED, [NETWRIGHT, "apply", "--yes", str(SEED_FILE)],
                              address, env=lab.env)
            assert applied.returncode == 0, applied.stderr
            assert "using the lab backend" in applied.stderr
            for command in (["measure", "seed", "net1", "nowhere"],  # measure and adopt say
                            ["adopt", "--yes", "seed", "nothing"]):  # it too (they failed)
                said = as_user(USER_ALLOWED, [NETWRIGHT, *command], address, env=lab.env)
                assert said.returncode == 1 and "using the lab backend" in said.stderr, said
            destroyed = as_user(USER_ALLOWED, [NETWRIGHT, "destroy", "seed"], address,
                                env=lab.env)
            assert destroyed.returncode == 0, destroyed.stderr
            assert "using the lab backend" in destroyed.stderr
        finally:
            lab.close()
            bus.stop()


def test_plan_and_apply_through_netwrightd_show_the_designs_warnings(running, host,
                                                                     system_bus) -> None:
    """netwrightd's reader places the warnings; the CLI names its file and shows them before
    applying, with --yes too, and in the JSON."""
    from test_plan_warnings import VNI_MISMATCH

    with tempfile.TemporaryDirectory() as directory:
        Path(directory).chmod(0o755)
        design = Path(directory) / "vx.yaml"
        design.write_text(VNI_MISMATCH)
        design.chmod(0o644)
        planned = as_user(USER_ALLOWED, [NETWRIGHT, "plan", str(design)], system_bus)
        applied = as_user(USER_ALLOWED, [NETWRIGHT, "apply", "--yes", str(design)], system_bus)
        as_json = as_user(USER_ALLOWED, [NETWRIGHT, "plan", "--json", str(design)], system_bus)
        destroyed = as_user(USER_ALLOWED, [NETWRIGHT, "destroy", "vx"], system_bus)
    said = f"  ! {design}:7:44: warning vxlan-vni-mismatch: u1-vx sends VNI 42"
    assert planned.returncode == 0 and said in planned.stdout, planned
    assert applied.returncode == 0 and said in applied.stdout.split("applied ")[0], applied
    warning = json.loads(as_json.stdout)["warnings"][0]
    assert (warning["code"], warning["file"], warning["line"], warning["column"]) == \
        ("vxlan-vni-mismatch", str(design), 7, 44)
    assert destroyed.returncode == 0, destroyed.stderr
