"""netwrightd's reading helpers (backend/service/parser.py) as tests find and hold them.

Helpers are the daemon's children running the parser module; the tests read their
/proc/PID/status, stop them (svc_processes.held) so that a request waits in a helper's pipe
while the test writes the answer in its place (through the helper's own stdout,
/proc/PID/fd/1), and find which helper was given a request by the bytes waiting on its stdin
(FIONREAD).
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import struct
import termios
import time
from pathlib import Path

HELPER = b"netwright.backend.service.parser"


def children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        found += [int(child) for child in (task / "children").read_text().split()]
    return found


def helper_pids(daemon_pid: int) -> list[int]:
    """The daemon's reading helpers now (idle or reading)."""
    pids = []
    for pid in children(daemon_pid):
        with contextlib.suppress(OSError):
            if HELPER in Path(f"/proc/{pid}/cmdline").read_bytes():
                pids.append(pid)
    return pids


def status(pid: int) -> dict[str, str]:
    """/proc/PID/status as a mapping (Uid, Gid, Groups, NoNewPrivs, CapEff…)."""
    lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    return {key: value.strip() for key, _, value in (line.partition(":") for line in lines)}


def waiting(pid: int) -> int:
    """Bytes written to helper ``pid``'s stdin that it has not read."""
    fd = os.open(f"/proc/{pid}/fd/0", os.O_RDONLY | os.O_NONBLOCK)
    try:
        return int(struct.unpack("i", fcntl.ioctl(fd, termios.FIONREAD, b"\0" * 4))[0])
    finally:
        os.close(fd)


def given_request(pids: list[int], timeout: float = 20.0) -> int:
    """The one of the (stopped) helpers ``pids`` that the daemon has written a request to."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for pid in pids:
            if waiting(pid):
                return pid
        time.sleep(0.005)
    raise AssertionError(f"no request reached the helpers {pids}")


def answer_as(pid: int, payload: bytes, length: int | None = None) -> None:
    """Write a frame (``length``: the header's claim, the payload's own by default) on helper
    ``pid``'s answer pipe, as if the helper had written it."""
    header = (len(payload) if length is None else length).to_bytes(8, "big")
    with open(f"/proc/{pid}/fd/1", "wb") as pipe:
        pipe.write(header + payload)
