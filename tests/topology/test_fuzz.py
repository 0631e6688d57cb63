"""Hostile input: the loader and model raise only TopologyError, never a traceback or a hang.

Bounds (documented in README): 1 MiB of text, 32 levels of nesting, 200,000 values after
alias expansion. The daemon receives files from unprivileged callers, so these matter.
"""

from __future__ import annotations

import copy
import math
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netwright.backend.topology import Document, TopologyError, parse_topology
from netwright.backend.topology.bounds import MAX_TEXT_BYTES
from netwright.backend.topology.check import placed_problems
from netwright.backend.topology.fastload import load_plain, to_plain
from netwright.backend.topology.yamltree import parse_yaml

SEED = """\
netwright: 1
name: seed
host:
  nics:
    wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
namespaces:
  net1: {routes: [{to: default, via: 192.168.31.1}]}
interfaces:
  ipvlan1: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net1, addresses: [192.168.31.5/24]}
  br0: {kind: bridge, mtu: 1500}
  v1: {kind: veth, peer: v2, master: br0}
  v2: {kind: veth, peer: v1, namespace: net1}
"""

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def exercise(text: str) -> None:
    """Everything a caller may do with untrusted text; only TopologyError may escape.

    The fast reader (libyaml, YAML 1.2 core schema) must agree with the round-trip reader on
    every text both accept, or the daemon and the GUI would disagree about a file's meaning.
    """
    fast = load_plain(text)
    try:
        fast = to_plain(fast) if fast is not None else None
    except TopologyError:
        fast = None
    try:
        slow = to_plain(parse_yaml(text)[0])
    except TopologyError:
        slow = None
    if fast is not None and slow is not None:
        assert _same(fast, slow), (fast, slow)
    try:
        parse_topology(text, "fuzz.yaml")
    except TopologyError as exc:
        assert exc.problems
    placed = placed_problems(text, "fuzz.yaml")  # `netwright validate`: libyaml's marks
    try:
        document = Document.from_text(text, "fuzz.yaml")
        problems = document.problems()
        assert placed is None or placed == problems, (placed, problems)
        for problem in problems:
            assert problem.line >= 0 and problem.column >= 0
            assert problem.render()
        if not [p for p in problems if p.severity == "error"]:
            document.topology()
        document.render()
    except TopologyError as exc:
        assert exc.problems and str(exc)
        assert placed is None or placed == exc.problems, (placed, exc.problems)


def _same(a: Any, b: Any) -> bool:
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True  # NaN
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(10**30), max_value=10**30),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=40),
    st.sampled_from(["dhcp", "l2", "999.1.1.1/99", "default", "ipvlan", "veth", "x" * 300,
                     "ünïcødé-näme", "a/b", "..", "net.ipv4.ip_forward", "fd00::1/64"]),
)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=12), inner, max_size=4),
    ),
    max_leaves=20,
)


@FUZZ
@given(st.text(max_size=400))
def test_random_text(text: str) -> None:
    exercise(text)


@FUZZ
@given(st.binary(max_size=200))
def test_random_bytes_as_text(data: bytes) -> None:
    exercise(data.decode("utf-8", errors="replace"))


def _paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            found += _paths(value, (*prefix, key))
    elif isinstance(node, list):
        for index, value in enumerate(node):
            found += _paths(value, (*prefix, index))
    return found


@FUZZ
@given(st.data())
def test_mutated_valid_file(data: st.DataObject) -> None:
    """Replace one value somewhere in a valid topology with anything at all."""
    document = Document.from_text(SEED)
    plain = copy.deepcopy(document.tree)
    path = data.draw(st.sampled_from(_paths(plain)))
    document.set(path, data.draw(values))
    exercise(document.render())


@FUZZ
@given(st.dictionaries(st.sampled_from(["kind", "name", "parent", "mode", "namespace", "peer",
                                        "addresses", "mtu", "mac", "master", "id", "vni"]),
                       values, max_size=6))
def test_random_interface(fields: dict[str, Any]) -> None:
    document = Document.from_text("netwright: 1\nname: t\n")
    document.set(("interfaces", "x"), fields)
    exercise(document.render())


@pytest.mark.parametrize("text", [
    "[" * 5000,
    "a:\n" + "".join(" " * i + "b:\n" for i in range(1, 400)),
    "netwright: 1\nname: t\ninterfaces: " + "{a: " * 100 + "1" + "}" * 100,
    "netwright: 1\nname: t\ninterfaces:\n  br0: {kind: bridge, mtu: 1e400}\n",
    "netwright: 1\nname: t\ninterfaces:\n  br0: {kind: bridge, mtu: " + "9" * 5000 + "}\n",
    "netwright: 1\nname: !!python/object:os.system echo\n",
    "netwright: 1\nname: t\n? [a, b]\n: c\n",
    "\x00",
    "netwright: 1\nname: t\ninterfaces:\n  ëth0: {kind: bridge}\n  ééééééé1: {kind: bridge}\n",
])
def test_nasty_inputs(text: str) -> None:
    exercise(text)


def test_alias_bomb_is_bounded() -> None:
    lines = ["netwright: 1", "name: t", "a0: &a0 [x, x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 9):
        refs = ", ".join(f"*a{level - 1}" for _ in range(10))
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(TopologyError) as caught:
        Document.from_text("\n".join(lines) + "\n").topology()
    assert caught.value.problems[0].code == "too-large"


def test_size_limit() -> None:
    text = "netwright: 1\nname: t\ndescription: '" + "x" * MAX_TEXT_BYTES + "'\n"
    with pytest.raises(TopologyError) as caught:
        Document.from_text(text)
    assert caught.value.problems[0].code == "too-large"


@pytest.mark.parametrize("scalar", [
    "yes", "no", "on", "off", "y", "Yes", "TRUE", "true", "False", "0755", "0o755", "0x1F",
    "1:20", "1_000", ".inf", "-.inf", "+.INF", ".NaN", "~", "Null", "null", "", "1e3", "+1",
    "-0", "1.", ".5", "12e", "2001-12-14", "02:42:11:00:00:02", "0b101", "=", "<<", "'x'",
])
def test_fast_and_round_trip_readers_agree_on_scalars(scalar: str) -> None:
    text = f"a: {scalar}\nb: [{scalar}]\n{scalar or 'k'}: 1\n"
    exercise(text)
    # Dates as keys, merge and value tags take the round-trip path; everything else is fast.
    assert load_plain(text) is not None or scalar in ("=", "<<", "2001-12-14")


def test_fast_reader_agrees_on_anchors_and_merge_keys() -> None:
    text = "base: &b {kind: bridge, mtu: 1500}\nother:\n  <<: *b\n  mtu: 9000\nlist: [*b, *b]\n"
    exercise(text)
    assert parse_yaml(text)[0]["other"]["mtu"] == 9000
