"""Read a pcapng (or tcpdump's pcap) file with dpkt, an independent reader: its frames as
(timestamp, bytes), and the ICMP echoes in it as (type, source, destination)."""

from __future__ import annotations

import socket
from pathlib import Path

import dpkt


def frames(path: Path) -> list[tuple[float, bytes]]:
    """Every frame of a pcapng file (ours), or of a classic pcap file (tcpdump -w)."""
    with path.open("rb") as stream:
        pcapng = stream.read(4) == b"\x0a\x0d\x0d\x0a"
        stream.seek(0)
        reader = dpkt.pcapng.Reader(stream) if pcapng else dpkt.pcap.Reader(stream)
        return [(float(ts), bytes(data)) for ts, data in reader]


def icmp_echoes(path: Path) -> list[tuple[str, str, str]]:
    """Each ICMP echo ('request' or 'reply') with its source and destination addresses."""
    out = []
    for _ts, data in frames(path):
        ethernet = dpkt.ethernet.Ethernet(data)
        ip = ethernet.data
        if not isinstance(ip, dpkt.ip.IP) or not isinstance(ip.data, dpkt.icmp.ICMP):
            continue
        kind = {dpkt.icmp.ICMP_ECHO: "request", dpkt.icmp.ICMP_ECHOREPLY: "reply"}.get(
            ip.data.type)
        if kind is not None:
            out.append((kind, socket.inet_ntoa(ip.src), socket.inet_ntoa(ip.dst)))
    return out
