"""netwrightd's systemd sandbox, reproduced where systemd does not run (these machines).

The unit's CapabilityBoundingSet and NoNewPrivileges become setpriv's bounding set and
no_new_privs; ProtectSystem=strict becomes a read-only bind of / in a private mount namespace
with the unit's writable paths (/run/netns, the state directory) left writable. Under exactly
that, the engine applies, checks and destroys the seed on the lab host — and without one of
the three capabilities it cannot, so none of them is there for nothing.
"""

from __future__ import annotations

import configparser
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

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
