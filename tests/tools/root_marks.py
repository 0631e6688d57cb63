"""The ``root`` marker for every test of one folder, and a skip when not run as root: what
the conftest of each kernel-touching test folder asks pytest for."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def mark_root(items: list[pytest.Item], folder: Path) -> None:
    """Mark the tests whose file sits directly in ``folder`` as needing root."""
    for item in items:
        if Path(str(item.fspath)).parent == folder:
            item.add_marker(pytest.mark.root)
            if os.geteuid() != 0:
                item.add_marker(pytest.mark.skip(reason="needs root under run-isolated"))
