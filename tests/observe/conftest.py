"""The observe tests run as root inside the harness's namespace (tests/tools/run-isolated),
like the engine tests, and reuse their fixtures (engine, clean_host, snapshot)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import clean_host, engine, state_dir  # noqa: F401 (fixtures)
from tests.observe.livehost import LiveHost, build_live_host


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.root)
            if os.geteuid() != 0:
                item.add_marker(pytest.mark.skip(reason="needs root under run-isolated"))


@pytest.fixture
def live(clean_host: dict[str, Any]) -> Iterator[LiveHost]:  # noqa: F811 (the fixture)
    """The hand-built host of livehost.py, taken down afterwards."""
    host = build_live_host()
    try:
        yield host
    finally:
        host.remove()
