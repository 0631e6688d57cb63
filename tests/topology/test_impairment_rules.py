"""Impairment in the file format: units parsed and refused with a sentence, netem's own
constraints as validation problems, and the designer's one-line summary."""

from __future__ import annotations

import inspect
import re

import pytest

from netwright.backend.topology import Document, TopologyError, validate_impairment
from netwright.backend.topology.impairment import Impairment
from netwright.backend.topology.problems import Problem

HEAD = ("netwright: 1\nname: t\nnamespaces: {a: {}}\ninterfaces:\n"
        "  a0: {kind: veth, namespace: a, peer: a1, impairment: {IMPAIR}}\n"
        "  a1: {kind: veth, peer: a0}\n")


def problems(impairment: str) -> list[Problem]:
    try:
        return Document.from_text(HEAD.replace("IMPAIR", impairment), "t.yaml").problems()
    except TopologyError as exc:
        return exc.problems


@pytest.mark.parametrize(("text", "code", "path"), [
    ("jitter: 5ms", "impairment-needs-delay", "interfaces.a0.impairment.jitter"),
    ("reorder: 10%", "impairment-needs-delay", "interfaces.a0.impairment.reorder"),
    ("delay: 5ms, jitter: 20ms", "impairment-jitter-reorders",
     "interfaces.a0.impairment.jitter"),
    ("delay: 40", "invalid-impairment", "interfaces.a0.impairment.delay"),
    ("loss: 150%", "invalid-impairment", "interfaces.a0.impairment.loss"),
    ("rate: fast", "invalid-impairment", "interfaces.a0.impairment.rate"),
    ("rate: 1bit", "invalid-impairment", "interfaces.a0.impairment.rate"),
])
def test_problem(text: str, code: str, path: str) -> None:
    found = [p for p in problems(text) if p.code == code]
    assert len(found) == 1 and found[0].path_text == path, [p.render() for p in problems(text)]
    assert found[0].line == 5


def test_every_code_is_exercised() -> None:
    source = inspect.getsource(validate_impairment)
    assert set(re.findall(r'"(impairment-[a-z-]+)"', source)) == {
        "impairment-needs-delay", "impairment-jitter-reorders"}


def test_a_clean_impairment_and_its_summary() -> None:
    assert problems("delay: 40ms, jitter: 5ms, loss: 1%, rate: 10mbit") == []
    assert Impairment(delay="40ms", jitter="5ms", loss="1%", rate="10mbit").summary() == (
        "40 ms ±5 · 1 % loss · 10 Mbit/s")
    assert Impairment(rate="512kbit", corrupt="0.1%").summary() == (
        "0.1 % corrupt · 512 kbit/s")


@pytest.mark.parametrize(("text", "said"), [
    ("delay: -5ms", "'-5ms' is negative: a duration is 0 or more"),
    ("loss: -1%", "'-1%' is negative: a percentage is 0 or more"),
    ("rate: -10mbit", "'-10mbit' is negative: a rate is 0 or more"),
    ("loss: -1", "'-1' is negative: a percentage is 0 or more"),
])
def test_a_negative_value_is_said_to_be_negative(text: str, said: str) -> None:
    """'-5ms' was refused as 'not a duration: write it with its unit', which it has."""
    assert [p.message for p in problems(text)] == [said]
