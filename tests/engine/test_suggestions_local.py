"""A suggested command carries --local and --state-dir when the user gave them: pasted
without them it asked netwrightd (or the lab) about a deployment recorded elsewhere."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

from tests.engine.test_cli import cli

MAKER = "netwright: 1\nname: maker\nnamespaces: {c1: {}}\n"
TAKER = "netwright: 1\nname: taker\nnamespaces: {c1: {}}\n"


def test_a_suggested_destroy_carries_local_and_the_state_dir(tmp_path: Path,
                                                             clean_host: Any) -> None:
    state = tmp_path / "my state"  # a space: the suggestion quotes it
    elsewhere = tmp_path / "unused"  # NETWRIGHT_STATE_DIR: the flag must win when pasted
    (tmp_path / "maker.yaml").write_text(MAKER)
    (tmp_path / "taker.yaml").write_text(TAKER)
    flags = ("--local", "--state-dir", str(state))
    assert cli("apply", *flags, "--yes", str(tmp_path / "maker.yaml"),
               state_dir=elsewhere).returncode == 0
    refused = cli("plan", *flags, str(tmp_path / "taker.yaml"), state_dir=elsewhere)
    assert refused.returncode == 1
    suggested = re.search(r"\((netwright destroy [^)]*)\)", refused.stderr)
    assert suggested is not None, refused.stderr
    assert suggested.group(1) == f'netwright destroy --local --state-dir "{state}" maker'
    pasted = cli(*shlex.split(suggested.group(1))[1:], "--yes", state_dir=elsewhere)
    assert pasted.returncode == 0 and "destroyed maker" in pasted.stdout, pasted.stderr
