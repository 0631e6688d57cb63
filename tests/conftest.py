"""Suite-wide guard: never run the tests in the machine's own network namespace.

Tests create namespaces, bridges and veths and send packets. They must do that inside a
namespace the harness made (tests/tools/run-isolated, which `make test` uses) — or inside the
stock-kernel VM, which has no network card (its tooling sets NETWRIGHT_TEST_ISOLATED=vm).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tools import early_lintian


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
    if os.geteuid() == 0:
        _check_test_users_reach_the_checkout()


def _check_test_users_reach_the_checkout() -> None:
    """Many tests run clients as unprivileged users: they must run this venv and read the tree.

    Checked once as ``nobody``, so a checkout they cannot read is one clear message, not dozens
    of "Permission denied" failures. run-isolated opens the way through 0700 directories.
    """
    wanted = [(flag, str(path)) for flag, path in (
        ("-x", Path(sys.executable)), ("-r", Path(sys.prefix, "pyvenv.cfg")),
        ("-r", Path(__file__).resolve().parents[1] / "backend" / "__init__.py")) if path.exists()]
    test = " && ".join(f"test {flag} '{path}'" for flag, path in wanted)
    result = subprocess.run(["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups",
                             "sh", "-c", test], capture_output=True, check=False)
    if result.returncode != 0:
        unreadable = ", ".join(path for _, path in wanted)
        raise pytest.UsageError(
            f"the unprivileged test users cannot reach {unreadable}: run the suite under"
            " tests/tools/run-isolated (it opens the way through 0700 directories such as a"
            " home) and keep the checkout's files readable by others (clone with umask 022)")


_kernel_verdict: list[str] = []  # computed once per session


def _missing_kinds() -> list[str]:
    """Kinds this kernel refuses, probed with ip(8) in a throwaway network namespace."""
    script = ("ip link add nwprobe0 type veth peer name nwprobe1 || exit 3; "
              "ip link add nwprobe2 type dummy || echo MISSING dummy; "
              "ip link add nwprobe3 link nwprobe0 type ipvlan mode l2 || echo MISSING ipvlan; "
              "ip link add nwprobe4 link nwprobe0 type vlan id 7 || echo MISSING vlan")
    result = subprocess.run(["unshare", "--net", "sh", "-c", script], capture_output=True,
                            text=True, check=False)
    if result.returncode != 0:
        return [f"(probe failed: {result.stderr.strip()})"]
    return [line.split()[1] for line in result.stdout.splitlines() if line.startswith("MISSING")]


def pytest_collection_finish(session: pytest.Session) -> None:
    early_lintian.start_if_selected([item.name for item in session.items])


def pytest_sessionfinish(session: pytest.Session) -> None:
    early_lintian.stop()


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("kernel") is None:
        return
    if os.geteuid() != 0:
        pytest.fail("kernel-tier tests need root: run tests/kernel/run-kernel-tier", pytrace=False)
    if not _kernel_verdict:
        missing = _missing_kinds()
        _kernel_verdict.append(", ".join(missing))
    if _kernel_verdict[0]:
        pytest.fail(f"this kernel ({os.uname().release}) lacks {_kernel_verdict[0]}; run the"
                    " kernel tier with tests/kernel/run-kernel-tier, which boots Debian's stock"
                    " kernel under QEMU", pytrace=False)
