"""Capture tests build namespaces and veths: root, inside tests/tools/run-isolated only."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from netwright.backend.engine import Engine, Target
from netwright.backend.topology import parse_topology
from tests.checks.test_lab_outside_default import VETH
from tests.tools.root_marks import mark_root


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_root(items, Path(__file__).parent)


@pytest.fixture
def state(tmp_path: Path) -> Iterator[str]:
    """Topology ``pair`` deployed: veth va in namespace a (10.9.0.1) to vb in b (10.9.0.2);
    the state directory's path."""
    engine = Engine(tmp_path / "state", Target.host())
    asyncio.run(engine.apply(parse_topology(VETH)))
    yield str(tmp_path / "state")
    asyncio.run(engine.destroy("pair"))
