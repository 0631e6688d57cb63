"""The capture engine on a real veth: what it writes, read back by dpkt (not by our code)."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from netwright.backend.capture.engine import CaptureLimits, capture, open_capture, record
from netwright.backend.capture.errors import CaptureError
from tests.tools.capture_pair import A_ADDRESS, B_ADDRESS, ping, veth_pair
from tests.tools.pcap_reader import frames, icmp_echoes


def _capture_while(path: Path, netns: str, link: str, limits: CaptureLimits,
                   traffic: Callable[[], None]) -> dict[str, object]:
    """``capture`` in a thread while ``traffic`` runs: its socket is opened and bound here
    first (``capture`` is ``open_capture`` then ``record``), so the traffic cannot start
    before the capture listens, however late the thread gets a CPU."""
    result: dict[str, object] = {}
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        sock = open_capture(netns, link, limits)
        thread = threading.Thread(target=lambda: result.update(
            record(sock, link, fd, limits).to_json()))
        thread.start()
        traffic()
        thread.join(timeout=20)
        assert not thread.is_alive()
    finally:
        os.close(fd)
    return result


def test_echo_requests_and_replies_with_their_addresses(tmp_path: Path) -> None:
    out = tmp_path / "ping.pcapng"
    with veth_pair() as pair:
        result = _capture_while(out, pair.b, pair.b_link, CaptureLimits(count=6, filter="icmp"),
                                lambda: ping(pair.a, B_ADDRESS, 3))
    assert result == {"packets": 6, "dropped": 0, "ended": "count"}
    assert icmp_echoes(out) == [("request", A_ADDRESS, B_ADDRESS),
                                ("reply", B_ADDRESS, A_ADDRESS)] * 3
    stamps = [ts for ts, _ in frames(out)]
    assert stamps == sorted(stamps) and abs(stamps[0] - time.time()) < 30


def test_without_filter_arp_is_captured_too(tmp_path: Path) -> None:
    out = tmp_path / "all.pcapng"
    with veth_pair() as pair:
        result = _capture_while(out, pair.a, pair.a_link, CaptureLimits(seconds=2.0),
                                lambda: ping(pair.a, B_ADDRESS, 2))
    assert result["ended"] == "seconds"
    ethertypes = {int.from_bytes(data[12:14], "big") for _, data in frames(out)}
    assert {0x0806, 0x0800} <= ethertypes  # ARP and IPv4


def test_time_limit_ends_a_quiet_capture(tmp_path: Path) -> None:
    out = tmp_path / "quiet.pcapng"
    with veth_pair() as pair:
        started = time.monotonic()
        result = _capture_while(out, pair.a, pair.a_link,
                                CaptureLimits(seconds=1.0, filter="tcp"), lambda: None)
        elapsed = time.monotonic() - started
    assert result == {"packets": 0, "dropped": 0, "ended": "seconds"}
    assert 1.0 <= elapsed < 3.0
    assert frames(out) == []  # a valid, empty pcapng


def test_stop_flag_and_closed_reader_end_it(tmp_path: Path) -> None:
    with veth_pair() as pair:
        stop = threading.Event()
        read, write = os.pipe()
        timer = threading.Timer(0.5, stop.set)
        timer.start()
        assert capture(pair.a, pair.a_link, write, CaptureLimits(), stop).ended == "stopped"
        os.close(read)
        assert capture(pair.a, pair.a_link, write, CaptureLimits()).ended == "reader-closed"
        os.close(write)


def test_bad_input_is_a_sentence(tmp_path: Path) -> None:
    with veth_pair() as pair, open(tmp_path / "x", "wb") as out:
        with pytest.raises(CaptureError, match="no interface nope0 in namespace"):
            capture(pair.a, "nope0", out.fileno(), CaptureLimits(count=1))
        with pytest.raises(CaptureError, match="no namespace cap-zz"):
            capture("cap-zz", "lo", out.fileno(), CaptureLimits(count=1))
        with pytest.raises(CaptureError, match="not valid: syntax error"):
            capture(pair.a, pair.a_link, out.fileno(), CaptureLimits(filter="icmp and hst 1"))
