"""A probe worker process: echoes from sockets its parent opened, answers as fixed records.

Started by ``spread.py`` as ``python -m netwright.backend.checks.probe_worker PARENT_PID FD``
where FD is its end of a Unix socket pair; it can be started before the sockets exist (its
start-up, about 0.1 s, overlaps the parent's pinning). On that channel it receives the
parent's ICMP sockets (SCM_RIGHTS; they were opened inside their namespaces by the parent,
and a socket stays in its namespace whichever process holds it) and one request (JSON:
timeout, retries, and per socket its position among those received, IP version, targets and
sizes), probes exactly as the parent's ``EchoProber`` would, answers one record per probe in
the request's order, and exits. It imports only the prober (no model, no explanation),
writes nothing anywhere else, and dies with its parent (PR_SET_PDEATHSIG) or when the
channel closes without a request.

This module also holds the wire format, which the parent imports: ``request``, ``records``
and ``observations``.
"""

from __future__ import annotations

import asyncio
import errno
import json
import math
import os
import socket
import struct
import sys
from typing import Any

from netwright.backend.checks.prober import EchoProber, Probe, error_observation, no_reply
from netwright.backend.checks.results import Observation
from netwright.backend.kernel.descriptors import allow_open_files
from netwright.backend.parent_death import die_with_parent

# per probe: kind (0 reply, 1 no reply, 2 kernel error), attempts, error code, RTT in ms
RECORD = struct.Struct("=BBHd")
REPLY, NO_REPLY, ERROR = 0, 1, 2

FDS_AT_ONCE = 250  # descriptors per message (the kernel's SCM_MAX_FD is 253)
SOCKETS, REQUEST = b"F", b"R"  # a message of descriptors; the request follows
_LENGTH = struct.Struct("!I")

Share = list[tuple[int, list[Probe]]]  # (IP version, probes) per socket, as sent


def send_sockets(channel: socket.socket, fds: list[int]) -> None:
    """Hand the sockets (by descriptor, in the request's order) to the worker; each message
    is one byte, so it never waits for the worker to read."""
    for first in range(0, len(fds), FDS_AT_ONCE):
        socket.send_fds(channel, [SOCKETS], fds[first:first + FDS_AT_ONCE])


def request(timeout: float, retries: int, share: Share) -> bytes:
    """What a worker is asked, framed: per socket (in the order sent) its probes."""
    data = json.dumps({"timeout": timeout, "retries": retries, "sockets": [
        [version, [p.target for p in probes], [p.size for p in probes]]
        for version, probes in share]}, separators=(",", ":")).encode()
    return REQUEST + _LENGTH.pack(len(data)) + data


def records(observations: list[Observation]) -> bytes:
    """The worker's answer: one fixed-size record per observation."""
    out = bytearray()
    pack = RECORD.pack
    for seen in observations:
        if seen.verdict == "reachable":
            out += pack(REPLY, seen.attempts, 0, seen.rtt_ms or 0.0)
        elif seen.errno is None:
            out += pack(NO_REPLY, seen.attempts, 0, math.nan)
        else:
            code = getattr(errno, seen.errno, None)
            out += pack(ERROR, seen.attempts, code if code is not None else int(seen.errno),
                        math.nan)
    return bytes(out)


def observations(data: bytes, probes: list[Probe]) -> list[Observation]:
    """The records of ``probes`` read back as the observations the worker made (the error
    texts worked out again here, as the in-process prober does). ValueError if they do not
    fit the probes."""
    if len(data) != RECORD.size * len(probes):
        raise ValueError(f"{len(data)} bytes for {len(probes)} probes")
    seen = []
    for probe, (kind, attempts, code, rtt) in zip(probes, RECORD.iter_unpack(data),
                                                  strict=True):
        if kind == REPLY:
            seen.append(Observation.reply(rtt, attempts))
        elif kind == NO_REPLY:
            seen.append(no_reply(attempts))
        elif kind == ERROR:
            seen.append(error_observation(code, probe.size, attempts))
        else:
            raise ValueError(f"record kind {kind}")
    return seen


def _die_with(parent: int) -> None:
    """Be killed when the parent ends, and end now if it already has."""
    if not die_with_parent(parent):
        sys.exit(1)


def _receive(channel: socket.socket) -> tuple[dict[str, Any] | None, list[int]]:
    """The sockets and the request; None when the channel closed without one."""
    fds: list[int] = []
    while True:
        data, received, _flags, _address = socket.recv_fds(channel, 1, FDS_AT_ONCE)
        fds += received
        if data == REQUEST:
            break
        if not data:
            return None, fds
    length = _LENGTH.unpack(_exactly(channel, _LENGTH.size))[0]
    return json.loads(_exactly(channel, length)), fds


def _exactly(channel: socket.socket, size: int) -> bytes:
    chunks = []
    while size:
        chunk = channel.recv(min(size, 1 << 20))
        if not chunk:
            raise EOFError("the channel closed in the middle of the request")
        chunks.append(chunk)
        size -= len(chunk)
    return b"".join(chunks)


def _probes(asked: dict[str, Any], fds: list[int]
            ) -> tuple[dict[tuple[str, int], socket.socket], list[Probe]]:
    sockets = {}
    probes = []
    models: dict[str, Probe] = {}
    for (version, targets, sizes), fd in zip(asked["sockets"], fds, strict=True):
        key = (f"socket {fd}", version)
        sockets[key] = socket.socket(fileno=fd)
        for target, size in zip(targets, sizes, strict=True):
            model = models.get(target)
            if model is None:
                model = models[target] = Probe(key[0], target)
            probes.append(Probe.like(model, key[0], size))
    return sockets, probes


def main() -> int:
    _die_with(int(sys.argv[1]))
    allow_open_files()  # a share of a thousand namespaces' sockets
    channel = socket.socket(fileno=int(sys.argv[2]))
    asked, fds = _receive(channel)
    if asked is None:
        return 0
    if len(fds) != len(asked["sockets"]):
        print(f"received {len(fds)} of its {len(asked['sockets'])} sockets", file=sys.stderr)
        return 1
    sockets, probes = _probes(asked, fds)
    prober = EchoProber(float(asked["timeout"]), int(asked["retries"]))
    seen = asyncio.run(prober.run_on(sockets, {}, probes))
    channel.sendall(records(seen))
    return 0


if __name__ == "__main__":
    # straight out once answered: the interpreter's own teardown (freeing the share's
    # objects, the event loop's, every module's) took 15–20 ms, and the check waits for it
    status = main()
    sys.stderr.flush()
    os._exit(status)
