"""Impaired paths: what the design's delay, jitter and loss should do to a pair's echoes, and
whether the kernel did it.

For each pair predicted reachable, the explainer's walks (request and reply, hop by hop) name
the devices that *send* the packets: the sender's device on each hop, and a bridge port
passing frames on towards the answering device. Their ``impairment`` (netem shapes egress)
adds up to the round trip the design asks for: delays and jitters sum, losses compound. A pair
whose path has any delay, jitter or loss gets ``PROBES`` more echoes (fewer each when many
pairs are impaired); the median RTT and the share lost are set beside what the design asks,
and a pair outside tolerance is flagged. Pure except ``measure_impaired``, which sends the
echoes.
"""

from __future__ import annotations

import ipaddress
import itertools
import math
import statistics
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from netwright.backend.checks.explain import Explainer, Step
from netwright.backend.checks.network import Place
from netwright.backend.checks.prober import EchoProber, Probe
from netwright.backend.checks.results import Observation, Pair
from netwright.backend.topology.impairment import duration_us, percent

PROBES = 50
ECHO_BUDGET = 20_000  # echoes in flight at once for all impaired pairs together
MIN_PROBES = 5
RTT_SLACK_MS = 5.0  # scheduling and veth time on a loaded machine
RTT_SHARE = 0.2  # of the designed RTT
LOSS_SLACK = 0.03  # besides three standard deviations of the binomial count


@dataclass(frozen=True)
class PathImpairment:
    """The round trip a design asks for: ``delay_ms`` and ``jitter_ms`` summed over every
    sending device both ways, ``loss`` the chance that request or reply is lost."""

    delay_ms: float
    jitter_ms: float
    loss: float
    devices: tuple[str, ...]

    def text(self) -> str:
        parts = [f"RTT {self.delay_ms:g} ms" + (f" ±{self.jitter_ms:g}" if self.jitter_ms
                                                 else "")]
        if self.loss:
            parts.append(f"{self.loss * 100:.3g} % loss")
        return ", ".join(parts)


def _egress(explainer: Explainer, steps: tuple[Step, ...]) -> list[str]:
    """The devices that send the packet on these hops: each hop's own device, and each
    bridge port the bridge hands the frame to."""
    found = []
    for _place, out_dev, _hop, answering in steps:
        found.append(out_dev)
        path = explainer.l2.path(out_dev, answering) if answering else []
        for before, key in itertools.pairwise(path):
            link = explainer.net.link(key)
            if link is not None and getattr(link, "master", None) == before:
                found.append(key)
    return found


def path_impairment(explainer: Explainer, place: Place, address: str) -> PathImpairment | None:
    """What the design's impairments do to an echo from ``place`` to ``address`` and back;
    None when nothing on the way delays or drops packets."""
    dst = ipaddress.ip_address(address)
    src = explainer.source_address(place, dst)
    forward = explainer.walk(place, dst)
    if src is None or not forward.ok:
        return None
    back = explainer.walk(forward.place, src)
    delay = jitter = 0.0
    kept = 1.0
    devices = []
    topology = explainer.net.topology
    for key in _egress(explainer, forward.steps) + _egress(explainer, back.steps):
        link = topology.interfaces.get(key)
        shaped = link.impairment if link is not None else None
        if shaped is None or not (shaped.delay or shaped.jitter or shaped.loss):
            continue
        devices.append(key)
        delay += duration_us(shaped.delay) / 1000 if shaped.delay else 0.0
        jitter += duration_us(shaped.jitter) / 1000 if shaped.jitter else 0.0
        kept *= 1 - (percent(shaped.loss) / 100 if shaped.loss else 0.0)
    if not devices:
        return None
    return PathImpairment(delay, jitter, 1 - kept, tuple(devices))


def probes_per_pair(pairs: int) -> int:
    """``PROBES`` each, fewer when many pairs are impaired (a mesh of a hundred impaired
    namespaces has ten thousand pairs): ``ECHO_BUDGET`` in all, never under ``MIN_PROBES``."""
    return max(MIN_PROBES, min(PROBES, ECHO_BUDGET // max(pairs, 1)))


def judge(expected: PathImpairment, rtts: list[float], sent: int) -> dict[str, Any]:
    """Measured against designed: the JSON a pair's observation carries as ``impairment``.

    RTT: the fastest tenth of the echoes (their 10th percentile) within ``RTT_SHARE`` of
    the designed RTT, plus twice the jitter, plus ``RTT_SLACK_MS``. The delay netem adds is
    a floor under every echo, while a busy machine's scheduling only ever adds to some of
    them: on a loaded laptop (or a VM) the median rose 13 ms over a 40 ms design while the
    floor stayed where the design put it. Loss: within three standard deviations of the
    count ``sent`` echoes give at the designed rate, plus ``LOSS_SLACK``.
    """
    lost = sent - len(rtts)
    loss = lost / sent if sent else 0.0
    median = statistics.median(rtts) if rtts else None
    floor = (statistics.quantiles(rtts, n=10, method="inclusive")[0] if len(rtts) > 1
             else median)
    rtt_room = RTT_SLACK_MS + RTT_SHARE * expected.delay_ms + 2 * expected.jitter_ms
    loss_room = LOSS_SLACK + 3 * math.sqrt(expected.loss * (1 - expected.loss) / max(sent, 1))
    problems = []
    if floor is not None and median is not None and abs(floor - expected.delay_ms) > rtt_room:
        problems.append(f"RTT {median:.1f} ms (fastest tenth {floor:.1f} ms), designed"
                        f" {expected.delay_ms:g} ms (± {rtt_room:.1f})")
    if abs(loss - expected.loss) > loss_room:
        problems.append(f"{loss * 100:.3g} % lost, designed {expected.loss * 100:.3g} %"
                        f" (± {loss_room * 100:.3g})")
    return {"probes": sent, "received": len(rtts),
            "rtt_ms": None if median is None else round(median, 3),
            "rtt_p10_ms": None if floor is None else round(floor, 3),
            "rtt_min_ms": round(min(rtts), 3) if rtts else None,
            "rtt_max_ms": round(max(rtts), 3) if rtts else None,
            "loss_percent": round(loss * 100, 2),
            "designed_rtt_ms": expected.delay_ms, "designed_jitter_ms": expected.jitter_ms,
            "designed_loss_percent": round(expected.loss * 100, 3),
            "devices": list(expected.devices), "within": not problems,
            "text": "; ".join(problems) or (
                f"RTT {median if median is not None else 0:.1f} ms, {loss * 100:.3g} % lost:"
                f" as designed ({expected.text()})")}


async def measure_impaired(pairs: list[Pair], probes: list[Probe],
                           observations: list[Observation], explainer: Explainer, *,
                           place_of: Callable[[str], Place],
                           timeout: float) -> list[Observation]:
    """``observations`` with an ``impairment`` judgement on every reachable pair whose path
    is impaired, from ``PROBES`` more echoes each (all in flight together, no retries)."""
    chosen: list[tuple[int, PathImpairment]] = []
    for index, (pair, seen) in enumerate(zip(pairs, observations, strict=True)):
        if pair.predicted.verdict != "reachable" or seen.verdict != "reachable":
            continue
        expected = path_impairment(explainer, place_of(pair.source), pair.target.address)
        if expected is not None:
            chosen.append((index, expected))
    if not chosen:
        return observations
    slowest = max(expected.delay_ms + 2 * expected.jitter_ms for _i, expected in chosen)
    each = probes_per_pair(len(chosen))
    sent = [Probe.like(probes[index], probes[index].netns) for index, _e in chosen
            for _copy in range(each)]
    answers = await EchoProber(timeout + slowest / 1000, 0).run(sent)
    result = list(observations)
    for number, (index, expected) in enumerate(chosen):
        mine = answers[number * each:(number + 1) * each]
        rtts = [a.rtt_ms for a in mine if a.verdict == "reachable" and a.rtt_ms is not None]
        result[index] = replace(result[index], impairment=judge(expected, rtts, each))
    return result
