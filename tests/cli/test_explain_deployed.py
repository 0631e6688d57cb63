"""`netwright explain --deployed`: a deployment predicted from what the kernel says.

The host routes between two bridges; the design leaves the host's forwarding alone. The
offline explain assumes it off (and says so); for the deployment, the host's IPv4 forwarding
is read from the kernel (here the test's own isolated namespace, which is safe to set), the
prediction turns reachable, and the note says where the value came from. Nothing is probed.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from netwright.backend.cli.main import main
from netwright.backend.engine import Engine, Target
from netwright.backend.topology import parse_topology
from tests.checks.test_explain import HOST_ROUTER

pytestmark = pytest.mark.root


@pytest.fixture
def deployed(tmp_path: Path) -> Iterator[Path]:
    """HOST_ROUTER applied with the host forwarding IPv4 (and not IPv6); the state dir."""
    engine = Engine(tmp_path / "state", Target.host())
    asyncio.run(engine.apply(parse_topology(HOST_ROUTER)))
    subprocess.run(["sysctl", "-qw", "net.ipv4.ip_forward=1",
                    "net.ipv6.conf.all.forwarding=0"], check=True)
    try:
        yield tmp_path / "state"
    finally:
        subprocess.run(["sysctl", "-qw", "net.ipv4.ip_forward=0"], check=True)
        asyncio.run(engine.destroy("hostrouter"))


def explain(capsys: pytest.CaptureFixture[str], *args: str) -> dict:  # type: ignore[type-arg]
    assert main(["explain", *args, "--json"]) == 0
    data: dict = json.loads(capsys.readouterr().out)  # type: ignore[type-arg]
    return data


def verdict(data: dict, source: str, target: str) -> str:  # type: ignore[type-arg]
    return next(p["predicted"]["verdict"] for p in data["pairs"]
                if p["source"] == source and p["target"] == target)


def test_the_deployment_is_predicted_from_the_kernels_forwarding(
        deployed: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    design = tmp_path / "hostrouter.yaml"
    design.write_text(HOST_ROUTER)
    offline = explain(capsys, str(design))
    assert verdict(offline, "a", "10.2.0.2") == "unreachable"
    assert any("IPv4 off — not in the design, so assumed off" in n for n in offline["notes"])

    live = explain(capsys, "--deployed", "--local", "--state-dir", str(deployed),
                   "hostrouter")
    assert live["probed"] is False
    assert verdict(live, "a", "10.2.0.2") == "reachable"
    assert verdict(live, "a", "fd12::2") == "unreachable"
    assert any("IPv4 on — the host's kernel, read for this prediction" in note
               and "IPv6 off — the host's kernel" in note for note in live["notes"])
    assert not any("not known to explain" in note for note in live["notes"])


def test_local_without_deployed_is_refused(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "--local", "x.yaml"]) != 0
    assert "go with --deployed" in capsys.readouterr().err


def test_a_deployments_name_without_deployed_points_to_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    """`netwright explain hostrouter` read 'hostrouter' as a file and pointed to `list`."""
    monkeypatch.chdir(tmp_path)  # no file of that name here
    assert main(["explain", "hostrouter"]) == 1
    assert ("there is no file hostrouter: explain reads a topology file; for the deployment"
            " named hostrouter, add --deployed (netwright explain --deployed hostrouter)"
            ) in capsys.readouterr().err
