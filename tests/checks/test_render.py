"""The terminal view: a matrix with ✓/✗ per pair, ``!`` on surprises, one line per failure."""

from __future__ import annotations

import pytest

from netwright.backend.checks.explain import explain
from netwright.backend.checks.render import render
from netwright.backend.checks.results import CheckResult, Observation, Pair

from .test_explain import SEED, topology


def observed_as_predicted_except_one() -> CheckResult:
    pairs = explain(topology(SEED.replace("ROUTES", "")), outside="203.0.113.114")
    out = []
    for p in pairs:
        verdict = p.predicted.verdict
        if p.source == "net1" and p.target.role == "gateway":
            observed = Observation("unreachable", "no reply", attempts=2)
        elif verdict == "reachable":
            observed = Observation("reachable", None, 0.05)
        else:
            observed = Observation("unreachable", "no reply", attempts=2)
        out.append(Pair(p.source, p.target, p.predicted, observed))
    return CheckResult("seed", out, probed=True)


def test_matrix_and_explanations() -> None:
    text = render(observed_as_predicted_except_one())
    lines = text.splitlines()
    net1 = next(line for line in lines if line.startswith("net1"))
    net2 = next(line for line in lines if line.startswith("net2"))
    assert net1.split() == ["net1", "✓", "✓", "✗", "✗!", "✗"]
    assert net2.split() == ["net2", "✓", "✓", "✗", "✓", "✗"]
    assert any("MISMATCH predicted reachable" in line and "observed: no reply" in line
               for line in lines)
    assert any("no default route" in line and "fix: add a default route" in line
               for line in lines)
    assert "1 MISMATCH" in text


def test_colour_only_when_asked() -> None:
    result = observed_as_predicted_except_one()
    assert "\033[" not in render(result)
    assert "\033[32m✓" in render(result, colour=True)


def test_json_marks_the_mismatch() -> None:
    data = observed_as_predicted_except_one().to_json()
    assert data["mismatches"] == 1
    bad = [p for p in data["pairs"] if p["match"] is False]
    assert len(bad) == 1 and bad[0]["role"] == "gateway"
    assert bad[0]["mismatch"].startswith("predicted reachable")


def test_big_meshes_get_one_character_per_cell() -> None:
    from netwright.backend.topology import Topology

    interfaces: dict[str, object] = {"br0": {"kind": "bridge"}}
    for i in range(40):
        interfaces[f"p{i}"] = {"kind": "veth", "peer": f"e{i}", "master": "br0"}
        interfaces[f"e{i}"] = {"kind": "veth", "peer": f"p{i}", "namespace": f"m{i}",
                               "addresses": [f"10.0.0.{i + 1}/24"]}
    mesh = Topology.model_validate({"netwright": 1, "name": "m", "interfaces": interfaces,
                                    "namespaces": {f"m{i}": {} for i in range(40)}})
    text = render(CheckResult("m", explain(mesh)))
    row = next(line for line in text.splitlines() if line.startswith("m7 "))
    assert row.split()[1] == "✓" * 40


def test_size_verdict_keeps_every_field_of_the_small_echo() -> None:
    """run.py builds the merged observation by copying the small echo's fields (faster than
    its frozen ``__init__``): every field survives, and it is an Observation like any other
    (equal, hashed and frozen alike)."""
    from dataclasses import FrozenInstanceError, fields, replace

    from netwright.backend.checks.results import Observation
    from netwright.backend.checks.run import _with_size

    small = Observation("reachable", "e", 0.5, "EX", 2, "neighbour-table", {"ok": True},
                        impairment={"loss": 0.1})
    seen = Observation("unreachable", "Message too long")
    joined = _with_size(small, 1500, seen)
    assert joined == replace(
        small, size=1500, size_verdict="unreachable", size_error="Message too long")
    plain = Observation("reachable", None, 0.5)
    assert hash(_with_size(plain, 1500, plain)) == hash(replace(
        plain, size=1500, size_verdict="reachable"))
    with pytest.raises(FrozenInstanceError):
        joined.size = 1  # type: ignore[misc]
    assert {f.name for f in fields(Observation)} == {
        "verdict", "error", "rtt_ms", "errno", "attempts", "limited_by", "tcp", "size",
        "size_verdict", "size_error", "impairment"}, "a new field: carry it over in run._with_size"


def test_the_repr_of_a_result_walks_no_pair() -> None:
    """asyncio.run formats the finished task's result into a repr (Python 3.11): a big
    check's repr says how many pairs there are, and counts nothing among them."""
    result = observed_as_predicted_except_one()
    assert len(result.mismatches) == 1
    assert repr(result) == f"CheckResult('seed', {len(result.pairs)} pairs, probed=True)"


def test_a_reply_made_from_the_template_is_an_observation_like_any_other() -> None:
    """``Observation.reply`` (the prober's 39,800 replies at N = 200) skips the frozen
    ``__init__``: equal, hashed and frozen like one built by it, and the template is not
    touched."""
    from dataclasses import FrozenInstanceError

    from netwright.backend.checks.results import Observation

    made = Observation.reply(0.25, 2)
    built = Observation("reachable", None, 0.25, attempts=2)
    assert made == built and hash(made) == hash(built) and made.to_json() == built.to_json()
    assert Observation.reply(0.5, 1) == Observation("reachable", None, 0.5)
    with pytest.raises(FrozenInstanceError):
        made.rtt_ms = 1.0  # type: ignore[misc]
    sized = Observation.reply(0.25, 2)  # run._add_size sets a fresh reply's fields in place
    sized.__dict__["size"] = 1500
    assert made.size is None and Observation.reply(0.5, 1).size is None


def test_a_gateway_that_answers_no_arp_is_named_as_such() -> None:
    """The gateway is the one target the design names but Netwright does not make: when no
    one answers ARP for it, the mismatch says so instead of leaving "Host unreachable"."""
    result = observed_as_predicted_except_one()
    result.pairs = [Pair(p.source, p.target, p.predicted,
                         Observation("unreachable", "Host unreachable", errno="EHOSTUNREACH",
                                     attempts=2))
                    if p.source == "net1" and p.target.role == "gateway" else p
                    for p in result.pairs]
    line = next(line for line in render(result).splitlines() if "MISMATCH" in line)
    assert "observed: Host unreachable (nothing on that segment answered ARP for" in line, line
    assert "the gateway is not part of the design" in line, line


def test_each_column_number_stands_above_its_marks() -> None:
    lines = render(observed_as_predicted_except_one()).splitlines()
    header, rows = lines[0], [line for line in lines[1:3]]
    for number in range(1, 6):
        column = header.index(str(number))
        assert all(row[column] in "✓✗" for row in rows), (header, rows)


def test_the_tcp_port_asked_for_is_shown_not_only_in_json() -> None:
    """check --port PORT: each pair's connection was in --json alone; the text said nothing."""
    from dataclasses import replace

    refused = {"port": 22, "verdict": "unreachable", "error": "Connection refused",
               "rtt_ms": None, "errno": "ECONNREFUSED"}
    connects = {**refused, "verdict": "reachable", "error": None, "rtt_ms": 0.1}

    def with_tcp(first: dict[str, object]) -> CheckResult:
        result = observed_as_predicted_except_one()
        pairs = [replace(p, observed=replace(p.observed, tcp=first if i == 0 else refused))
                 for i, p in enumerate(result.pairs)]
        return CheckResult(result.topology, pairs, probed=True)

    assert ("\nTCP to port 22 (--port): no pair connects (Connection refused). The check"
            " starts no listener on --port's port: it shows where a program of yours answers.\n"
            ) in render(with_tcp(refused))  # else all those refusals read as a failure
    mixed = with_tcp(connects)
    lines = render(mixed).splitlines()
    at = lines.index("TCP to port 22 (--port):")
    first = mixed.pairs[0]
    assert lines[at + 1] == f"  {first.source} → {first.target.label}: connects"
    assert lines[at + 2].endswith(": does not connect (Connection refused)")


def test_every_pair_reachable_is_not_said_while_a_port_does_not_connect() -> None:
    """docker's echoes all pass but tcp/8080 to the host is refused: the summary said
    "Every pair is reachable." above a Ports list of ✗."""
    from pathlib import Path

    from netwright.backend.checks.explain import Explainer
    from netwright.backend.checks.services import with_services
    from netwright.backend.topology import load_topology

    design = Path(__file__).resolve().parents[2] / "examples" / "docker-bridge.yaml"
    explainer = Explainer(load_topology(design)[1], "203.0.113.114")
    text = render(CheckResult("docker", with_services(explainer, explainer.pairs())))
    assert "Every pair is reachable." not in text
    assert "Every pair answers an echo; some ports do not connect (see Ports)." in text


def test_one_path_mtu_is_said_of_the_paths_that_answer() -> None:
    """With unreachable pairs, "Path MTU 1500 on every path." took them in too."""
    lines = render(observed_as_predicted_except_one()).splitlines()
    assert "Path MTU 1500 on every path that answers." in lines
    everyone = explain(topology(SEED.replace("ROUTES", "")))
    reachable = [p for p in everyone if p.predicted.verdict == "reachable"]
    assert "Path MTU 1500 on every path." in render(CheckResult("seed", reachable)).splitlines()
