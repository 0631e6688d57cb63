"""Link impairment in the file format: what a design says a wire does to its packets.

Per interface, as containerlab, Mininet's TCLink and CORE's link dialog offer it: ``delay``
and ``jitter`` (``"40ms"``, ``"500us"``), ``loss``, ``duplicate``, ``reorder`` and
``corrupt`` (``"1%"``), and a ``rate`` limit (``"10mbit"``, ``"512kbit"``). It shapes what
the interface sends (egress), as ``tc qdisc … netem`` does. Pure data with the parsing of
its units; the engine turns it into a netem (or, for a rate alone, tbf) root qdisc.

Example::

    interfaces:
      c1-eth0: {kind: veth, peer: h1, impairment: {delay: 40ms, jitter: 5ms, loss: 1%,
                                                   rate: 10mbit}}
"""

from __future__ import annotations

import re
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict
from pydantic_core import PydanticCustomError

from netwright.backend.record import record
from netwright.backend.topology.problems import quote

_DURATION = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(us|ms|s)")
_PERCENT = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*%")
_RATE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(bit|kbit|mbit|gbit)")
_US = {"us": 1, "ms": 1_000, "s": 1_000_000}
_BITS = {"bit": 1, "kbit": 1_000, "mbit": 1_000_000, "gbit": 1_000_000_000}
MAX_DELAY_US = 60_000_000  # a minute: beyond that nothing is a network any more
MIN_RATE_BITS = 8_000
MAX_RATE_BITS = 100_000_000_000
#: The most a rate limit may be: tbf's and netem's rate fields count bytes per second in 32
#: bits (4 GiB/s, 34.36 Gbit/s); above that apply failed halfway through.
MAX_SHAPED_RATE_BITS = 34_000_000_000
#: Larger than any bound here, and still a whole number: the digits a file may write are not
#: bounded, and float() of 400 nines is infinity, which round() cannot turn into an int.
_BEYOND = float(2**62)


def _amount(number: str, unit: int) -> int:
    """``number`` × ``unit`` as a whole number, at most _BEYOND (so a bound check says "too
    large" instead of an OverflowError escaping the validators)."""
    return round(min(float(number) * unit, _BEYOND))


def duration_us(value: str) -> int:
    """``"40ms"`` → 40000 (microseconds)."""
    match = _DURATION.fullmatch(value.strip())
    assert match is not None, value
    return _amount(match[1], _US[match[2]])


def percent(value: str) -> float:
    """``"1.5%"`` → 1.5."""
    match = _PERCENT.fullmatch(value.strip())
    assert match is not None, value
    return float(match[1])


def rate_bits(value: str) -> int:
    """``"10mbit"`` → 10000000 (bits per second)."""
    match = _RATE.fullmatch(value.strip())
    assert match is not None, value
    return _amount(match[1], _BITS[match[2]])


def _check_duration(value: object) -> str:
    _refuse_negative(value, "duration")
    if not isinstance(value, str) or not _DURATION.fullmatch(value.strip()):
        raise PydanticCustomError(
            "invalid-impairment", "'{value}' is not a duration: write it with its unit, e.g."
            " 40ms, 500us or 1s", {"value": str(value)[:40]})
    if duration_us(value) > MAX_DELAY_US:
        raise PydanticCustomError("invalid-impairment", "{value} is longer than a minute",
                                  {"value": quote(value.strip())})
    return value.strip()


def _check_percent(value: object) -> str:
    _refuse_negative(value, "percentage")
    if not isinstance(value, str) or not _PERCENT.fullmatch(value.strip()):
        raise PydanticCustomError(
            "invalid-impairment", "'{value}' is not a percentage: write it with %, e.g. 1% or"
            " 0.5%", {"value": str(value)[:40]})
    if percent(value) > 100:
        raise PydanticCustomError("invalid-impairment", "{value} is more than 100%",
                                  {"value": quote(value.strip())})
    return value.strip()


def _check_rate(value: object) -> str:
    _refuse_negative(value, "rate")
    if not isinstance(value, str) or not _RATE.fullmatch(value.strip()):
        raise PydanticCustomError(
            "invalid-impairment", "'{value}' is not a rate: write it with its unit, e.g."
            " 10mbit, 512kbit or 1gbit", {"value": str(value)[:40]})
    bits = rate_bits(value)
    if not MIN_RATE_BITS <= bits <= MAX_SHAPED_RATE_BITS:
        raise PydanticCustomError("invalid-impairment", "{value} is outside 8kbit–34gbit, the"
                                  " rates the kernel's tbf and netem can hold",
                                  {"value": quote(value.strip())})
    return value.strip()


def _refuse_negative(value: object, what: str) -> None:
    """'-5ms' is said to be negative, not to lack its unit."""
    if isinstance(value, str | int | float) and str(value).strip().startswith("-"):
        raise PydanticCustomError("invalid-impairment", "'{value}' is negative: a {what} is"
                                  " 0 or more", {"value": str(value)[:40], "what": what})


Duration = Annotated[str, BeforeValidator(_check_duration)]
Percent = Annotated[str, BeforeValidator(_check_percent)]
Rate = Annotated[str, BeforeValidator(_check_rate)]


class Impairment(BaseModel):
    """What the interface does to the packets it sends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    delay: Duration | None = None
    jitter: Duration | None = None
    loss: Percent | None = None
    duplicate: Percent | None = None
    reorder: Percent | None = None
    corrupt: Percent | None = None
    rate: Rate | None = None

    def needs_netem(self) -> bool:
        """Anything but a rate limit needs netem; a rate alone is a tbf."""
        return any(getattr(self, f) for f in ("delay", "jitter", "loss", "duplicate",
                                                "reorder", "corrupt"))

    def summary(self) -> str:
        """How the designer labels the wire: "40 ms ±5 · 1 % loss · 10 Mbit/s"."""
        parts = []
        if self.delay:
            text = delay_text(duration_us(self.delay))
            if self.jitter:
                text += f" ±{duration_us(self.jitter) / 1000:g}"
            parts.append(text)
        for name in ("loss", "duplicate", "reorder", "corrupt"):
            value = getattr(self, name)
            if value:
                parts.append(f"{percent_text(percent(value))} {name}")
        if self.rate:
            parts.append(rate_text(rate_bits(self.rate)))
        return " · ".join(parts)


#: The token bucket of a rate limit alone (tbf): what the engine gives the kernel and the
#: exported script gives tc, so both build the same qdisc.
TBF_LATENCY = "50ms"
#: netem's fields, in the order tc(8) takes them.
NETEM_FIELDS = ("delay", "jitter", "loss", "duplicate", "reorder", "corrupt", "rate")


@record(frozen=True)
class QdiscChoice:
    """The root qdisc an impairment is given, decided here once for both its builders: the
    engine (``engine/qdisc.qdisc_spec``, the kernel's units) and the exported script
    (``export/ip_commands.impairment_args``, tc's words), which sit side by side in the
    backend's layers and so share it from below. ``kind`` is netem, or tbf for a rate limit
    alone; ``fields`` are (name, value as the file writes it) in tc's order, a tbf's burst
    (bytes) and latency included."""

    kind: str
    fields: tuple[tuple[str, str], ...]


def qdisc_choice(impairment: Impairment | None) -> QdiscChoice | None:
    """None when the link keeps the kernel's default qdisc.

    >>> qdisc_choice(Impairment(rate="10mbit"))
    QdiscChoice(kind='tbf', fields=(('rate', '10mbit'), ('burst', '32768'), ('latency', '50ms')))
    """
    if impairment is None or not (impairment.needs_netem() or impairment.rate):
        return None
    if not impairment.needs_netem():
        assert impairment.rate is not None
        return QdiscChoice("tbf", (("rate", impairment.rate),
                                   ("burst", str(tbf_burst(impairment.rate))),
                                   ("latency", TBF_LATENCY)))
    return QdiscChoice("netem", tuple((name, value) for name in NETEM_FIELDS
                                      if (value := getattr(impairment, name))))


def tbf_burst(rate: str) -> int:
    """The bucket in bytes for ``rate``: 10 ms worth, at least 32 KiB (a smaller bucket
    holds back a TCP sender well below the rate)."""
    return max(32 * 1024, rate_bits(rate) // 8 // 100)


def delay_text(us: float) -> str:
    """Microseconds as the designer writes a delay: ``40000`` → ``"40 ms"``."""
    return f"{us / 1000:g} ms"


def percent_text(value: float) -> str:
    """``1.5`` → ``"1.5 %"``."""
    return f"{value:g} %"


def rate_text(bits: float) -> str:
    """Bits per second as the designer writes a rate: ``10000000`` → ``"10 Mbit/s"``."""
    unit, scale = next((u, s) for u, s in (("Gbit/s", 1e9), ("Mbit/s", 1e6), ("kbit/s", 1e3),
                                            ("bit/s", 1)) if bits >= s or s == 1)
    return f"{bits / scale:g} {unit}"
