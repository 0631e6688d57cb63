"""Capture filters: tcpdump's expression language, compiled by tcpdump itself.

libpcap's compiler is the reference for expressions such as ``icmp and host 10.0.0.2``;
``tcpdump -ddd`` prints the classic BPF program it makes, which SO_ATTACH_FILTER takes as is.
The expression is handed to tcpdump as one argument after ``--`` (never through a shell) and
compiled for Ethernet against an empty capture file on stdin, so no interface is opened.
Without tcpdump installed a filter is refused with a sentence rather than ignored.
"""

from __future__ import annotations

import shutil
import socket
import struct
import subprocess

from netwright.backend.capture.errors import CaptureError

#: A filter longer than this is refused before tcpdump sees it.
MAX_FILTER_CHARS = 4096
SO_ATTACH_FILTER = 26
_EMPTY_ETHERNET_PCAP = struct.pack("=IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 262144, 1)


def compile_filter(expression: str) -> list[tuple[int, int, int, int]]:
    """The BPF instructions (code, jt, jf, k) for ``expression``; CaptureError if invalid."""
    if len(expression) > MAX_FILTER_CHARS:
        raise CaptureError(f"the filter is {len(expression)} characters long; at most"
                           f" {MAX_FILTER_CHARS} are accepted")
    if "\0" in expression:
        raise CaptureError("the filter contains a NUL character")
    tcpdump = shutil.which("tcpdump", path="/usr/bin:/usr/sbin:/bin:/sbin")
    if tcpdump is None:
        raise CaptureError("--filter needs tcpdump to compile the expression and it is not"
                           " installed: install the tcpdump package, or capture without a"
                           " filter")
    done = subprocess.run([tcpdump, "-ddd", "-r", "-", "--", expression],
                          input=_EMPTY_ETHERNET_PCAP, capture_output=True, timeout=10,
                          check=False)
    if done.returncode != 0:
        words = done.stderr.decode(errors="replace").strip().splitlines()
        reason = words[-1].removeprefix("tcpdump: ") if words else "tcpdump refused it"
        raise CaptureError(f"filter {expression!r} is not valid: {reason}")
    return parse_ddd(done.stdout.decode())


def parse_ddd(text: str) -> list[tuple[int, int, int, int]]:
    """Parse ``tcpdump -ddd`` output: a count line, then one ``code jt jf k`` line each."""
    lines = text.split()
    try:
        count = int(lines[0])
        numbers = [int(n) for n in lines[1:]]
    except (IndexError, ValueError):
        raise CaptureError("tcpdump printed no BPF program for the filter") from None
    if len(numbers) != 4 * count or not 0 < count <= 4096:
        raise CaptureError("tcpdump printed a BPF program this version cannot read")
    return [(numbers[i], numbers[i + 1], numbers[i + 2], numbers[i + 3])
            for i in range(0, len(numbers), 4)]


def attach(sock: socket.socket, program: list[tuple[int, int, int, int]]) -> None:
    """Attach ``program`` to ``sock`` (SO_ATTACH_FILTER, struct sock_fprog)."""
    import ctypes

    code = b"".join(struct.pack("=HBBI", c, jt, jf, k & 0xFFFFFFFF)
                    for c, jt, jf, k in program)
    buffer = ctypes.create_string_buffer(code, len(code))
    # struct sock_fprog { unsigned short len; struct sock_filter *filter; }, native layout
    fprog = struct.pack("@HP", len(program), ctypes.addressof(buffer))
    sock.setsockopt(socket.SOL_SOCKET, SO_ATTACH_FILTER, fprog)
