"""Optional TCP port probe: can each source open a connection to a port on each target?

Sockets are created inside the source namespaces by a worker thread (as for ICMP) in slices
of ``SLICE`` so a big mesh never holds thousands of descriptors; the asyncio loop connects
them all concurrently with the same timeout. Reported like the echo: connected (with the
time to connect), or the kernel's error ("Connection refused" means the host answered but
nothing listens), or "no answer".
"""

from __future__ import annotations

import asyncio
import errno
import ipaddress
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from netwright.backend.checks.icmp import error_text
from netwright.backend.checks.netns import entered
from netwright.backend.checks.prober import Probe

SLICE = 256


def _open(probes: list[Probe]) -> list[socket.socket]:
    sockets: list[socket.socket] = []
    by_netns: dict[str, list[int]] = {}
    for index, probe in enumerate(probes):
        by_netns.setdefault(probe.netns, []).append(index)
    slots: list[socket.socket | None] = [None] * len(probes)
    for netns, indices in by_netns.items():
        with entered(netns):
            for index in indices:
                family = socket.AF_INET if probes[index].version == 4 else socket.AF_INET6
                sock = socket.socket(family, socket.SOCK_STREAM)
                sock.setblocking(False)
                slots[index] = sock
    for slot in slots:
        assert slot is not None
        sockets.append(slot)
    return sockets


async def _connect(sock: socket.socket, address: str, port: int,
                   timeout: float) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    begun = time.perf_counter()
    result: dict[str, Any] = {"port": port}
    try:
        await asyncio.wait_for(loop.sock_connect(sock, (address, port)), timeout)
        result.update(verdict="reachable", error=None,
                      rtt_ms=round((time.perf_counter() - begun) * 1000, 3))
    except TimeoutError:
        result.update(verdict="unreachable", error="no answer", rtt_ms=None)
    except OSError as exc:
        result.update(refused(exc))
    finally:
        sock.close()
    return result


def refused(exc: OSError) -> dict[str, Any]:
    """What a port probe reports when the kernel says no (also used by the UDP probe)."""
    code = exc.errno or errno.EIO
    return {"verdict": "unreachable", "error": error_text(code), "rtt_ms": None,
            "errno": errno.errorcode.get(code, str(code))}


async def probe_tcp(probes: list[Probe], port: int, timeout: float) -> list[dict[str, Any]]:
    """One result per probe, in order: {port, verdict, error, rtt_ms}."""
    loop = asyncio.get_running_loop()
    results: list[dict[str, Any]] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="netwright-tcp") as pool:
        for start in range(0, len(probes), SLICE):
            chunk = probes[start: start + SLICE]
            sockets = await loop.run_in_executor(pool, _open, chunk)
            results += await asyncio.gather(*(
                _connect(sock, str(ipaddress.ip_address(p.target)), port, timeout)
                for sock, p in zip(sockets, chunk, strict=True)))
    return results
