"""The observe tests run as root inside the harness's namespace (tests/tools/run-isolated),
like the engine tests, and reuse their fixtures (engine, clean_host, snapshot)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.engine.conftest import clean_host, engine, state_dir  # noqa: F401 (fixtures)
from tests.observe.livehost import LiveHost, build_live_host
from tests.tools.root_marks import mark_root


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_root(items, Path(__file__).parent)


@pytest.fixture
def live(clean_host: dict[str, Any]) -> Iterator[LiveHost]:  # noqa: F811 (the fixture)
    """The hand-built host of livehost.py, taken down afterwards."""
    host = build_live_host()
    try:
        yield host
    finally:
        host.remove()
