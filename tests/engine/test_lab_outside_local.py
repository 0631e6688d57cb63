"""``check --local --lab`` refuses an outside address the lab does not have, as the lab
backend does (tests/service/test_lab_outside.py): the local path chose its own options."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

from netwright.backend.lab import destroy_lab
from tests.engine.conftest import ROOT, wait_for_no_orphans
from tests.engine.test_cli import cli

MACVLAN = ROOT / "examples" / "macvlan-bridge.yaml"


def test_a_local_lab_check_refuses_an_outside_the_lab_lacks(tmp_path: Path,
                                                           clean_host: Any) -> None:
    state = tmp_path / "state"
    try:
        applied = cli("apply", "--local", "--lab", "--yes", str(MACVLAN), state_dir=state)
        assert applied.returncode == 0, applied.stderr
        refused = cli("check", "--local", "--lab", "--target-outside", "8.8.8.8", "macvlan",
                      state_dir=state)
        assert refused.returncode == 1, refused
        assert refused.stderr.startswith("netwright: in the lab only 203.0.113.114"), refused
        checked = cli("check", "--local", "--lab", "macvlan", state_dir=state)
        assert checked.returncode == 0, (checked.stdout, checked.stderr)
    finally:
        cli("destroy", "--local", "--lab", "macvlan", state_dir=state)
        asyncio.run(destroy_lab(state_dir=state))
    assert wait_for_no_orphans(clean_host) == clean_host
