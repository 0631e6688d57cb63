"""Capture tests build namespaces and veths: root, inside tests/tools/run-isolated only."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.tools.root_marks import mark_root


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    mark_root(items, Path(__file__).parent)
