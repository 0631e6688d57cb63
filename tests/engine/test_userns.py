"""The whole engine works as "root" of an unprivileged user + net + mount namespace."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.engine.conftest import PYTHON
from tests.engine.test_lab import SEED_MACVLAN

CHILD = str(Path(__file__).with_name("userns_child.py"))


@pytest.fixture
def shared_dir() -> Iterator[Path]:
    """A directory the unprivileged user can use (pytest's tmp_path is private to root)."""
    path = Path(tempfile.mkdtemp(prefix="netwright-userns-"))
    os.chmod(path, 0o777)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_lab_in_an_unprivileged_user_namespace(shared_dir: Path) -> None:
    tmp_path = shared_dir
    seed = tmp_path / "seed.yaml"
    seed.write_text(SEED_MACVLAN)
    seed.chmod(0o644)
    state = tmp_path / "state"
    script = (f"mount -t tmpfs -o mode=0755 nwlab /run/netns && ip link set lo up &&"
              f" exec {PYTHON} {CHILD} {state} {seed}")
    result = subprocess.run(
        ["setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups",
         "unshare", "--user", "--map-root-user", "--net", "--mount", "sh", "-c", script],
        capture_output=True, text=True, check=False, cwd="/", timeout=120)
    if "Operation not permitted" in result.stderr and "unshare" in result.stderr:
        pytest.fail(f"unprivileged user namespaces are disabled here: {result.stderr}")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["netns"] == ["lab-net1", "lab-net2", "nwlab-host", "nwlab-outside",
                               "nwlab-router"]
    assert report["child_to_child"] and report["child_to_gateway"]
    assert report["host_to_outside"]
    assert report["second_plan_empty"] and report["status_ok"]
    assert report["after_destroy"] == []
