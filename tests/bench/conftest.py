"""Benchmarks are files named bench_*.py; pytest collects them only here (make bench)."""

from __future__ import annotations

import resource
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def pytest_collect_file(file_path: Path, parent: Any) -> Any:
    if parent.session.isinitpath(file_path):
        return None  # named on the command line: pytest collects it already
    if file_path.suffix == ".py" and file_path.name.startswith("bench_"):
        return pytest.Module.from_parent(parent, path=file_path)
    return None


@pytest.fixture(autouse=True)
def cpu_limit_restored() -> Iterator[None]:
    """Each benchmark leaves the process's CPU limit as it found it. The parse benchmarks
    call the parser helper's own code in this process, and it lowers RLIMIT_CPU before each
    read (its budget, as in the helper process): left so, the kernel ended the whole
    ``make bench`` run with SIGXCPU a few benchmarks later."""
    before = resource.getrlimit(resource.RLIMIT_CPU)
    yield
    resource.setrlimit(resource.RLIMIT_CPU, before)
