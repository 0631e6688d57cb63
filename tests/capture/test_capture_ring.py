"""The capture ring (TPACKET_V3) on a real veth: bursts that span several of its blocks keep
every packet, in order, with their kernel timestamps; a count ends within a block; the time
limit, the stop flag and the interface's deletion end a capture promptly under a flood; a
trickle reaches the reader without waiting for a block to fill."""

from __future__ import annotations

import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from netwright.backend.capture import ring
from netwright.backend.capture.engine import CaptureLimits, open_capture, record
from netwright.backend.kernel.netns import in_netns
from tests.tools.capture_pair import B_ADDRESS, Pair, ping, veth_pair
from tests.tools.pcap_reader import frames

PORT = 9999
PAYLOAD = 1000
#: Datagrams of a burst: about 4.2 MB of frames, four ring blocks and more.
BURST = 4000
_UDP = f"udp and dst port {PORT}"
_SEQUENCE = struct.Struct("!I")
#: A flood from namespace a to b, until the test ends it (by its PID).
_FLOOD = ("import socket\n"
          "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
          "while True:\n"
          f"    s.sendto(b'x' * 18, ({B_ADDRESS!r}, {PORT}))\n")


class _Recording:
    """``record`` of an open capture in a thread, into a file; the result once it ended."""

    def __init__(self, pair: Pair, path: Path, limits: CaptureLimits, *,
                 stop: threading.Event | None = None, netns: str = "", link: str = "") -> None:
        self.path = path
        self.result: dict[str, object] = {}
        self.ended_at = 0.0
        self._fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        link = link or pair.a_link
        sock = open_capture(netns or pair.a, link, limits)
        self._thread = threading.Thread(target=self._run, args=(sock, link, limits, stop))
        self._thread.start()

    def _run(self, sock: socket.socket, link: str, limits: CaptureLimits,
             stop: threading.Event | None) -> None:
        self.result.update(record(sock, link, self._fd, limits, stop).to_json())
        self.ended_at = time.monotonic()

    def join(self) -> dict[str, object]:
        self._thread.join(timeout=20)
        assert not self._thread.is_alive()
        os.close(self._fd)
        return self.result


def _burst(pair: Pair, count: int) -> None:
    """``count`` numbered datagrams of PAYLOAD bytes from namespace a to b, as fast as the
    socket takes them (a's ARP entry made first, so none waits in the neighbour queue)."""
    ping(pair.a, B_ADDRESS, 1)

    def send() -> None:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sender:
            for number in range(count):
                sender.sendto(_SEQUENCE.pack(number).ljust(PAYLOAD, b"."), (B_ADDRESS, PORT))

    in_netns(pair.a, send)


def _sequence(path: Path) -> list[int]:
    """The numbers of the datagrams in a capture (UDP payload after Ethernet, IPv4, UDP)."""
    return [_SEQUENCE.unpack_from(data, 14 + 20 + 8)[0] for _, data in frames(path)]


def _block_types(data: bytes) -> list[int]:
    """The types of the whole pcapng blocks at the start of ``data`` (host byte order)."""
    types, at = [], 0
    while at + 8 <= len(data):
        kind, length = struct.unpack_from("=II", data, at)
        if at + length > len(data):
            break
        types.append(kind)
        at += length
    return types


@contextmanager
def _flood(pair: Pair) -> Iterator[None]:
    ping(pair.a, B_ADDRESS, 1)
    sender = subprocess.Popen(["ip", "netns", "exec", pair.a, sys.executable, "-c", _FLOOD])
    try:
        time.sleep(0.3)
        yield
    finally:
        sender.kill()
        sender.wait()


def test_a_burst_over_several_blocks_keeps_every_packet_in_order(tmp_path: Path) -> None:
    assert BURST * (PAYLOAD + 42) > 3 * ring.BLOCK_BYTES
    part = BURST // 2 + 7  # ends inside a block
    with veth_pair() as pair:
        started = time.time()
        whole = _Recording(pair, tmp_path / "whole.pcapng", CaptureLimits(count=BURST,
                                                                          filter=_UDP))
        first = _Recording(pair, tmp_path / "part.pcapng", CaptureLimits(count=part,
                                                                         filter=_UDP))
        _burst(pair, BURST)
        assert whole.join() == {"packets": BURST, "dropped": 0, "ended": "count"}
        assert first.join() == {"packets": part, "dropped": 0, "ended": "count"}
    assert _sequence(whole.path) == list(range(BURST))
    assert _sequence(first.path) == list(range(part))
    stamps = [stamp for stamp, _ in frames(whole.path)]
    assert stamps == sorted(stamps)
    assert started - 1 <= stamps[0] and stamps[-1] <= time.time() + 1
    assert {len(data) for _, data in frames(whole.path)} == {14 + 20 + 8 + PAYLOAD}


def test_seconds_and_stop_end_a_capture_under_a_flood_promptly(tmp_path: Path) -> None:
    stop = threading.Event()
    with veth_pair() as pair, _flood(pair):
        started = time.monotonic()
        timed = _Recording(pair, tmp_path / "timed.pcapng", CaptureLimits(seconds=1.0,
                                                                          filter=_UDP))
        stopped = _Recording(pair, tmp_path / "stopped.pcapng", CaptureLimits(filter=_UDP),
                             stop=stop)
        time.sleep(1.5)
        stop.set()
        stop_set = time.monotonic()
        assert timed.join()["ended"] == "seconds"
        assert stopped.join()["ended"] == "stopped"
    assert 1.0 <= timed.ended_at - started < 1.8
    assert stopped.ended_at - stop_set < 0.5
    assert len(frames(timed.path)) > 100 and len(frames(stopped.path)) > 100


def test_deleting_the_interface_ends_the_capture_with_what_it_received(tmp_path: Path) -> None:
    with veth_pair() as pair:
        recording = _Recording(pair, tmp_path / "gone.pcapng", CaptureLimits(filter=_UDP),
                               netns=pair.b, link=pair.b_link)
        _burst(pair, 50)
        time.sleep(0.2)
        subprocess.run(["ip", "netns", "del", pair.a], check=True)  # and the veth with it
        deleted = time.monotonic()
        result = recording.join()
    assert result == {"packets": 50, "dropped": 0, "ended": "interface-gone"}
    assert recording.ended_at - deleted < 1.0
    assert _sequence(recording.path) == list(range(50))


def test_a_single_packet_reaches_the_reader_while_the_capture_goes_on(tmp_path: Path) -> None:
    read, write = os.pipe()
    stop = threading.Event()
    try:
        with veth_pair() as pair:
            limits = CaptureLimits(filter="icmp")
            sock = open_capture(pair.a, pair.a_link, limits)
            thread = threading.Thread(target=record, args=(sock, pair.a_link, write, limits,
                                                           stop))
            thread.start()
            ping(pair.a, B_ADDRESS, 1)
            sent = time.monotonic()
            data = b""
            while 6 not in _block_types(data) and time.monotonic() - sent < 2.0:
                if select.select([read], [], [], 0.1)[0]:
                    data += os.read(read, 65536)
            arrived = time.monotonic() - sent
            stop.set()
            thread.join(timeout=10)
    finally:
        os.close(read)
        os.close(write)
    assert 6 in _block_types(data)  # an Enhanced Packet Block: the echo request
    assert arrived < 1.0
