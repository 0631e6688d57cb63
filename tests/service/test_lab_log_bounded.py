"""The lab's log stays bounded: every apply step is a line of lab.log, which nothing trimmed
(5,400 lines for one 900-namespace apply). Above a size it becomes lab.log.1 and a new
lab.log begins, so the latest lines (those `lab status` and a failed start point to) are in
lab.log and the ones before them in lab.log.1. A real lab of a test user, a small limit."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from svc_cli import NETWRIGHT, as_user
from svc_lab import PrivateLab
from svc_polkit import USER_ALLOWED

LIMIT = 4096
SLACK = 1024  # the record that takes the file over the limit is written whole
NAMESPACES = ", ".join(f"n{i}: {{}}" for i in range(12))
MANY = f"netwright: 1\nname: many\nnamespaces: {{{NAMESPACES}}}\n"


@pytest.fixture
def lab(users: dict[str, str]) -> Iterator[PrivateLab]:
    private = PrivateLab(USER_ALLOWED)
    private.env["NETWRIGHT_LAB_LOG_BYTES"] = str(LIMIT)
    yield private
    private.close()


def test_the_lab_log_is_rotated_at_its_size(lab: PrivateLab) -> None:
    def netwright(*argv: str) -> Any:
        answer = as_user(lab.user, [NETWRIGHT, *argv], env=lab.env)
        assert answer.returncode == 0, answer.stderr
        return answer

    design = lab.runtime / "many.yaml"
    design.write_text(MANY)
    design.chmod(0o644)
    log, previous = lab.directory / "lab.log", lab.directory / "lab.log.1"
    for _ in range(4):
        netwright("apply", "--lab", "--yes", str(design))
        netwright("destroy", "--lab", "--yes", "many")
    assert previous.exists(), log.read_text()
    assert log.stat().st_size <= LIMIT + SLACK and previous.stat().st_size <= LIMIT + SLACK
    latest = log.read_text().splitlines()
    assert latest[-1].endswith("done"), latest[-3:]  # the last job's last line
    assert all("netwrightd[" in line for line in latest)  # whole lines, none cut
    # a log left big by earlier labs is rotated when the next lab starts
    netwright("lab", "stop")
    with log.open("a") as grown:
        grown.write("netwrightd: an earlier lab's line\n" * 200)
    netwright("lab", "start")
    assert "an earlier lab's line" in previous.read_text()
    assert "an earlier lab's line" not in log.read_text()
    assert "serving" in log.read_text()
    status = netwright("lab", "status")
    assert "running" in status.stdout, status.stdout


def test_a_lab_on_a_terminal_rotates_nothing(tmp_path: Path) -> None:
    """Standard error that is not the lab's log (``netwrightd --lab`` run by hand): no file
    is renamed, whatever its size."""
    log = tmp_path / "lab.log"
    log.write_text("x" * (LIMIT * 2))
    script = ("import logging, sys\n"
              "from pathlib import Path\n"
              "from netwright.backend.service.lab_log import bound_lab_log\n"
              "logging.basicConfig(stream=sys.stderr)\n"
              "bound_lab_log(Path(sys.argv[1]))\n"
              "logging.warning('a line')\n")
    env = {**os.environ, "NETWRIGHT_LAB_LOG_BYTES": str(LIMIT)}
    ran = subprocess.run([sys.executable, "-c", script, str(log)], capture_output=True,
                         text=True, env=env, check=True)
    assert "a line" in ran.stderr
    assert log.stat().st_size == LIMIT * 2 and not (tmp_path / "lab.log.1").exists()
