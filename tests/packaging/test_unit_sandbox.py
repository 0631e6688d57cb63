"""netwrightd's systemd sandbox, reproduced where systemd does not run (these machines).

The unit's CapabilityBoundingSet and NoNewPrivileges become setpriv's bounding set and
no_new_privs; ProtectSystem=strict becomes a read-only bind of / in a private mount namespace
with the unit's writable paths (/run/netns, the state directory) left writable. Under exactly
that, the engine applies, checks and destroys the seed on the lab host — and without one of
the first three capabilities it cannot, so none of them is there for nothing. The
topology-reading helper becomes nobody under the same bounding set, and without CAP_SETUID
or CAP_SETGID it reads nothing, and says why.
"""

from __future__ import annotations

import configparser
import pwd
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from netwright.backend.service.parse_wire import HEADER, decode, frame, frame_size

REPO = Path(__file__).parents[2]
UNIT = REPO / "packaging" / "systemd" / "netwrightd.service"
SEED = REPO / "tests" / "service" / "data" / "seed-macvlan.yaml"
NETWRIGHT = str(Path(sys.executable).with_name("netwright"))

pytestmark = pytest.mark.root

SANDBOX = """
set -e
state=$2
mount -t tmpfs -o mode=0700 netwright-state "$state"
mount -o remount,bind,ro /
if touch /usr/netwright-sandbox-probe 2>/dev/null; then echo "/ is writable"; exit 99; fi
caps=$1; shift 2
run() {{ setpriv --bounding-set=-all,$caps --inh-caps=-all {nnp} -- "$@" --state-dir "$state"; }}
{body}
"""


def unit_service() -> configparser.SectionProxy:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(UNIT)
    return unit["Service"]


def bounding_set() -> list[str]:
    return [cap.lower().removeprefix("cap_") for cap in
            unit_service()["CapabilityBoundingSet"].split()]


def sandboxed(caps: list[str], body: str) -> subprocess.CompletedProcess[str]:
    nnp = "--no-new-privs" if unit_service()["NoNewPrivileges"] == "yes" else ""
    script = SANDBOX.format(nnp=nnp, body=body)
    # the state's mount point is made and removed out here: inside, / is read-only to the end
    with tempfile.TemporaryDirectory(prefix="netwright-sandbox-state.") as state:
        return subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "sh", "-c", script, "sandbox",
             ",".join(f"+{cap}" for cap in caps), state],
            capture_output=True, text=True, check=False, timeout=300,
        )


def test_the_seed_applies_checks_and_destroys_inside_the_unit_sandbox() -> None:
    body = f"""
run {NETWRIGHT} apply --local --lab --yes {SEED}
run {NETWRIGHT} check --local --lab --json seed > "$state/check.json"
cat "$state/check.json"
run {NETWRIGHT} destroy --local --lab seed
ls /run/netns
"""
    result = sandboxed(bounding_set(), body)
    assert result.returncode == 0, result.stdout + result.stderr
    assert '"match": false' not in result.stdout and '"match": true' in result.stdout
    assert "lab-net1" not in result.stdout.split("]")[-1]  # `ls /run/netns` after destroy


@pytest.mark.parametrize("missing", ["net_admin", "sys_admin"])
def test_each_capability_is_needed(missing: str) -> None:
    caps = [cap for cap in bounding_set() if cap != missing]
    result = sandboxed(caps, f"run {NETWRIGHT} apply --local --lab --yes {SEED}")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr


def helper_under(caps: list[str]) -> tuple[subprocess.CompletedProcess[bytes], str]:
    """The reading helper run with bounding set ``caps`` and no_new_privs, asked to validate
    the seed: its run, and its Uid line while it still ran ("" if it had ended)."""
    command = ["setpriv", f"--bounding-set=-all,{','.join(f'+{cap}' for cap in caps)}",
               "--inh-caps=-all", "--no-new-privs", "--",
               sys.executable, "-m", "netwright.backend.service.parser"]
    with subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.PIPE) as helper:
        assert helper.stdin is not None and helper.stdout is not None
        uid = ""
        try:
            helper.stdin.write(frame(["validate", SEED.read_text(), 4.0]))
            helper.stdin.flush()
            header = helper.stdout.read(HEADER)
            if header:
                answer = helper.stdout.read(frame_size(header))
                uid = Path(f"/proc/{helper.pid}/status").read_text().split("Uid:")[1]
                assert decode(answer)[0] == "ok"
        except BrokenPipeError:  # it ended before reading
            pass
        stdout, stderr = helper.communicate(timeout=60)
    return subprocess.CompletedProcess(command, helper.returncode, stdout, stderr), uid


def test_the_reading_helper_becomes_nobody_inside_the_unit_sandbox() -> None:
    run, uid = helper_under(bounding_set())
    assert run.returncode == 0, run.stderr
    assert uid.split()[:4] == [str(pwd.getpwnam("nobody").pw_uid)] * 4


@pytest.mark.parametrize("missing", ["setuid", "setgid"])
def test_the_reading_helper_reads_nothing_as_root_without(missing: str) -> None:
    run, uid = helper_under([cap for cap in bounding_set() if cap != missing])
    assert run.returncode == 2 and not uid and not run.stdout
    assert b"could not become user 'nobody'" in run.stderr, run.stderr
    assert b"Traceback" not in run.stderr
