"""The observe tests run as root inside the harness's namespace (tests/tools/run-isolated),
like the engine tests, and reuse their fixtures (engine, clean_host, snapshot)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.engine.conftest import clean_host, engine, state_dir  # noqa: F401 (fixtures)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.root)
            if os.geteuid() != 0:
                item.add_marker(pytest.mark.skip(reason="needs root under run-isolated"))
