"""The capture dialog's list: pcapng blocks followed as the file grows, frames decoded by dpkt."""

from __future__ import annotations

import socket

import dpkt
import pytest

from netwright.backend.capture import pcapng
from netwright.gui.model.packet_rows import PcapngTail, rows


def _echo(source: str, target: str, kind: int) -> bytes:
    icmp = dpkt.icmp.ICMP(type=kind, data=dpkt.icmp.ICMP.Echo(id=1, seq=1, data=b"ping"))
    ip = dpkt.ip.IP(src=socket.inet_aton(source), dst=socket.inet_aton(target), p=1, data=icmp)
    ip.len = len(bytes(ip))
    return bytes(dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\x04" * 6, type=0x0800, data=ip))


def _arp() -> bytes:
    arp = dpkt.arp.ARP(op=dpkt.arp.ARP_OP_REQUEST, sha=b"\x02" * 6, spa=socket.inet_aton(
        "10.0.0.1"), tha=b"\0" * 6, tpa=socket.inet_aton("10.0.0.2"))
    return bytes(dpkt.ethernet.Ethernet(src=b"\x02" * 6, dst=b"\xff" * 6, type=0x0806,
                                        data=arp))


def test_blocks_fed_in_pieces_become_decoded_rows() -> None:
    frames = [_echo("10.0.0.1", "10.0.0.2", dpkt.icmp.ICMP_ECHO),
              _echo("10.0.0.2", "10.0.0.1", dpkt.icmp.ICMP_ECHOREPLY), _arp()]
    stream = (pcapng.section_header() + pcapng.interface_description("v1", 262144)
              + b"".join(pcapng.enhanced_packet(1_000_000_000 + i * 500_000, f, len(f))
                         for i, f in enumerate(frames)))
    tail = PcapngTail()
    got = []
    for start in range(0, len(stream), 7):  # a writer's flushes end anywhere
        got += tail.feed(stream[start:start + 7])
    assert [frame for _, frame in got] == frames
    shown, first = rows(got, None, 0)
    assert first == 1_000_000_000
    assert [(r.number, r.source, r.destination, r.protocol, r.info) for r in shown] == [
        (1, "10.0.0.1", "10.0.0.2", "ICMP", "Echo (ping) request"),
        (2, "10.0.0.2", "10.0.0.1", "ICMP", "Echo (ping) reply"),
        (3, "10.0.0.1", "10.0.0.2", "ARP", "Who has 10.0.0.2? Tell 10.0.0.1")]
    assert shown[2].seconds == pytest.approx(0.001)


def test_a_file_that_is_not_pcapng_is_refused() -> None:
    with pytest.raises(ValueError, match="not a pcapng stream"):
        PcapngTail().feed(b"\x01\x00\x00\x00\x05\x00\x00\x00" + b"\0" * 8)
