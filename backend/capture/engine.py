"""Capture packets on one interface into a pcapng stream on a file descriptor.

The packet socket is opened by a short-lived thread that enters the interface's namespace
(``kernel.netns.in_netns``; a socket stays in the namespace it was made in, and nothing forks),
with protocol 0 so it receives nothing until the filter is attached and it is bound to the
interface: no packet that the filter refuses, or from another interface, ever reaches it.
The caller's descriptor is only written to, never opened here, so root never writes into a
path of the user's choosing. A capture ends on its packet count, its time limit, ``stop``
being set (Cancel, the caller leaving) or the reader closing its end (EPIPE).
"""

from __future__ import annotations

import errno
import os
import select
import socket
import struct
import threading
import time
from dataclasses import dataclass

from netwright.backend.capture import bpf, pcapng
from netwright.backend.capture.errors import CaptureError
from netwright.backend.kernel.netns import in_netns

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_STATISTICS = 6
SO_RCVBUFFORCE = 33
SO_TIMESTAMPNS = 35
SNAPLEN = 262144
RECEIVE_BUFFER = 32 * 1024 * 1024
#: How long written packets may sit in the buffer before they reach the reader.
FLUSH_SECONDS = 0.2
FLUSH_BYTES = 256 * 1024
#: Packets read between two looks at the clock and the stop flag, under a flood.
BATCH = 512
_TIMESPEC = struct.Struct("=qq")
_GONE = (errno.ENETDOWN, errno.ENXIO, errno.ENODEV)


@dataclass(frozen=True)
class CaptureLimits:
    """Stop after ``count`` packets or ``seconds`` (None = no limit); ``filter`` is tcpdump's
    expression language, compiled before the socket is bound."""

    count: int | None = None
    seconds: float | None = None
    filter: str = ""


@dataclass(frozen=True)
class CaptureResult:
    """What a capture wrote and why it ended (count, seconds, stopped, reader-closed,
    interface-gone)."""

    packets: int
    dropped: int
    ended: str

    def to_json(self) -> dict[str, object]:
        return {"packets": self.packets, "dropped": self.dropped, "ended": self.ended}


def open_socket(netns: str | None, interface: str,
                program: list[tuple[int, int, int, int]] | None) -> socket.socket:
    """A packet socket bound to ``interface`` inside ``netns``, filter attached first."""

    def work() -> socket.socket:
        try:
            index = socket.if_nametoindex(interface)
        except OSError:
            where = f"namespace {netns}" if netns else "the host"
            raise CaptureError(f"there is no interface {interface} in {where}") from None
        sock = socket.socket(socket.AF_PACKET, socket.SOCK_RAW | socket.SOCK_CLOEXEC, 0)
        try:
            if program is not None:
                bpf.attach(sock, program)
            try:
                sock.setsockopt(socket.SOL_SOCKET, SO_RCVBUFFORCE, RECEIVE_BUFFER)
            except PermissionError:  # a lab without CAP_NET_ADMIN: the ordinary maximum
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMPNS, 1)
            sock.bind((interface, ETH_P_ALL, 0, 0, b"", ))
            if index != socket.if_nametoindex(interface):  # renamed meanwhile: say so
                raise CaptureError(f"interface {interface} changed while it was opened")
        except BaseException:
            sock.close()
            raise
        return sock

    try:
        return in_netns(netns, work)
    except FileNotFoundError:
        raise CaptureError(f"there is no namespace {netns}") from None
    except PermissionError:
        raise CaptureError("capturing needs CAP_NET_RAW (run as root, through netwrightd, or"
                           " in the lab)") from None


def capture(netns: str | None, interface: str, out_fd: int, limits: CaptureLimits,
            stop: threading.Event | None = None) -> CaptureResult:
    """Capture on ``interface`` in ``netns`` (None = this process's namespace) into
    ``out_fd`` as pcapng until a limit is reached, ``stop`` is set or the reader leaves.

    >>> capture("lab-net1", "ipvlan1", fd, CaptureLimits(count=10, filter="icmp"))
    """
    return record(open_capture(netns, interface, limits), interface, out_fd, limits, stop)


def open_capture(netns: str | None, interface: str, limits: CaptureLimits) -> socket.socket:
    """Compile the filter and open the bound socket: every refusal (bad filter, no such
    interface) happens here, before a caller is told the capture started."""
    program = bpf.compile_filter(limits.filter) if limits.filter else None
    return open_socket(netns, interface, program)


def record(sock: socket.socket, interface: str, out_fd: int, limits: CaptureLimits,
           stop: threading.Event | None = None) -> CaptureResult:
    """Write what ``sock`` (from open_capture) receives into ``out_fd``; closes ``sock``."""
    try:
        return _run(sock, interface, out_fd, limits, stop or threading.Event())
    finally:
        sock.close()


def _run(sock: socket.socket, interface: str, out_fd: int, limits: CaptureLimits,
         stop: threading.Event) -> CaptureResult:
    writer = _Writer(out_fd)
    comment = f"filter: {limits.filter}" if limits.filter else ""
    if not writer.write(pcapng.section_header()
                        + pcapng.interface_description(interface, SNAPLEN, comment)):
        return CaptureResult(0, 0, "reader-closed")
    deadline = None if limits.seconds is None else time.monotonic() + limits.seconds
    remaining = limits.count
    packets = 0
    buffer = bytearray(SNAPLEN)
    view = memoryview(buffer)
    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    ancillary = socket.CMSG_SPACE(_TIMESPEC.size)
    recvmsg_into = sock.recvmsg_into
    enhanced = pcapng.enhanced_packet
    ended = "stopped"
    while not stop.is_set():
        if remaining == 0:
            ended = "count"
            break
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            ended = "seconds"
            break
        wait = FLUSH_SECONDS if deadline is None else min(FLUSH_SECONDS, deadline - now)
        if not poller.poll(max(1, int(wait * 1000))):
            if not writer.flush():
                ended = "reader-closed"
                break
            continue
        # Drain what is queued (a batch at most) before looking at the clock again.
        for _ in range(BATCH):
            if remaining == 0:
                break
            try:
                size, cmsgs, _flags, _ = recvmsg_into([view], ancillary,
                                                     socket.MSG_DONTWAIT | socket.MSG_TRUNC)
            except BlockingIOError:
                break
            except OSError as exc:  # the interface was deleted (a destroy) or went away
                if exc.errno not in _GONE:
                    raise
                writer.flush()
                return CaptureResult(packets, _dropped(sock), "interface-gone")
            stamp = _timestamp(cmsgs)
            captured = min(size, SNAPLEN)
            if not writer.write(enhanced(stamp, view[:captured], size)):
                return CaptureResult(packets, _dropped(sock), "reader-closed")
            packets += 1
            if remaining is not None:
                remaining -= 1
    writer.flush()
    return CaptureResult(packets, _dropped(sock), ended)


def _timestamp(cmsgs: list[tuple[int, int, bytes]]) -> int:
    for level, kind, data in cmsgs:
        if level == socket.SOL_SOCKET and kind == SO_TIMESTAMPNS and len(data) >= 16:
            seconds: int
            nanoseconds: int
            seconds, nanoseconds = _TIMESPEC.unpack_from(data)
            return seconds * 1_000_000_000 + nanoseconds
    return time.time_ns()


def _dropped(sock: socket.socket) -> int:
    """Packets the kernel dropped because the socket's queue was full (tp_drops)."""
    try:
        _packets, drops = struct.unpack("=II", sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, 8))
    except OSError:
        return 0
    return int(drops)


class _Writer:
    """Buffers blocks and writes them to the caller's descriptor; False once it is closed."""

    def __init__(self, fd: int) -> None:
        self._fd = fd
        self._parts: list[bytes] = []
        self._size = 0
        self._last = time.monotonic()

    def write(self, block: bytes) -> bool:
        self._parts.append(block)
        self._size += len(block)
        if self._size >= FLUSH_BYTES or time.monotonic() - self._last >= FLUSH_SECONDS:
            return self.flush()
        return True

    def flush(self) -> bool:
        self._last = time.monotonic()
        if not self._parts:
            return True
        data = memoryview(b"".join(self._parts))
        self._parts.clear()
        self._size = 0
        try:
            while data:
                data = data[os.write(self._fd, data):]
        except OSError as exc:
            if exc.errno in (errno.EPIPE, errno.EBADF, errno.ECONNRESET):
                return False
            raise CaptureError(f"cannot write the capture: {os.strerror(exc.errno or 0)}"
                               ) from None
        return True
