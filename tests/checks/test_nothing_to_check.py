"""A check with no pair says what was (not) checked and why, with a hint, and never claims a
verdict: not "Every pair is reachable." (zero pairs are no pass); the JSON carries the same
sentence as ``nothing_to_check``; the exit status is 0 (nothing checked is no failure)."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from netwright.backend.checks.render import render
from netwright.backend.checks.results import CheckResult
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.cli.main import main
from netwright.backend.topology import parse_topology
from tests.tools.unaddressed import unaddressed_design

NO_ADDRESS = unaddressed_design("bare")
DHCP_ONLY = unaddressed_design("bare", dhcp=True)
NO_NAMESPACE = "netwright: 1\nname: bare\n"


@pytest.mark.parametrize(("text", "words"), [
    (NO_ADDRESS, ["no namespace of bare (a, b) has an address", "addresses: [10.0.0.2/24]"]),
    (DHCP_ONLY, ["no namespace of bare (a, b) has a static address",
                 "addresses from DHCP (ea) are unknown before the lease",
                 "netwright check bare probes the leased addresses"]),
    (NO_NAMESPACE, ["bare has no namespace to probe from"]),
])
def test_explain_of_a_design_with_nothing_to_check_says_why(
        text: str, words: list[str], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    design = tmp_path / "bare.yaml"
    design.write_text(text)
    assert main(["explain", str(design)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Nothing to check in bare: "), out
    assert all(w in out for w in words), out
    assert "reachable" not in out, out
    assert main(["explain", str(design), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pairs"] == [] and all(w in data["nothing_to_check"] for w in words), data


def test_a_check_without_pairs_says_so_and_a_deployed_one_waits_for_leases() -> None:
    """run_check (what netwrightd runs) sets the sentence; a deployed design's DHCP
    interfaces without a lease are waited for, not called unknown."""
    design = asyncio.run(run_check(parse_topology(NO_ADDRESS), CheckOptions(probe=False)))
    assert design.pairs == [] and not design.probed
    assert "no namespace of bare (a, b) has an address" in (design.nothing_to_check or "")
    from netwright.backend.checks.nothing import nothing_to_check

    leased = nothing_to_check(parse_topology(DHCP_ONLY), leased=True)
    assert "holds a static address or a DHCP lease yet (DHCP on ea)" in leased, leased
    assert "netwright dhcp leases bare" in leased, leased


def test_the_report_of_nothing_is_no_pass_and_survives_the_bus() -> None:
    result = CheckResult("bare", [], notes=["a note"],
                         nothing_to_check="no namespace of bare (a, b) has an address")
    text = render(result)
    assert text.splitlines() == ["Nothing to check in bare: no namespace of bare (a, b) has"
                                 " an address", "note: a note"]
    again = CheckResult.from_json(json.loads(json.dumps(result.to_json())))
    assert again.nothing_to_check == result.nothing_to_check
    # an older backend's report, without the sentence: still no verdict
    assert "reachable" not in render(CheckResult("bare", []))


def test_own_addresses_alone_are_not_every_pair(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    """One addressed namespace and nothing else: its own address is all there is; the
    report says so instead of "Every pair is reachable."."""
    design = tmp_path / "alone.yaml"
    design.write_text(unaddressed_design("alone").replace(
        "namespace: a}", "namespace: a, addresses: [10.0.0.2/24]}"))
    assert main(["explain", str(design)]) == 0
    out = capsys.readouterr().out
    assert "Every pair" not in out, out
    assert "Each namespace reaches its own addresses; there is no other address to check" \
        in out, out


def test_nothing_to_check_is_said_once(capsys: pytest.CaptureFixture[str]) -> None:
    """The DHCP seed (a gateway, addresses only from DHCP): the sentence says why, and no note
    repeats it or speaks of an 'outside' stand-in that nothing is predicted to."""
    seed = Path(__file__).parents[2] / "examples" / "seed-ipvlan-dhcp.yaml"
    assert main(["explain", str(seed)]) == 0
    out = capsys.readouterr().out
    assert out.startswith("Nothing to check in seed-dhcp: "), out
    assert out.count("unknown before the lease") == 1, out
    assert "stands for any address beyond the gateway" not in out, out
