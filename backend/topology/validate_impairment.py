"""Semantic validation of link impairment (see ``impairment.py``): what netem refuses or
ignores. Jitter and reordering only exist around a delay (netem reorders by sending some
packets without the delay the others wait), so either without ``delay`` is an error."""

from __future__ import annotations

from collections.abc import Iterator

from netwright.backend.topology.impairment import duration_us
from netwright.backend.topology.model import Topology
from netwright.backend.topology.problems import Problem
from netwright.backend.topology.sentence_names import interface_words


def impairment_problems(t: Topology) -> Iterator[Problem]:
    for key, link in t.interfaces.items():
        spec = link.impairment
        if spec is None:
            continue
        path = ("interfaces", key, "impairment")
        for field in ("jitter", "reorder"):
            if getattr(spec, field) and not spec.delay:
                yield Problem("error", "impairment-needs-delay", (*path, field),
                              f"{interface_words(key)}: {field} needs a delay to act on (netem"
                              f" {field}s"
                              " packets around the delay): add 'delay: …'")
        if spec.jitter and spec.delay and duration_us(spec.jitter) > duration_us(spec.delay):
            yield Problem("warning", "impairment-jitter-reorders", (*path, "jitter"),
                          f"{interface_words(key)}: a jitter larger than the delay reorders"
                          " packets (some leave"
                          " before earlier ones), which TCP reads as loss")
