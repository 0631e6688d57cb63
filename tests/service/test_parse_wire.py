"""The reading helper's answers as JSON frames: what the daemon rebuilds is what was read.

Every example, the service tests' seed and every validation-rule case goes through the
helper's operations, a frame, and the daemon's check (parsing.checked_answer), which
validates the model again: the model is the one read in process (field by field, the fields
the file set included), and so are the warnings and the problems. Frames over the bound, and
payloads that are no JSON (a pickle), are refused without being read.
"""

from __future__ import annotations

import pickle
import textwrap
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from netwright.backend.service.parse_wire import (
    HEADER,
    MAX_FRAME,
    FrameError,
    decode,
    frame,
    frame_size,
)
from netwright.backend.service.parser import OPERATIONS, topology, validate
from netwright.backend.service.parsing import HelperFailedError, checked_answer
from netwright.backend.topology import TopologyError
from tests.topology import test_existing_rules, test_link_rules, test_packet_rules, test_rules
from tests.topology.rule_cases import HEAD

REPO = Path(__file__).resolve().parents[2]
SEED = REPO / "tests" / "service" / "data" / "seed-macvlan.yaml"
FILES = {path.name: path.read_text()
         for path in [*sorted((REPO / "examples").glob("*.yaml")), SEED]}
CASES = {f"{module.__name__.rsplit('.', 1)[1]}:{case[0]}":
         HEAD + textwrap.dedent(case[1]).lstrip("\n")
         for module in (test_rules, test_link_rules, test_packet_rules, test_existing_rules)
         for case in module.CASES}
TEXTS = {**FILES, **CASES}


def through_the_wire(op: str, text: str) -> tuple[str, Any]:
    """``op`` on ``text`` as the helper answers it (without its CPU limit, which would bind
    this process) and the daemon checks it."""
    try:
        reply: list[Any] = ["ok", OPERATIONS[op](text)]
    except TopologyError as exc:
        reply = ["problems", [p.to_json() for p in exc.problems]]
    return checked_answer(op, decode(frame(reply)[HEADER:]))


def assert_same(a: object, b: object, at: str = "model") -> None:
    """Equal, and models with the same fields set, all the way down."""
    assert type(a) is type(b), at
    if isinstance(a, BaseModel):
        assert isinstance(b, BaseModel)
        assert a.model_fields_set == b.model_fields_set, at
        for key, value in a.__dict__.items():
            assert_same(value, b.__dict__[key], f"{at}.{key}")
    elif isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), at
        for key, value in a.items():
            assert_same(value, b[key], f"{at}[{key!r}]")
    elif isinstance(a, list | tuple):
        assert isinstance(b, list | tuple) and len(a) == len(b), at
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            assert_same(x, y, f"{at}[{index}]")
    else:
        assert a == b, at


@pytest.mark.parametrize("name", sorted(TEXTS))
def test_the_daemon_rebuilds_what_the_helper_read(name: str) -> None:
    text = TEXTS[name]
    assert through_the_wire("validate", text) == ("ok", validate(text))
    try:
        read = topology(text)
    except TopologyError as exc:
        assert through_the_wire("topology", text) == ("problems", exc.problems)
        return
    status, (model, warnings) = through_the_wire("topology", text)
    assert status == "ok" and warnings == read[1]
    assert_same(model, read[0])


def test_the_examples_are_read_as_models() -> None:
    """The examples are valid: the comparison above covered whole models, not only errors."""
    for name, text in FILES.items():
        assert through_the_wire("topology", text)[0] == "ok", name


def test_a_frame_over_the_bound_is_refused_from_its_header() -> None:
    assert frame_size(MAX_FRAME.to_bytes(HEADER, "big")) == MAX_FRAME
    with pytest.raises(FrameError, match="at most"):
        frame_size((MAX_FRAME + 1).to_bytes(HEADER, "big"))


@pytest.mark.parametrize("payload", [pickle.dumps(("ok", [])), b"[" * 100_000, b"\xff"])
def test_what_is_no_json_is_refused(payload: bytes) -> None:
    with pytest.raises(FrameError, match="no JSON"):
        decode(payload)


@pytest.mark.parametrize("reply", [
    ["ok"], ("ok", []), ["fine", []], ["ok", [1]], ["problems", [{"line": "x"}]],
    ["ok", {"topology": {"netwright": 1, "name": "a/b"}, "warnings": []}],
    ["ok", {"topology": {"netwright": 1, "name": "x"}}],
])
def test_an_answer_the_helper_cannot_give_is_refused(reply: Any) -> None:
    with pytest.raises(HelperFailedError):
        checked_answer("topology" if isinstance(reply[-1], dict) else "validate", reply)
