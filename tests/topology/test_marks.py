"""`netwright validate` places problems by libyaml's marks (topology/marks.py) where the
round-trip tree would place them, and leaves to the round-trip parser what it cannot.

Every rule's cases compare the two placements too (rule_cases.problems), and the fuzz tests
compare them on random and mutated files (test_fuzz.exercise).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netwright.backend.topology import Document, TopologyError
from netwright.backend.topology.check import placed_problems
from netwright.backend.topology.problems import Problem

ROOT = Path(__file__).parents[2]
FILES = sorted([*ROOT.glob("examples/*.yaml"), ROOT / "tests/service/data/seed-macvlan.yaml"])
HEAD = "netwright: 1\nname: t\n"


@pytest.mark.parametrize("path", FILES, ids=lambda path: path.name)
def test_every_example_is_placed_as_the_round_trip_tree_places_it(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    placed = placed_problems(text, str(path))
    assert placed is not None
    assert placed == Document.from_text(text, str(path)).problems()


def test_errors_in_blocks_flows_and_lists() -> None:
    text = HEAD + ("namespaces:\n  n1: {routes: [{to: default, via: 10.0.0.1}]}\n"
                   "interfaces:\n  v1:\n    kind: veth\n    peer: v2\n    mtu: 99999999\n"
                   "    addresses:\n    - 10.0.0.300/24\n  v2: {kind: veth, peer: v1, bogus: 1}\n")
    placed = placed_problems(text, "t.yaml")
    assert placed == Document.from_text(text, "t.yaml").problems()
    assert [(p.code, p.line, p.column) for p in placed] == [
        ("invalid-address", 11, 7), ("out-of-range", 9, 10), ("unknown-key", 12, 30)]


@pytest.mark.parametrize("body", [
    "base: &b {kind: bridge}\ninterfaces:\n  br0: *b\n",  # anchors and aliases
    "interfaces:\n  br0: {<<: {kind: bridge}, mtu: 1}\n",  # a merge key
    "interfaces:\n  br0: {kind: !!str bridge, mtu: x}\n",  # a tag
    "description: \"a\\x85b\"\nbogus: 1\n",  # NEL: a line break to libyaml only
    "interfaces:\n  v1:\n    kind:\n    peer: v2\n",  # an empty value, placed differently
    "interfaces:\n  v1: {kind: veth, peer: v2, mtu: 99999999}\t# a tab ruamel refuses\n",
    "interfaces:\n  \ufeffv1: {kind: veth, peer: v2}\n",  # a byte-order mark not at the start
    "layout:\n  v1: {~: 1, y: 0}\n",  # a key that is not text
])
def test_what_the_marks_cannot_place_goes_to_the_round_trip_parser(body: str) -> None:
    text = HEAD + body.replace("\\x85", "\x85")
    assert placed_problems(text, "t.yaml") is None
    assert _round_trip_problems(text)


EDITS = ["\t", ":", "#", "-", " ", "{", "}", "[", "]", ",", '"', "'", "\n", "%", "@", "`", "|",
         ">", "?", "~", "0", "a", "\r", "\\", "  ", "\n  ", "\n- ", ": ", " #", "---", "...",
         "null", "''", "\ufeff", "\u00a0", "\x0b", "\x85"]


@settings(max_examples=120, deadline=None)
@given(st.data())
def test_an_edited_example_is_placed_as_the_round_trip_tree_places_it(data: st.DataObject
                                                                       ) -> None:
    """A few characters inserted, replaced or removed anywhere in a real file: wherever
    libyaml's marks place the problems, the round-trip tree places the same ones (this is
    how the tab, the byte-order mark and the null key above were found)."""
    text = data.draw(st.sampled_from(FILES)).read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 3))):
        at = data.draw(st.integers(0, len(text) - 1))
        edit = data.draw(st.sampled_from(EDITS))
        text = data.draw(st.sampled_from([text[:at] + edit + text[at:],
                                          text[:at] + edit + text[at + 1:],
                                          text[:at] + text[at + 1:]]))
    placed = placed_problems(text, "f.yaml")
    assert placed is None or placed == _round_trip_problems(text, "f.yaml")


def _round_trip_problems(text: str, file: str = "t.yaml") -> list[Problem]:
    try:
        return Document.from_text(text, file).problems()
    except TopologyError as exc:
        return exc.problems
