"""`netwright validate` places problems by libyaml's marks (topology/marks.py) where the
round-trip tree would place them, and leaves to the round-trip parser what it cannot.

Every rule's cases compare the two placements too (rule_cases.problems), and the fuzz tests
compare them on random and mutated files (test_fuzz.exercise).
"""

from __future__ import annotations

from pathlib import Path

import pytest

from netwright.backend.topology import Document
from netwright.backend.topology.check import placed_problems

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
])
def test_what_the_marks_cannot_place_goes_to_the_round_trip_parser(body: str) -> None:
    text = HEAD + body.replace("\\x85", "\x85")
    assert placed_problems(text, "t.yaml") is None
    assert Document.from_text(text, "t.yaml").problems()
