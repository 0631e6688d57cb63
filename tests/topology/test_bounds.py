"""The object bound: at most MAX_OBJECTS namespaces, interfaces and host NICs in a topology."""

from __future__ import annotations

import pytest

from netwright.backend.topology import Document, TopologyError, parse_topology
from netwright.backend.topology.bounds import MAX_OBJECTS


def topology(namespaces: int, interfaces: int = 0, nics: int = 0) -> str:
    lines = ["netwright: 1", "name: bound", "host:", "  nics:"]
    lines += [f"    eth{i}: {{}}" for i in range(nics)]
    lines.append("namespaces:")
    lines += [f"  n{i}: {{}}" for i in range(namespaces)]
    lines.append("interfaces:")
    lines += [f"  br{i}: {{kind: bridge}}" for i in range(interfaces)]
    return "\n".join(lines) + "\n"


def test_a_topology_at_the_bound_is_accepted() -> None:
    model = parse_topology(topology(MAX_OBJECTS - 96, 64, 32))
    assert len(model.namespaces) + len(model.interfaces) + len(model.host.nics) == MAX_OBJECTS


@pytest.mark.parametrize("split", [(MAX_OBJECTS + 1, 0, 0), (2000, 2000, 97), (60_000, 0, 0)])
def test_one_object_more_is_too_large_on_every_path(split: tuple[int, int, int]) -> None:
    text = topology(*split)
    with pytest.raises(TopologyError) as caught:
        parse_topology(text)
    assert [p.code for p in caught.value.problems] == ["too-large"]
    assert f"{sum(split):,} objects" in caught.value.problems[0].message
    if sum(split) < 10_000:  # the round-trip reader (the designer's, `netwright validate`)
        problems = Document.from_text(text).problems()
        assert [p.code for p in problems if p.severity == "error"] == ["too-large"]
