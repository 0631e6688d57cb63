"""UDP port probe: does a request reach the responder and its answer come back?

A connected UDP socket per probe, made inside the source namespace; the asyncio loop sends
``netwright?`` and waits for ``netwright!``. A rule that rejects makes the kernel answer with
an ICMP port unreachable, which a connected socket reports as ECONNREFUSED ("Connection
refused"); a rule that drops leaves "no answer". Reported like ``tcp.probe_tcp``.
"""

from __future__ import annotations

import asyncio
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from netwright.backend.checks.netns import entered
from netwright.backend.checks.prober import Probe
from netwright.backend.checks.responder import ANSWER, REQUEST
from netwright.backend.checks.tcp import SLICE, refused


def _open(probes: list[Probe]) -> list[socket.socket]:
    slots: list[socket.socket] = []
    for probe in probes:
        with entered(probe.netns):
            family = socket.AF_INET if probe.version == 4 else socket.AF_INET6
            sock = socket.socket(family, socket.SOCK_DGRAM)
        sock.setblocking(False)
        slots.append(sock)
    return slots


async def _ask(sock: socket.socket, address: str, port: int, timeout: float,
               attempts: int) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    result: dict[str, Any] = {"port": port}
    begun = time.perf_counter()
    try:
        sock.connect((address, port))
        for _attempt in range(attempts):
            sock.send(REQUEST)
            try:
                data = await asyncio.wait_for(loop.sock_recv(sock, 64), timeout)
            except TimeoutError:
                continue
            if data == ANSWER:
                result.update(verdict="reachable", error=None,
                              rtt_ms=round((time.perf_counter() - begun) * 1000, 3))
                return result
        result.update(verdict="unreachable", error="no answer", rtt_ms=None)
    except OSError as exc:
        result.update(refused(exc))
    finally:
        sock.close()
    return result


async def probe_udp(probes: list[Probe], port: int, timeout: float,
                    attempts: int = 2) -> list[dict[str, Any]]:
    """One result per probe, in order: {port, verdict, error, rtt_ms[, errno]}."""
    loop = asyncio.get_running_loop()
    results: list[dict[str, Any]] = []
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="netwright-udp") as pool:
        for start in range(0, len(probes), SLICE):  # never thousands of descriptors at once
            chunk = probes[start: start + SLICE]
            sockets = await loop.run_in_executor(pool, _open, chunk)
            results += await asyncio.gather(*(
                _ask(sock, p.target, port, timeout, attempts)
                for sock, p in zip(sockets, chunk, strict=True)))
    return results
