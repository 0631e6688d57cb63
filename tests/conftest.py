"""Suite-wide guard: never run the tests in the machine's own network namespace.

Tests create namespaces, bridges and veths and send packets. They must do that inside a
namespace the harness made (tests/tools/run-isolated, which `make test` uses) — or inside the
stock-kernel VM, which has no network card (its tooling sets NETWRIGHT_TEST_ISOLATED=vm).
"""

from __future__ import annotations

import os

import pytest


def _isolated() -> bool:
    """True in the VM, or in the namespace run-isolated made (it records that namespace)."""
    marker = os.environ.get("NETWRIGHT_TEST_ISOLATED", "")
    if marker == "vm":
        return True
    if not marker.startswith("netns:"):
        return False
    try:
        return str(os.stat("/proc/self/ns/net").st_ino) == marker.removeprefix("netns:")
    except OSError:
        return False


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "root: needs root; runs inside the harness's namespace")
    if os.geteuid() == 0 and not _isolated():
        raise pytest.UsageError(
            "refusing to run as root outside the test network namespace: run the suite"
            " with `make test` or `tests/tools/run-isolated .venv/bin/python -m pytest …` (the"
            " stock-kernel VM, which has no network card, sets NETWRIGHT_TEST_ISOLATED=vm)"
        )
