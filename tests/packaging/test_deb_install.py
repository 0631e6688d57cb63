"""The Debian package, built from this tree, installed, used and purged on this machine.

The end-to-end run uses only installed files: a private bus whose config includes the
installed bus policy (/usr/share/dbus-1/system.d), polkitd reading the installed action file,
the installed /usr/sbin/netwrightd as root in a network namespace of its own, and the installed
/usr/bin/netwright as an unprivileged user applying, checking and destroying the seed on the lab
host. The harness pieces come from tests/service (bus, polkitd, users, the daemon's namespace).
"""

from __future__ import annotations

import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).parents[2]
sys.path.insert(0, str(REPO / "tests" / "service"))

import svc_bus  # noqa: E402 - the service harness, reused
import svc_polkit  # noqa: E402
from svc_daemon import BUS_NAME, start_host  # noqa: E402
from svc_processes import start, wait_until  # noqa: E402
from svc_users import ensure_user  # noqa: E402

from tests.tools import early_lintian  # noqa: E402

pytestmark = pytest.mark.root

INSTALLED_POLICY = Path("/usr/share/polkit-1/actions/io.netwright.policy")
INSTALLED_BUS_POLICY = Path("/usr/share/dbus-1/system.d/io.netwright.Backend1.conf")
SEED = REPO / "tests" / "service" / "data" / "seed-macvlan.yaml"


def run(*argv: str, timeout: float = 900, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(list(argv), capture_output=True, text=True, check=False,
                          timeout=timeout, env={**os.environ, **env})


@pytest.fixture(scope="module")
def deb() -> Path:
    """The package `make deb` built (before the suite: pip needs the index, the tests no net)."""
    if run("dpkg-query", "-W", "netwright").returncode == 0:
        pytest.fail("a netwright package is already installed here; purge it first")
    path = Path(os.environ.get("NETWRIGHT_TEST_DEB", ""))
    if not path.is_file():
        pytest.fail("no package to test: run `make deb` and set NETWRIGHT_TEST_DEB to the .deb"
                    " (`make test` does both)")
    return path


@pytest.fixture(scope="module")
def installed(deb: Path) -> Iterator[list[str]]:
    result = run("dpkg", "-i", str(deb), DEBIAN_FRONTEND="noninteractive")
    assert result.returncode == 0, result.stdout + result.stderr
    files = run("dpkg-query", "-L", "netwright").stdout.split("\n")
    try:
        yield [f for f in files if f]
    finally:
        run("dpkg", "--purge", "netwright", DEBIAN_FRONTEND="noninteractive")


def test_lintian_is_clean(deb: Path) -> None:
    """Every remaining tag is overridden with its reason in packaging/debian/lintian-overrides."""
    code, output = early_lintian.verdict(deb)  # started when collection ended
    assert code == 0, output


def test_installed_files_are_in_their_standard_places(installed: list[str]) -> None:
    for path in ("/usr/bin/netwright", "/usr/sbin/netwrightd",
                 "/usr/lib/systemd/system/netwrightd.service",
                 "/usr/share/dbus-1/system-services/io.netwright.Backend1.service",
                 str(INSTALLED_BUS_POLICY), str(INSTALLED_POLICY),
                 "/usr/share/dbus-1/interfaces/io.netwright.Backend1.xml",
                 "/usr/share/applications/io.netwright.Netwright.desktop",
                 "/usr/share/metainfo/io.netwright.Netwright.metainfo.xml",
                 "/usr/share/icons/hicolor/scalable/apps/io.netwright.Netwright.svg",
                 "/etc/apparmor.d/netwright-lab"):
        assert path in installed and os.path.exists(path), path
    assert run("desktop-file-validate",
               "/usr/share/applications/io.netwright.Netwright.desktop").returncode == 0
    assert run("appstreamcli", "validate", "--no-net",
               "/usr/share/metainfo/io.netwright.Netwright.metainfo.xml").returncode == 0
    assert run("xmllint", "--noout", str(INSTALLED_POLICY), str(INSTALLED_BUS_POLICY)
               ).returncode == 0
    verify = run("systemd-analyze", "verify", "/usr/lib/systemd/system/netwrightd.service")
    assert "netwrightd.service" not in verify.stderr or verify.returncode == 0, verify.stderr
    version = run("/usr/bin/netwright", "validate", "/usr/share/netwright/examples/"
                  "seed-ipvlan-l2.yaml")
    assert version.returncode == 0, version.stderr
    examples = Path("/usr/share/netwright/examples")
    for example in sorted(examples.glob("*.yaml")):  # each editor modeline leads to the schema
        first = example.read_text().splitlines()[0]
        assert "$schema=" in first, example
        schema = (examples / first.split("$schema=", 1)[1].strip()).resolve()
        assert schema == Path("/usr/share/netwright/netwright-topology.schema.json"), first
    assert not any("__pycache__" in f for f in installed), "pyc caches must not be shipped"


def as_user(user: str, argv: list[str], address: str) -> subprocess.CompletedProcess[str]:
    entry = pwd.getpwnam(user)
    return subprocess.run(
        ["setpriv", f"--reuid={entry.pw_uid}", f"--regid={entry.pw_gid}", "--init-groups",
         "--", "env", "-i", "PATH=/usr/bin:/bin", f"DBUS_SYSTEM_BUS_ADDRESS={address}", *argv],
        capture_output=True, text=True, check=False, timeout=180, cwd="/",
    )


def test_installed_backend_and_cli_end_to_end(installed: list[str]) -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="netwright-deb-"))
    run_dir.chmod(0o755)
    seed = run_dir / "seed.yaml"
    shutil.copy(SEED, seed)
    seed.chmod(0o644)
    started = []
    # The harness, pointed at the installed policy files instead of the repository's.
    saved = svc_bus.PROJECT_POLICY, svc_polkit.POLICY
    svc_bus.PROJECT_POLICY, svc_polkit.POLICY = INSTALLED_BUS_POLICY, INSTALLED_POLICY
    try:
        bus, address = svc_bus.start_system_bus(run_dir)
        started.append(bus)
        started.append(svc_polkit.start_polkitd(run_dir, address))
        ensure_user(svc_polkit.USER_ALLOWED)
        ensure_user(svc_polkit.USER_DENIED)
        host = start_host(run_dir)
        started.append(host.holder)
        state = run_dir / "state"
        daemon = start(
            "installed-netwrightd",
            ["nsenter", f"--target={host.pid}", "--net", "--mount", "--root", "--wd", "--",
             "/usr/sbin/netwrightd", "--state-dir", str(state), "--target", "lab"],
            run_dir, {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DBUS_SYSTEM_BUS_ADDRESS": address},
        )
        started.append(daemon)
        wait_until(lambda: svc_bus.name_has_owner(address, BUS_NAME), 60,
                   "the installed netwrightd to own its name", daemon)

        user = svc_polkit.USER_ALLOWED
        applied = as_user(user, ["/usr/bin/netwright", "apply", "--yes", str(seed)], address)
        assert applied.returncode == 0, applied.stderr
        assert "lab-net1" in host.netns()
        assert host.links("lab-net1")["mv1"]["addresses"] == ["192.168.31.5/24"]
        checked = as_user(user, ["/usr/bin/netwright", "check", "--json", "seed"], address)
        assert checked.returncode == 0, checked.stdout + checked.stderr
        result = json.loads(checked.stdout)
        assert result["pairs"] and all(pair["match"] for pair in result["pairs"])
        refused = as_user(svc_polkit.USER_DENIED, ["/usr/bin/netwright", "destroy", "seed"],
                          address)
        assert refused.returncode == 1 and "not authorized" in refused.stderr
        destroyed = as_user(user, ["/usr/bin/netwright", "destroy", "seed"], address)
        assert destroyed.returncode == 0, destroyed.stderr
        assert "lab-net1" not in host.netns()
    finally:
        svc_bus.PROJECT_POLICY, svc_polkit.POLICY = saved
        for process in reversed(started):
            process.stop()
        shutil.rmtree(run_dir, ignore_errors=True)


def test_purge_leaves_nothing_behind(deb: Path) -> None:
    result = run("dpkg", "-i", str(deb), DEBIAN_FRONTEND="noninteractive")
    assert result.returncode == 0, result.stderr
    files = [f for f in run("dpkg-query", "-L", "netwright").stdout.split("\n") if f]
    Path("/var/lib/netwright").mkdir(exist_ok=True)  # as the daemon's StateDirectory would
    purged = run("dpkg", "--purge", "netwright", DEBIAN_FRONTEND="noninteractive")
    assert purged.returncode == 0, purged.stderr
    left = [f for f in files if os.path.isfile(f) or os.path.islink(f)]
    left += [d for d in ("/usr/lib/netwright", "/var/lib/netwright", "/usr/share/netwright",
                         "/usr/share/doc/netwright", "/etc/apparmor.d/netwright-lab")
             if os.path.exists(d)]
    assert left == []
    assert run("dpkg-query", "-W", "netwright").returncode != 0
