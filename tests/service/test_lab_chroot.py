"""The lab under chroot: the kernel refuses a chrooted process user namespaces; say so.

A plain ``chroot DIR`` leaves the process "chrooted" (its root is not its mount namespace's
root), and create_user_ns() then fails with EPERM, which the lab used to blame on "the kernel
or a security module". The same root entered the way switch_root does it (``mount --move DIR /``
then ``chroot .``) is not chrooted, and user namespaces work: that is how the stock-kernel VM
runs the tests (tests/kernel/vm_guest_init.sh). DIR here is a recursive bind of / itself, so the
venv and the checkout are where they always are.
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_daemon import PYTHON

NOBODY = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "env", "-i",
          "PATH=/usr/bin:/bin"]
PROBLEM = ("from netwright.backend.service.lab import user_namespace_problem;"
           " print(user_namespace_problem())")


@pytest.fixture
def jail() -> Iterator[Path]:
    """/ bound recursively at a fresh directory (in the test run's private mount namespace)."""
    path = Path(tempfile.mkdtemp(prefix="netwright-jail-"))
    subprocess.run(["mount", "--rbind", "/", str(path)], check=True)
    yield path
    subprocess.run(["umount", "--recursive", "--lazy", str(path)], check=False)
    path.rmdir()


@pytest.fixture
def runtime_dir() -> Iterator[Path]:
    """nobody's $XDG_RUNTIME_DIR, where the lab keeps its directory."""
    path = Path(tempfile.mkdtemp(prefix="netwright-runtime-"))
    os.chown(path, 65534, 65534)
    yield path
    shutil.rmtree(path, ignore_errors=True)


def test_the_lab_names_chroot_as_the_cause(jail: Path, runtime_dir: Path) -> None:
    result = subprocess.run(
        ["chroot", str(jail), *NOBODY, f"XDG_RUNTIME_DIR={runtime_dir}", PYTHON,
         "-m", "netwright.backend.service.daemon", "--lab"],
        capture_output=True, text=True, check=False, timeout=60, cwd="/")
    assert result.returncode == 1, result.stderr
    assert "unprivileged user namespaces are not available" in result.stderr
    assert f"this process runs under chroot (its root directory is {jail} of" in result.stderr
    assert "a security module" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_whole_mount_namespace_under_chroot_is_named_too() -> None:
    """As the VM ran its tests once: chroot, then a mount namespace (run-isolated's) inside.

    No process of that namespace sees the root from outside; PID 1 (here the first process
    of a new PID namespace, outside the chroot) has the same filesystem elsewhere.
    """
    jail = Path(tempfile.mkdtemp(prefix="netwright-jail-"))
    inner = shlex.join(["chroot", str(jail), "unshare", "--mount", "--propagation", "private",
                        *NOBODY, PYTHON, "-c", PROBLEM])
    try:
        result = subprocess.run(
            ["unshare", "--pid", "--fork", "--mount", "--propagation", "private", "sh", "-euc",
             f"mount -t proc proc /proc && mount --rbind / {shlex.quote(str(jail))} && {inner}"],
            capture_output=True, text=True, check=False, timeout=60, cwd="/")
    finally:
        jail.rmdir()
    assert result.returncode == 0, result.stderr
    assert ("this process runs under chroot (probably: its root directory is the filesystem"
            f" that PID 1, in another mount namespace, has at {jail})") in result.stdout


def test_a_root_entered_like_switch_root_may_make_user_namespaces(jail: Path) -> None:
    command = shlex.join(["chroot", ".", *NOBODY, PYTHON, "-c", PROBLEM])
    result = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "sh", "-euc",
         f"cd {shlex.quote(str(jail))} && mount --move . / && exec {command}"],
        capture_output=True, text=True, check=False, timeout=60, cwd="/")
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "None"
