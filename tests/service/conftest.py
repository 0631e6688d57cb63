"""The service tests' harness: real bus, real polkitd, real users, real netwrightd.

Session-wide, all private to the test run and stopped by PID at the end:
a dbus-daemon with the project's bus policy (svc_bus), polkitd reading
polkit/io.netwright.policy plus test rules (svc_polkit), five unprivileged users (ROLES:
allowed, denied, default, peer, held; svc_polkit says what polkit answers each) with a
long-lived caller process each when a test asks for one (svc_callers), and netwrightd as root
in a network namespace of its own (svc_daemon). See ../shared/test-infra.md for the recipes.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from svc_bus import start_system_bus
from svc_callers import Caller
from svc_daemon import Daemon, Host, start_host
from svc_lab import PrivateLab
from svc_polkit import (
    USER_ALLOWED,
    USER_DEFAULT,
    USER_DENIED,
    USER_HELD,
    USER_PEER,
    start_polkitd,
)
from svc_processes import Started
from svc_users import ensure_user

pytestmark = pytest.mark.root

ROLES = {"allowed": USER_ALLOWED, "denied": USER_DENIED, "default": USER_DEFAULT,
         "peer": USER_PEER, "held": USER_HELD}


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    here = Path(__file__).parent
    for item in items:
        if Path(str(item.fspath)).is_relative_to(here):
            item.add_marker(pytest.mark.root)


@pytest.fixture(scope="session")
def service_run_dir() -> Iterator[Path]:
    if os.geteuid() != 0:
        pytest.skip("the service harness needs root (run under tests/tools/run-isolated)")
    for tool in ("dbus-daemon", "dbus-send", "unshare", "nsenter", "setpriv", "ip"):
        if shutil.which(tool) is None:
            pytest.skip(f"{tool} is missing: run tests/tools/install-deps.sh")
    if not Path("/usr/lib/polkit-1/polkitd").exists():
        pytest.skip("polkitd is missing: run tests/tools/install-deps.sh")
    run_dir = Path(tempfile.mkdtemp(prefix="netwright-svc-"))
    run_dir.chmod(0o755)  # the test users must reach the bus socket
    yield run_dir
    if os.environ.get("NETWRIGHT_KEEP_SERVICE_LOGS"):
        print(f"service test logs kept in {run_dir}")
    else:
        shutil.rmtree(run_dir, ignore_errors=True)


@pytest.fixture(scope="session")
def system_bus(service_run_dir: Path) -> Iterator[str]:
    bus, address = start_system_bus(service_run_dir)
    yield address
    bus.stop()


@pytest.fixture(scope="session")
def polkitd(service_run_dir: Path, system_bus: str) -> Iterator[Started]:
    started = start_polkitd(service_run_dir, system_bus)
    yield started
    started.stop()


@pytest.fixture(scope="session")
def users() -> dict[str, str]:
    for name in ROLES.values():
        ensure_user(name)
    return dict(ROLES)


@pytest.fixture(scope="session")
def host(service_run_dir: Path) -> Iterator[Host]:
    started = start_host(service_run_dir)
    yield started
    started.holder.stop()


@pytest.fixture(scope="session")
def daemon(
    service_run_dir: Path, system_bus: str, polkitd: Started, host: Host
) -> Iterator[Daemon]:
    """netwrightd managing the lab host built inside its namespace (the seed's wlp2s0)."""
    state_dir = service_run_dir / "state"
    state_dir.mkdir()
    handle = Daemon(host, system_bus, state_dir, ["--target", "lab"])
    handle.start()
    yield handle
    handle.stop()


@pytest.fixture
def running(daemon: Daemon) -> Daemon:
    """The session's daemon, restarted if an earlier test stopped or killed it."""
    daemon.ensure()
    return daemon


@pytest.fixture(scope="session")
def caller_factory(
    service_run_dir: Path, system_bus: str, users: dict[str, str]
) -> Iterator[Callable[[str], Caller]]:
    callers: dict[str, Caller] = {}

    def get(role: str) -> Caller:
        if role not in callers or callers[role].process.poll() is not None:
            user = None if role == "root" else users[role]
            callers[role] = Caller(user, system_bus, service_run_dir / f"caller-{role}.log")
        return callers[role]

    yield get
    for caller in callers.values():
        caller.stop()


@pytest.fixture
def lab(users: dict[str, str]) -> Iterator[PrivateLab]:
    """A lab of the allowed user's own (its own $XDG_RUNTIME_DIR), stopped afterwards."""
    private = PrivateLab(USER_ALLOWED)
    yield private
    private.close()
