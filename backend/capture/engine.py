"""Capture packets on one interface into a pcapng stream on a file descriptor.

The packet socket is opened by a short-lived thread that enters the interface's namespace
(``kernel.netns.in_netns``; a socket stays in the namespace it was made in, and nothing forks),
with protocol 0 so it receives nothing until the filter is attached and it is bound to the
interface: no packet that the filter refuses, or from another interface, ever reaches it. It
is read through a TPACKET_V3 ring (``ring``), a block of packets per wake-up, as tcpdump does.
The caller's descriptor is only written to, never opened here, so root never writes into a
path of the user's choosing; and it is written by a helper process (``cat``), never by this
thread: the caller chooses what the descriptor is,
and one that never takes data (a pipe or terminal nobody reads, a file on a FUSE mount whose
server never answers) would block a write forever, beyond Cancel and the caller leaving. The
helper blocks instead, and is ended by its PID. A capture ends on its packet count, its time
limit, ``stop`` being set (Cancel, the caller leaving) or the reader closing its end (EPIPE).
"""

from __future__ import annotations

import contextlib
import errno
import fcntl
import os
import select
import shutil
import socket
import struct
import subprocess
import threading
import time
from dataclasses import dataclass

from netwright.backend.capture import bpf, pcapng, ring
from netwright.backend.capture.errors import CaptureError
from netwright.backend.kernel.netns import in_netns

ETH_P_ALL = 0x0003
SOL_PACKET = 263
PACKET_STATISTICS = 6
SNAPLEN = 262144
#: How long written packets may sit in the buffer before they reach the reader.
FLUSH_SECONDS = 0.2
FLUSH_BYTES = 256 * 1024
#: After the interface went away: how long the kernel may take to retire its last block.
LAST_BLOCK_SECONDS = 4 * ring.RETIRE_MS / 1000
#: How often a writer waiting for a stalled reader looks at the stop flag.
WAIT_SLICE_SECONDS = 0.1
#: How long the end of a capture waits for the reader to take what is left.
DRAIN_SECONDS = 2.0
#: The pipe to the writing helper (F_SETPIPE_SZ), so a burst does not wait for it.
HELPER_PIPE_BYTES = 1024 * 1024
F_SETPIPE_SZ = 1031
_STATS_V3 = struct.Struct("=III")  # struct tpacket_stats_v3: packets, drops, freezes
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
            ring.configure(sock)
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
    """Write what ``sock`` (from open_capture) receives into ``out_fd`` (through the helper
    process); unmaps its ring and closes ``sock``."""
    stop = stop or threading.Event()
    try:
        packets = ring.Ring(sock)
        try:
            output = _Output(out_fd, stop)
            try:
                return _run(sock, packets, interface, output, limits, stop=stop)
            finally:
                output.close()
        finally:
            packets.close()
    finally:
        sock.close()


def _run(sock: socket.socket, packets: ring.Ring, interface: str, writer: _Output,
         limits: CaptureLimits, *, stop: threading.Event) -> CaptureResult:
    comment = f"filter: {limits.filter}" if limits.filter else ""
    if not writer.write(pcapng.section_header()
                        + pcapng.interface_description(interface, SNAPLEN, comment)):
        return CaptureResult(0, 0, "reader-closed")
    deadline = None if limits.seconds is None else time.monotonic() + limits.seconds
    remaining = limits.count
    written = 0

    def write_block() -> bool:
        """The next retired block into the output (the count's rest of it at most)."""
        nonlocal remaining, written
        taken = packets.take(remaining, pcapng.enhanced_packet)
        if not writer.write(b"".join(taken)):
            return False
        written += len(taken)
        remaining = None if remaining is None else remaining - len(taken)
        return True

    poller = select.poll()
    poller.register(sock.fileno(), select.POLLIN)
    ended = "stopped"
    while not stop.is_set():
        if remaining == 0:
            ended = "count"
            break
        now = time.monotonic()
        if deadline is not None and now >= deadline:
            ended = "seconds"
            break
        if not packets.ready():
            wait = FLUSH_SECONDS if deadline is None else min(FLUSH_SECONDS, deadline - now)
            events = poller.poll(max(1, int(wait * 1000)))
            if any(event & select.POLLERR for _, event in events) and _gone(sock):
                # The interface was deleted (a destroy) or went down: what the kernel had
                # received is in its last blocks, retired within RETIRE_MS.
                time.sleep(LAST_BLOCK_SECONDS)
                while packets.ready() and remaining != 0:
                    if not write_block():
                        return CaptureResult(written, _dropped(sock), "reader-closed")
                writer.flush()
                return CaptureResult(written, _dropped(sock), "interface-gone")
            if not packets.ready():
                if not writer.flush():
                    ended = "reader-closed"
                    break
                continue
        if not write_block():
            return CaptureResult(written, _dropped(sock), "reader-closed")
    writer.flush()
    return CaptureResult(written, _dropped(sock), ended)


def _gone(sock: socket.socket) -> bool:
    """Whether the socket's pending error (which reading it clears) says the interface was
    deleted or went down; any other error is raised."""
    error = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
    if error and error not in _GONE:
        raise OSError(error, os.strerror(error))
    return bool(error)


def _dropped(sock: socket.socket) -> int:
    """Packets the kernel dropped because the ring was full (tp_drops)."""
    try:
        _packets, drops, _freezes = _STATS_V3.unpack(
            sock.getsockopt(SOL_PACKET, PACKET_STATISTICS, _STATS_V3.size))
    except (OSError, struct.error):
        return 0
    return int(drops)


class _Output:
    """Buffers blocks and hands them to the helper that writes the caller's descriptor;
    False from ``write``/``flush`` once the reader has closed it (the helper has ended)."""

    def __init__(self, fd: int, stop: threading.Event) -> None:
        self._stop = stop
        self._parts: list[bytes] = []
        self._size = 0
        self._last = time.monotonic()
        self._failure = ""
        read_end, self._pipe = os.pipe2(os.O_CLOEXEC | os.O_NONBLOCK)
        try:
            with contextlib.suppress(OSError):  # a smaller pipe only waits more often
                fcntl.fcntl(self._pipe, F_SETPIPE_SZ, HELPER_PIPE_BYTES)
            os.set_blocking(read_end, True)  # the helper's end: it may wait, we never do
            self._helper = _start_helper(read_end, fd)
        except BaseException:
            os.close(self._pipe)
            raise
        finally:
            os.close(read_end)
        self._poller = select.poll()
        self._poller.register(self._pipe, select.POLLOUT)

    def write(self, block: bytes) -> bool:
        self._parts.append(block)
        self._size += len(block)
        if self._size >= FLUSH_BYTES or time.monotonic() - self._last >= FLUSH_SECONDS:
            return self.flush()
        return True

    def flush(self, patience: float | None = None) -> bool:
        """Hand what is buffered over; while the reader is slow, wait for it until ``stop``
        is set (or ``patience`` seconds, when given), then drop the rest."""
        self._last = time.monotonic()
        if not self._parts:
            return True
        data = memoryview(b"".join(self._parts))
        self._parts.clear()
        self._size = 0
        give_up = None if patience is None else time.monotonic() + patience
        while data:
            try:
                data = data[os.write(self._pipe, data):]
            except BlockingIOError:
                if not self._wait(give_up):
                    return True  # stopped while the reader stalled: the rest is dropped
            except BrokenPipeError:
                return False
        return True

    def _wait(self, give_up: float | None) -> bool:
        """True once the helper takes data again; False when we stop waiting first."""
        while not self._poller.poll(int(WAIT_SLICE_SECONDS * 1000)):
            if give_up is None and self._stop.is_set():
                return False
            if give_up is not None and time.monotonic() >= give_up:
                return False
        return True

    def close(self) -> None:
        """The last blocks, then the helper: given DRAIN_SECONDS to write what it holds,
        then ended by its PID. CaptureError if writing failed for another reason than the
        reader closing (a full disk, say), in the helper's words."""
        try:
            self.flush(DRAIN_SECONDS)
        finally:
            os.close(self._pipe)
            try:
                self._helper.wait(DRAIN_SECONDS)
            except subprocess.TimeoutExpired:
                self._helper.kill()
                self._helper.wait()
        reason = _said(self._helper).splitlines()
        if self._helper.returncode not in (0, -9) and reason and not _reader_left(reason[-1]):
            raise CaptureError("cannot write the capture: "
                               + reason[-1].rsplit(": ", 1)[-1][:200])


def _said(helper: subprocess.Popen[bytes]) -> str:
    """What the ended helper wrote to its stderr, without waiting for more."""
    if helper.stderr is None:
        return ""
    try:
        os.set_blocking(helper.stderr.fileno(), False)
        return (helper.stderr.read(4096) or b"").decode(errors="replace").strip()
    except OSError:
        return ""
    finally:
        helper.stderr.close()


def _reader_left(message: str) -> bool:
    return any(word in message for word in ("Broken pipe", "Bad file descriptor",
                                            "Connection reset"))


def _start_helper(read_end: int, fd: int) -> subprocess.Popen[bytes]:
    """``cat`` from our pipe into the caller's descriptor, with nothing else of ours (no
    other descriptor, no environment): the only process that may wait on the caller. In a
    process group of its own, so the Ctrl+C a terminal sends its whole foreground group
    (``capture --local``) stops the capture, not the helper: what is on its way is written."""
    cat = shutil.which("cat", path="/usr/bin:/bin")
    if cat is None:
        raise CaptureError("capturing needs cat (coreutils), which is not installed")
    return subprocess.Popen([cat], stdin=read_end, stdout=fd, stderr=subprocess.PIPE,
                            env={}, cwd="/", close_fds=True, process_group=0)
