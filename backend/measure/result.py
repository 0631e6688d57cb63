"""The result of one throughput measurement, as the CLI, D-Bus and the designer exchange it.

Pure data with its JSON form and its sentence; no iperf3, no namespaces (``iperf.py`` fills
it). ``configured_rate`` is the tightest rate limit the design puts on A's or B's interfaces,
so a reader sees the measurement beside what the design asks.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from netwright.backend.count_words import counted

#: How far a measurement may lie from what the design asks before it is flagged: TCP's
#: ramp-up and tbf's burst over a short run (the tests measure within it at 1–3 s).
TOLERANCE = 0.15


@dataclass(frozen=True)
class MeasureResult:
    """Throughput from ``source`` to ``target`` (namespace keys) over ``protocol``."""

    topology: str
    source: str
    target: str
    address: str  # the target's address the client connected to
    protocol: str  # "tcp" or "udp"
    seconds: float
    sent_bps: float
    received_bps: float
    retransmits: int | None = None  # TCP only
    jitter_ms: float | None = None  # UDP only
    lost_packets: int | None = None  # UDP only
    packets: int | None = None  # UDP only
    lost_percent: float | None = None  # UDP only
    configured_rate: int | None = None  # bits per second, from the design's impairment
    requested_bps: int | None = None  # the rate the sender was asked to keep (UDP, --bitrate)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> MeasureResult:
        known = set(cls.__dataclass_fields__)
        return cls(**{k: v for k, v in data.items() if k in known})

    def expected_bps(self) -> float | None:
        """What the design asks of this path: its rate limit, or the rate the sender was
        asked to keep when that is lower (UDP's 1 Mbit/s through a 10 Mbit/s limit should
        arrive as 1 Mbit/s); None when the design sets no limit."""
        if self.configured_rate is None:
            return None
        if self.requested_bps:
            return float(min(self.configured_rate, self.requested_bps))
        if self.protocol == "udp" and self.sent_bps:  # from a backend that did not say
            return min(float(self.configured_rate), self.sent_bps)
        return float(self.configured_rate)

    def within_tolerance(self) -> bool | None:
        """Whether the measured rate agrees with ``expected_bps`` within ``TOLERANCE``;
        None when the design asks nothing to compare with."""
        expected = self.expected_bps()
        if expected is None or expected <= 0:
            return None
        return abs(self.received_bps - expected) <= TOLERANCE * expected

    def summary(self) -> str:
        """One line: ``"9.54 Mbit/s (limit 10 Mbit/s), 0 retransmits"``."""
        text = format_rate(self.received_bps)
        if self.configured_rate is not None:
            text += f" (limit {format_rate(self.configured_rate)})"
        if self.protocol == "tcp" and self.retransmits is not None:
            text += f", {counted(self.retransmits, 'retransmit')}"
        if self.protocol == "udp":
            text += (f", {self.lost_percent or 0:.2g} % loss ({self.lost_packets or 0}"
                     f"/{self.packets or 0}), jitter {self.jitter_ms or 0:.3f} ms")
            if self.requested_bps and self.sent_bps < (1 - TOLERANCE) * self.requested_bps:
                # A rate limit on A's own interface holds its sender back (the full qdisc
                # pushes back on the socket): "0 % loss" alone would hide the rest
                text += (f"; sent {format_rate(self.sent_bps)} of the"
                         f" {format_rate(self.requested_bps)} asked")
        return text


def format_rate(bps: float) -> str:
    """Bits per second in the unit a person reads: ``9543210`` → ``"9.54 Mbit/s"``."""
    for unit, scale in (("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3)):
        if bps >= scale:
            return f"{bps / scale:.3g} {unit}"
    return f"{bps:.0f} bit/s"
