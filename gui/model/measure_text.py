"""What the designer says about a throughput measurement: the label on the path, the log line,
the choices of the Measure dialog and its errors, in the designer's terms.

Pure: reads a ``MeasureResult`` (``backend/measure/result.py``, the same one the CLI prints)
and the design's snapshot; draws nothing and calls no backend. The canvas label is short
("942 Mbit/s · 0 retransmits"); the log line adds the pair, the protocol and what the design
asks ("asked 10 Mbit/s, measured 9.56 Mbit/s"), flagged when outside tolerance.
"""

from __future__ import annotations

from netwright.backend.count_words import counted
from netwright.backend.measure.result import TOLERANCE, MeasureResult, format_rate
from netwright.gui.model.snapshot import Snapshot

#: The flag after a measurement that disagrees with the design.
OUTSIDE = "outside tolerance"


def path_label(result: MeasureResult) -> str:
    """The words on the path: ``"942 Mbit/s · 0 retransmits"`` (TCP) or
    ``"9.8 Mbit/s · 0.2 % loss · 0.05 ms jitter"`` (UDP); ``⚠`` first when the rate is
    outside tolerance of the design's limit."""
    parts = [format_rate(result.received_bps)]
    if result.protocol == "udp":
        parts.append(f"{result.lost_percent or 0:.2g} % loss")
        parts.append(f"{result.jitter_ms or 0:.2g} ms jitter")
    elif result.retransmits is not None:
        parts.append(counted(result.retransmits, "retransmit"))
    text = " · ".join(parts)
    return f"⚠ {text}" if result.within_tolerance() is False else text


def comparison(result: MeasureResult) -> str:
    """Beside the design's limit: ``"asked 10 Mbit/s, measured 9.56 Mbit/s"`` plus the flag
    when outside tolerance; empty when the design sets no limit on the sender."""
    expected = result.expected_bps()
    if expected is None:
        return ""
    text = f"asked {format_rate(expected)}, measured {format_rate(result.received_bps)}"
    if result.within_tolerance() is False:
        text += f" — {OUTSIDE} (±{TOLERANCE * 100:.0f} %)"
    return text


def result_line(result: MeasureResult) -> str:
    """One line for the log: ``"a → b (10.9.0.2, TCP, 5 s): 9.56 Mbit/s · 0 retransmits;
    asked 10 Mbit/s, measured 9.56 Mbit/s"``."""
    head = (f"{result.source} → {result.target} ({result.address}, {result.protocol.upper()},"
            f" {result.seconds:g} s): {path_label(result).removeprefix('⚠ ')}")
    if result.protocol == "udp" and result.packets:
        head += f" ({result.lost_packets or 0}/{result.packets} datagrams lost)"
    more = comparison(result)
    return f"{head}; {more}" if more else head


def place_choices(snapshot: Snapshot) -> list[tuple[str, str]]:
    """Each namespace of the design with what the dialog shows for it:
    ``("b", "b — b0 10.9.0.2/24")``."""
    choices = []
    for namespace in snapshot.namespaces:
        ends = []
        for key in snapshot.interfaces_in(namespace):
            addresses = " ".join(snapshot.addresses_of(key))
            ends.append(f"{snapshot.label_of(key)} {addresses}".strip())
        choices.append((namespace, f"{namespace} — {', '.join(ends)}" if ends else namespace))
    return choices


def target_pair(snapshot: Snapshot, result: MeasureResult) -> dict[str, str]:
    """The measurement as a check pair (source namespace, ``target/interface``) so the path
    is found as the Checks dock finds a cell's: to the interface with the measured address."""
    owner = snapshot.address_owner(result.address)
    if owner is None or snapshot.namespace_of(owner) != result.target:
        owner = next(iter(snapshot.interfaces_in(result.target)), result.target)
    return {"source": result.source, "target_name": f"{result.target}/{owner}"}


def error_sentence(error: BaseException, topology: str, source: str, target: str) -> str:
    """A failed measurement in the designer's terms: what happened and what to do."""
    text = str(error) or type(error).__name__
    kind = type(error).__name__
    if kind == "NotDeployed" or "not deployed" in text:
        return f"'{topology}' is not deployed: Apply the design, then measure."
    if "iperf3 is not installed" in text:
        return ("iperf3 is not installed where the backend runs: install it there"
                " (apt install iperf3), then measure again.")
    if "unable to connect" in text or "did not finish" in text:
        return (f"{target} cannot be reached from {source}: {text}. Check (F6) shows which"
                " pairs reach each other, and why.")
    if kind == "NotAuthorizedError":
        return f"Measuring needs an administrator's permission: {text}"
    return f"The measurement from {source} to {target} failed: {text}"
