"""A checkout inside a 0700 directory: the harness lets the unprivileged test users reach it.

The service, DHCP, CLI and GUI tests run clients as other users, who execute the checkout's
.venv/bin/python and import the checkout. Here the project is bind-mounted at
``PRIVATE/clone`` where PRIVATE is 0700 (as root's or a Debian user's home is) and holds a
dotfile and a symlink, then tests/tools/run-isolated is run from there exactly as ``make test``
runs it: ``nobody`` must import the package through that path, and root must still see (and
write through to) what PRIVATE holds. Without the harness, nobody is refused.
"""

from __future__ import annotations

import json
import os
import pwd
import shlex
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--"]
IMPORT = "import netwright.backend.topology as t; print('imported', t.__name__)"

pytestmark = pytest.mark.root


@pytest.fixture
def private_home(tmp_path: Path) -> Path:
    if os.geteuid() != 0:
        pytest.skip("needs root (mount namespaces, another user)")
    home = tmp_path / "home"
    home.mkdir(mode=0o700)
    (home / "clone").mkdir()
    (home / ".profile").write_text("before\n")
    (home / "link").symlink_to(".profile")
    return home


def in_private_clone(home: Path, script: str) -> subprocess.CompletedProcess[str]:
    """Run ``script`` (sh) in a mount namespace where the project is at HOME/clone."""
    clone = shlex.quote(str(home / "clone"))
    setup = f"mount --bind {shlex.quote(str(ROOT))} {clone} && cd {clone} && {script}"
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-euc", setup],
                          capture_output=True, text=True, check=False, timeout=120)


def test_nobody_imports_the_checkout_through_the_harness(private_home: Path) -> None:
    python = private_home / "clone" / ".venv" / "bin" / "python"
    as_nobody = shlex.join([*NOBODY, str(python), "-c", IMPORT])
    probe = private_home.parent / "probe.sh"  # run by root: its 0700 directory is no obstacle
    probe.write_text(f"{as_nobody}\ncat {private_home}/link\necho after >{private_home}/.profile\n")
    harness = in_private_clone(private_home, f"tests/tools/run-isolated sh -eu {probe}")
    assert harness.returncode == 0, harness.stderr
    assert harness.stdout.splitlines() == ["imported netwright.backend.topology", "before"]
    assert (private_home / ".profile").read_text() == "after\n", "root's writes went through"
    assert (private_home.stat().st_mode & 0o777) == 0o700, "the real directory is unchanged"

    # setpriv execs with root's capabilities still in hand, so the python starts; it then
    # cannot read its venv (pyvenv.cfg, site-packages) and finds no netwright
    bare = in_private_clone(private_home, as_nobody)
    assert bare.returncode != 0 and "No module named 'netwright'" in bare.stderr, bare.stderr


def test_open_path_refuses_outside_the_harness_namespace(tmp_path: Path) -> None:
    result = subprocess.run([str(ROOT / "tests/tools/open-path"), str(tmp_path)],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 2
    assert "only in the private mount namespace of tests/tools/run-isolated" in result.stderr


#: Run by root in the private clone: the daemon's reading helper, started as netwrightd starts
#: it, importing the package from HOME/site (0700 HOME: nobody cannot read it), is asked to
#: read every example and two invalid files (one with a merge key, which ruamel.yaml reads
#: with a module of its own); prints where it imported from, its Uid, and each answer's status
#: and whether it is the one read here, as root (a module the helper could not import shows
#: as a different answer: the round-trip parser takes that for text it cannot read).
HELPER_DRIVER = """
import glob, json, os, subprocess, sys
import netwright.backend.topology as topology
from netwright.backend.service.parse_wire import HEADER, decode, frame, frame_size
from netwright.backend.service.parser import answer
texts = [open(path).read() for path in sorted(glob.glob("examples/*.yaml"))]
texts += ["netwright: 1\\nname: m\\nbase: &b {kind: veth}\\ninterfaces: {v: {<<: *b}}\\n",
          "netwright: 1\\nname: m\\nnamespaces: [\\n"]
helper = subprocess.Popen([sys.executable, "-m", "netwright.backend.service.parser"],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd="/")
statuses = []
for op in ("validate", "topology"):
    for text in texts:
        helper.stdin.write(frame([op, text, 4.0]))
        helper.stdin.flush()
        header = helper.stdout.read(HEADER)
        got = decode(helper.stdout.read(frame_size(header))) if header else ["ended"]
        statuses.append([got[0], got == answer([op, text, 4.0])])
uid = open(f"/proc/{helper.pid}/status").read().split("Uid:")[1].split()[:4]
helper.stdin.close()
print(json.dumps({"from": topology.__file__, "uid": uid, "statuses": statuses,
                  "exit": helper.wait(60)}))
"""


def test_the_reading_helper_drops_root_and_reads_from_a_checkout_nobody_can_read(
        private_home: Path) -> None:
    """A root netwrightd run from a checkout in a 0700 home: its helper imports all a read
    needs as root, then becomes nobody and reads every file, importing nothing more."""
    site = private_home / "site" / "netwright" / "backend"
    driver = private_home.parent / "driver.py"  # run by root: its 0700 directory is no obstacle
    driver.write_text(HELPER_DRIVER)
    python = private_home / "clone" / ".venv" / "bin" / "python"
    result = in_private_clone(private_home, shlex.join(
        ["mkdir", "-p", str(site)]) + f" && mount --bind {shlex.quote(str(ROOT / 'backend'))}"
        f" {shlex.quote(str(site))} && PYTHONPATH={shlex.quote(str(site.parents[1]))}"
        f" {shlex.quote(str(python))} {shlex.quote(str(driver))}")
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr, result.stderr
    found = json.loads(result.stdout)
    assert found["from"].startswith(str(site)), found
    assert found["uid"] == [str(pwd.getpwnam("nobody").pw_uid)] * 4, found
    examples = len(list((ROOT / "examples").glob("*.yaml")))
    read, invalid = ["ok", True], ["problems", True]
    assert found["statuses"] == [read] * (examples + 2 + examples) + [invalid] * 2
    assert found["exit"] == 0
