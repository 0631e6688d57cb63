"""`netwright capture … -w FILE` refused before it starts leaves FILE as it was: a typo in the
interface used to truncate the previous capture to nothing (and leave an empty file where
there was none). A capture that starts writes FILE as before."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from netwright.backend.cli.main import main
from netwright.backend.engine import Engine, Target
from netwright.backend.topology import parse_topology
from tests.checks.test_lab_outside_default import VETH

PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


@pytest.fixture
def state(tmp_path: Path) -> Iterator[str]:
    engine = Engine(tmp_path / "state", Target.host())
    asyncio.run(engine.apply(parse_topology(VETH)))
    yield str(tmp_path / "state")
    asyncio.run(engine.destroy("pair"))


def capture(state: str, interface: str, out: Path) -> int:
    return main(["capture", "pair", interface, "-w", str(out), "--seconds", "0.2",
                 "--local", "--state-dir", state])


def test_a_refused_capture_keeps_the_previous_file(
        state: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "earlier.pcapng"
    out.write_bytes(b"the capture of yesterday")
    assert capture(state, "vx", out) == 1
    assert "has no interface 'vx'" in capsys.readouterr().err
    assert out.read_bytes() == b"the capture of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.pcapng", "state"]


def test_a_refused_capture_creates_no_file(state: str, tmp_path: Path) -> None:
    assert capture(state, "vx", tmp_path / "new.pcapng") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]


def test_a_capture_that_runs_replaces_the_file(state: str, tmp_path: Path) -> None:
    out = tmp_path / "earlier.pcapng"
    out.write_bytes(b"the capture of yesterday")
    assert capture(state, "va", out) == 0
    assert out.read_bytes().startswith(PCAPNG_MAGIC)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.pcapng", "state"]
