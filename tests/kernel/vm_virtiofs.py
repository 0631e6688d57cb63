"""virtiofs shares for the VM: the host's / (read-only) and the project tree, served fast.

Under TCG every 9p request is a round trip through QEMU's main loop, which the emulated CPU
competes with: importing pytest, pyroute2 and pydantic in the guest took ~30 s over 9p against
0.4 s on the host. virtiofs moves the file server into its own process (QEMU's ``virtiofsd``)
and lets the guest kernel cache entries and attributes (``cache=always``), so each file is
asked for once. The guest's memory must then be shareable (a memfd backend).

The root share is made read-only on the host side: virtiofsd has no read-only switch, so it is
started in a private mount namespace on a non-recursive, read-only bind mount of /. Submounts
(/proc, /sys, /dev and any other) are not part of that view; the guest mounts its own.
"""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from pathlib import Path

from vm_errors import FileServerError

VIRTIOFSD_CANDIDATES = ("/usr/lib/qemu/virtiofsd", "/usr/libexec/virtiofsd",
                        "/usr/lib/virtiofsd")
SOCKET_WAIT_SECONDS = 10.0


def find_virtiofsd() -> str | None:
    """QEMU's virtiofsd (package qemu-system-common on Debian 12), or None."""
    override = os.environ.get("NETWRIGHT_VIRTIOFSD")
    for candidate in ((override,) if override else VIRTIOFSD_CANDIDATES):
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    return None


def start_virtiofsd(binary: str, source: Path, socket: Path, *, readonly: bool,
                    log: Path) -> subprocess.Popen[bytes]:
    """Serve ``source`` on the vhost-user ``socket``; returns once the socket exists."""
    serve = [binary, f"--socket-path={socket}", "-o", f"source={source}", "-o", "cache=always",
             "-o", "sandbox=chroot", "--thread-pool-size=4"]
    if readonly:
        view = socket.with_suffix(".root")
        view.mkdir()
        script = (f"mount --bind {shlex.quote(str(source))} {shlex.quote(str(view))} && "
                  f"mount -o remount,bind,ro {shlex.quote(str(view))} && exec "
                  + shlex.join([*serve[:2], "-o", f"source={view}", *serve[4:]]))
        argv = ["unshare", "--mount", "--propagation", "private", "sh", "-c", script]
    else:
        argv = serve
    with open(log, "wb") as out:
        process = subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=out, stderr=out)
    deadline = time.monotonic() + SOCKET_WAIT_SECONDS
    while not socket.exists():
        if process.poll() is not None or time.monotonic() > deadline:
            stop(process)
            raise FileServerError(f"virtiofsd for {source} did not start: "
                          f"{log.read_text(errors='replace').strip() or 'no message'}")
        time.sleep(0.02)
    return process


def stop(process: subprocess.Popen[bytes]) -> None:
    """End a virtiofsd we started (by its PID); it normally exits with QEMU already."""
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
