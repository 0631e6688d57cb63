"""The lab's directory cannot be made or is someone else's: one sentence naming the path and
the fix, exit code 1, never a traceback.

Run as a throwaway uid (no such user needs to exist) in a private mount namespace whose /tmp
is a fresh tmpfs, so no other user's or session's lab directory is touched."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
NETWRIGHT = str(ROOT / ".venv" / "bin" / "netwright")
UID = 47000 + os.getpid() % 1000

# A checkout under /tmp (a clone in a temporary directory) would vanish under the fresh
# tmpfs: it is kept on /mnt meanwhile and bound back at its own path inside the new /tmp.
KEEP_THE_CHECKOUT = """case "$1" in /tmp/*) mount --bind "$1" /mnt; keep=1 ;; *) keep= ;; esac
mount -t tmpfs -o mode=1777 netwright-test-tmp /tmp
if [ -n "$keep" ]; then mkdir -p "$1" && mount --bind /mnt "$1"; fi
"""


def _as_throwaway_user(prepare: str, *argv: str,
                       runtime: str = "") -> subprocess.CompletedProcess[str]:
    """``netwright argv`` as ``UID`` after ``prepare`` (root's shell) set up the private /tmp;
    ``runtime``: its XDG_RUNTIME_DIR (none if empty)."""
    setting = f" XDG_RUNTIME_DIR={runtime}" if runtime else ""
    script = (f"set -e\n{KEEP_THE_CHECKOUT}{prepare}\nshift\nexec setpriv"
              f" --reuid={UID} --regid={UID} --clear-groups -- env -i PATH=/usr/bin:/bin"
              f' DBUS_SYSTEM_BUS_ADDRESS=unix:path=/nonexistent{setting} "$@"')
    return subprocess.run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script,
                           "sh", str(ROOT), NETWRIGHT, *argv],
                          capture_output=True, text=True, check=False, timeout=60, cwd="/")


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mount, setpriv) under run-isolated")
@pytest.mark.parametrize(("prepare", "words"), [
    ("chmod 755 /tmp", [f"cannot create the lab's directory /tmp/netwright-lab-{UID}:"
                        " permission denied; make /tmp writable", "XDG_RUNTIME_DIR"]),
    (f"mkdir -m 700 /tmp/netwright-lab-{UID}",
     [f"/tmp/netwright-lab-{UID} exists and belongs to root, not to you",
      f"sudo rm -r /tmp/netwright-lab-{UID}", "XDG_RUNTIME_DIR"]),
])
@pytest.mark.parametrize("argv", [["lab", "start"], ["lab", "status"], ["lab", "stop"],
                                  ["list", "--lab"]])
def test_a_lab_directory_that_cannot_be_had_is_a_sentence(prepare: str, words: list[str],
                                                          argv: list[str]) -> None:
    done = _as_throwaway_user(prepare, *argv)
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr, done.stderr
    assert all(w in done.stderr for w in words), done.stderr


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root (mount, setpriv) under run-isolated")
def test_an_unusable_xdg_runtime_dir_is_named() -> None:
    """XDG_RUNTIME_DIR set to a directory the user cannot write: the lab tries /tmp, and
    when that fails too the sentence said "or set XDG_RUNTIME_DIR to a directory of your
    own", as if it were not set; it now names it and says it was passed over."""
    done = _as_throwaway_user("chmod 755 /tmp; mkdir -m 555 /tmp/ro", "lab", "start",
                              runtime="/tmp/ro")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
    assert done.stderr == (
        f"netwright: cannot create the lab's directory /tmp/netwright-lab-{UID}: permission"
        " denied; make /tmp writable (it is normally mode 1777), or make XDG_RUNTIME_DIR"
        " (/tmp/ro) a directory you can write to (it is not one, so /tmp was tried"
        " instead)\n"), done.stderr
