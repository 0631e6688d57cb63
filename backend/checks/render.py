"""Check results for a terminal: a matrix (rows sources, columns targets), then one line per
failure or surprise.

Marks: ✓ reachable, ✗ unreachable, coloured green/red when the output is a terminal; a ``!``
after the mark flags a pair where the observation contradicts the prediction. Before probing
(``netwright explain``) the marks are the predictions.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.checks.results import CheckResult, Pair
from netwright.backend.count_words import counted
from netwright.backend.topology.sentence_names import namespace_words

GREEN, RED, YELLOW, DIM, RESET = "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[0m"


def _verdict(pair: Pair) -> str:
    return (pair.observed or pair.predicted).verdict


def _mark(pair: Pair, colour: bool) -> str:
    reachable = _verdict(pair) == "reachable"
    mark = "✓" if reachable else "✗"
    flag = "!" if pair.matches is False else " "
    if colour:
        mark = f"{GREEN if reachable else RED}{mark}{RESET}"
        if flag == "!":
            flag = f"{YELLOW}!{RESET}"
    return mark + flag


COMPACT_COLUMNS = 30  # past this many targets, one character per cell


def _compact_mark(pair: Pair | None, colour: bool) -> str:
    if pair is None:
        return "·"
    reachable = _verdict(pair) == "reachable"
    mark = "!" if pair.matches is False else ("✓" if reachable else "✗")
    if colour:
        tint = YELLOW if mark == "!" else (GREEN if reachable else RED)
        mark = f"{tint}{mark}{RESET}"
    return mark


def render_matrix(result: CheckResult, colour: bool = False) -> str:
    sources = list(dict.fromkeys(p.source for p in result.pairs))
    columns = list(dict.fromkeys((p.target.address, p.target.label) for p in result.pairs))
    if not sources:
        return nothing_line(result)
    cells = {(p.source, p.target.address, p.target.label): p for p in result.pairs}
    width = max(len(s) for s in sources) + 2
    if len(columns) > COMPACT_COLUMNS:
        return _render_compact(sources, columns, cells, width, colour)
    lines = []
    # a cell is " ✓ " (the mark, then a flag): each number ends above its column's mark
    header = [f"{i + 1:>2} " for i in range(len(columns))]
    lines.append((" " * width + " ".join(header)).rstrip())
    for source in sources:
        row = []
        for address, label in columns:
            pair = cells.get((source, address, label))
            row.append(" " + _mark(pair, colour) if pair else (f" {DIM}·{RESET} " if colour
                                                               else " · "))
        lines.append(f"{source:<{width}}" + " ".join(row))
    lines.append("")
    lines += [f"{i + 1:>3}  {address:<16} {label}" for i, (address, label) in enumerate(columns)]
    return "\n".join(lines)


def _render_compact(sources: list[str], columns: list[tuple[str, str]],
                    cells: dict[tuple[str, str, str], Pair], width: int, colour: bool) -> str:
    """Big meshes: one character per cell (``!`` marks a surprise), a tens ruler on top."""
    ruler = "".join(str((i + 1) // 10 % 10) if (i + 1) % 10 == 0 else " "
                    for i in range(len(columns)))
    lines = [" " * width + ruler]
    for source in sources:
        row = "".join(_compact_mark(cells.get((source, a, label)), colour)
                      for a, label in columns)
        lines.append(f"{source:<{width}}{row}")
    lines.append("")
    lines += [f"{i + 1:>4}  {address:<16} {label}" for i, (address, label) in enumerate(columns)]
    return "\n".join(lines)


def _size_fails(pair: Pair) -> bool:
    """Whether full-size packets fail: as observed when probed, else as predicted."""
    seen = pair.observed.size_verdict if pair.observed is not None else None
    return (seen or pair.predicted.size_verdict) == "unreachable"


MTU_PAIRS_LISTED = 8


def _path_names(pairs: list[Pair]) -> list[str]:
    """"a → b/eb" per pair, with the address where one label stands for several (an
    interface's IPv4 and IPv6 addresses: "b → a/ea, b → a/ea" said nothing)."""
    names = [f"{source_words(p.source)} → {p.target.label}" for p in pairs]
    twice = {name for name in names if names.count(name) > 1}
    return [f"{name} ({pair.target.address})" if name in twice else name
            for name, pair in zip(names, pairs, strict=True)]


def render_path_mtus(result: CheckResult) -> list[str]:
    """The effective MTU of every predicted path: one line when all agree, else per MTU
    the pairs that have it (the smaller MTUs first, where surprises are)."""
    by_mtu: dict[int, list[Pair]] = {}
    for pair in result.pairs:
        if pair.predicted.mtu is not None:
            by_mtu.setdefault(pair.predicted.mtu, []).append(pair)
    if len(by_mtu) <= 1:  # "every path" would take in the pairs that have none
        paths = "every path" if all(_verdict(p) == "reachable" for p in result.pairs) \
            else "every path that answers"
        return [f"Path MTU {mtu} on {paths}." for mtu in by_mtu]
    lines = ["Path MTU:"]
    for mtu in sorted(by_mtu):
        pairs = by_mtu[mtu]
        names = _path_names(pairs)[:MTU_PAIRS_LISTED]
        more = f" and {len(pairs) - MTU_PAIRS_LISTED} more" if len(pairs) > MTU_PAIRS_LISTED \
            else ""
        lines.append(f"  {mtu}: {', '.join(names)}{more}")
    return lines


def source_words(source: str) -> str:
    """A pair's source as a sentence names it: "namespace gateway" for a namespace whose
    name is a word the sentences use otherwise (topology.sentence_names), else as is."""
    return namespace_words(source)


def explanation_line(pair: Pair) -> str:
    """"SOURCE → LABEL (ADDRESS): reason". The target's role (``--json``'s ``role``) is left
    out: its label says it ("gateway of wlp2s0", "wlp2s0 (host NIC)", "outside"), and the
    role's words read as a relation the source may not have ("vm1 → vm2/vm2-eth0 (10.0.0.12,
    peer)" of two VMs on one bridge; "parent" of any namespace's host NIC target)."""
    text = f"{source_words(pair.source)} → {pair.target.label} ({pair.target.address}): "
    mismatch = pair.mismatch_text()
    if mismatch:
        return text + "MISMATCH " + mismatch
    text += pair.predicted.reason
    if pair.observed is not None and pair.observed.error:
        text += f" [observed: {pair.observed.error}]"
    elif pair.observed is not None and pair.observed.size_verdict == "unreachable":
        text += (f" [observed with {pair.observed.size} bytes and don't-fragment:"
                 f" {pair.observed.size_error}]")
    if pair.predicted.fix:
        text += f" — fix: {pair.predicted.fix}"
    return text


def render_services(result: CheckResult) -> list[str]:
    """The TCP/UDP ports probed where the design has rules: one line per pair with a mark
    per port, and why each port that does not connect does not (or surprised us)."""
    with_ports = [p for p in result.pairs if p.services]
    if not with_ports:
        return []
    lines = ["", "Ports (✓ connects, ✗ refused or dropped; ! observed otherwise):"]
    for pair in with_ports:
        marks = []
        why = []
        for service in pair.services:
            verdict = (service.observed or service.predicted).verdict
            mark = "✓" if verdict == "reachable" else "✗"
            if service.matches is False:
                mark += "!"
            marks.append(f"{service.proto}/{service.port} {mark}")
            if verdict != "reachable" or service.matches is False:
                text = f"    {service.proto}/{service.port}: {service.predicted.reason}"
                if service.observed is not None and service.observed.error:
                    text += f" [observed: {service.observed.error}]"
                elif service.matches is False:
                    text += " [observed: it connects]"
                if service.predicted.fix:
                    text += f" — fix: {service.predicted.fix}"
                why.append(text)
        lines.append(f"  {source_words(pair.source)} → {pair.target.label}: "
                     + "  ".join(marks))
        lines += why
    return lines


def render_tcp_port(result: CheckResult) -> list[str]:
    """``check --port PORT``: whether a TCP connection to PORT succeeded from each pair's
    source (it was only in --json): one line when every pair fared alike, else one a pair."""
    tried = [(p, p.observed.tcp) for p in result.pairs
             if p.observed is not None and p.observed.tcp]
    if not tried:
        return []
    head = f"TCP to port {tried[0][1].get('port')} (--port)"

    def failure(tcp: dict[str, Any]) -> str | None:
        return None if tcp.get("verdict") == "reachable" else str(tcp.get("error") or
                                                                    "no answer")

    found = {failure(tcp) for _pair, tcp in tried}
    if found == {None}:
        return ["", f"{head}: every pair connects."]
    if len(found) == 1:  # most often because nothing listens there: the check starts nothing
        return ["", f"{head}: no pair connects ({found.pop()}). The check starts no listener on"
                " --port's port: it shows where a program of yours answers."]
    return ["", f"{head}:", *(
        f"  {source_words(pair.source)} → {pair.target.label}: "
        + ("connects" if failure(tcp) is None else f"does not connect ({failure(tcp)})")
        for pair, tcp in tried)]


def render_impairment(result: CheckResult) -> list[str]:
    """Each impaired pair's echoes against the design: measured RTT and loss, and the
    sentence (``outside …`` when out of tolerance)."""
    lines = []
    for pair in result.pairs:
        measured = pair.observed.impairment if pair.observed else None
        if measured:
            mark = "✓" if measured["within"] else "!"
            rtt = "—" if measured["rtt_ms"] is None else f"{measured['rtt_ms']:.1f} ms"
            lines.append(f"  {mark} {source_words(pair.source)} → {pair.target.label}: RTT {rtt}"
                         f" (designed {measured['designed_rtt_ms']:g}"
                         f" ±{measured['designed_jitter_ms']:g}), lost"
                         f" {measured['loss_percent']:g} % (designed"
                         f" {measured['designed_loss_percent']:g} %) of {measured['probes']}"
                         + ("" if measured["within"] else f": {measured['text']}"))
    return ["Impaired paths, measured against the design:", *lines] if lines else []


def nothing_line(result: CheckResult) -> str:
    """A check without a pair: what was (not) checked and why, never a verdict."""
    why = result.nothing_to_check or "no namespace has an address to probe from"
    return f"Nothing to check in {result.topology}: {why}"


def render(result: CheckResult, colour: bool = False) -> str:
    """The matrix, then the failures and mismatches, one line each; with no pair, only
    why there was nothing to check (and the notes): zero pairs are not "every pair"."""
    if not result.pairs:
        return "\n".join([nothing_line(result), *(f"note: {n}" for n in result.notes)])
    lines = [render_matrix(result, colour), ""]
    notable = [p for p in result.pairs if _verdict(p) == "unreachable" or p.matches is False
               or _size_fails(p)]
    if notable:
        lines.append("Why:")
        lines += ["  " + explanation_line(p) for p in notable]
    elif all(p.target.role == "self" for p in result.pairs):  # one place, no one else
        lines.append("Each namespace reaches its own addresses; there is no other address to"
                     " check (give another namespace an address on a shared link).")
    elif any((s.observed or s.predicted).verdict == "unreachable"
             for p in result.pairs for s in p.services):  # not "every pair" then
        lines.append("Every pair answers an echo; some ports do not connect (see Ports).")
    else:
        lines.append("Every pair is reachable.")
    lines += render_path_mtus(result)
    lines += render_services(result)
    lines += render_tcp_port(result)
    lines += render_impairment(result)
    total = len(result.pairs)
    if result.probed:
        bad = len(result.mismatches)
        lines.append("")
        lines.append(f"{counted(total, 'pair')} probed; predicted == observed for {total - bad}"
                     + (f"; {counted(bad, 'MISMATCH', 'MISMATCHES')}" if bad else ""))
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)
