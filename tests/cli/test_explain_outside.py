"""`netwright explain FILE` shows the seed's lesson with no flags: a topology with a gateway
gets an "outside" target (a documentation address standing for anything beyond it), so a
namespace without a default route is predicted "Network is unreachable" for the Internet."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from netwright.backend.checks.explain import STAND_IN_OUTSIDE
from netwright.backend.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
OUTSIDE = STAND_IN_OUTSIDE[4]


def explain_json(capsys: pytest.CaptureFixture[str], *args: str) -> dict[str, object]:
    assert main(["explain", *args, "--json"]) == 0
    data: dict[str, object] = json.loads(capsys.readouterr().out)
    return data


def outside_pairs(data: dict[str, object]) -> list[dict[str, object]]:
    pairs = data["pairs"]
    assert isinstance(pairs, list)
    return [p for p in pairs if p["role"] == "outside"]


def test_the_seed_without_flags_shows_network_is_unreachable(
        capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", str(EXAMPLES / "seed-ipvlan-l2.yaml")]) == 0
    text = capsys.readouterr().out
    assert (f"net1 → outside ({OUTSIDE}): net1 has no route to {OUTSIDE} (no default"
            ' route): "Network is unreachable"') in text
    assert "default via 192.168.31.1" in text
    assert f"note: 'outside' ({OUTSIDE}, a documentation address) stands for any address" in text
    data = explain_json(capsys, str(EXAMPLES / "seed-ipvlan-l2.yaml"))
    assert {(p["source"], p["target"], p["predicted"]["verdict"])  # type: ignore[index]
            for p in outside_pairs(data)} == {("net1", OUTSIDE, "unreachable"),
                                              ("net2", OUTSIDE, "unreachable")}


def test_with_the_default_route_outside_is_reachable(capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json(capsys, str(EXAMPLES / "seed-ipvlan-l2-default.yaml"))
    assert {p["predicted"]["verdict"] for p in outside_pairs(data)} == {  # type: ignore[index]
        "reachable"}


def test_a_named_outside_replaces_the_stand_in(capsys: pytest.CaptureFixture[str]) -> None:
    data = explain_json(capsys, str(EXAMPLES / "seed-ipvlan-l2.yaml"),
                        "--target-outside", "198.51.100.7")
    assert {p["target"] for p in outside_pairs(data)} == {"198.51.100.7"}
    assert not any("documentation address" in n for n in data["notes"])  # type: ignore[union-attr]


def test_no_gateway_no_outside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bare = tmp_path / "bare.yaml"
    bare.write_text("netwright: 1\nname: bare\nnamespaces: {a: {}, b: {}}\ninterfaces:\n"
                    "  x: {kind: veth, peer: y, namespace: a, addresses: [10.0.0.1/24]}\n"
                    "  y: {kind: veth, peer: x, namespace: b, addresses: [10.0.0.2/24]}\n")
    assert outside_pairs(explain_json(capsys, str(bare))) == []


@pytest.mark.parametrize(("address", "said"), [
    ("127.0.0.1", "is a loopback address (every namespace answers it itself)"),
    ("::1", "is a loopback address (every namespace answers it itself)"),
    ("224.0.0.1", "is a multicast or broadcast address"),
    ("255.255.255.255", "is a multicast or broadcast address"),
    ("fe80::1", "is a link-local address (no router forwards it)"),
    ("0.0.0.0", "is the unspecified address"),
])
def test_an_outside_no_router_forwards_to_is_refused(
        address: str, said: str, capsys: pytest.CaptureFixture[str]) -> None:
    """127.0.0.1 was predicted 'leaves wlp2s0 as 192.168.31.240 (masquerade in host)'."""
    assert main(["explain", str(EXAMPLES / "docker-bridge.yaml"), "--target-outside",
                 address]) == 1
    err = capsys.readouterr().err
    assert f"--target-outside '{address}' {said}, not an address beyond the gateway" in err


def test_an_outside_nothing_can_send_to_is_said(capsys: pytest.CaptureFixture[str]) -> None:
    """An IPv6 outside for an IPv4-only design gave no column and no word."""
    data = explain_json(capsys, str(EXAMPLES / "docker-bridge.yaml"), "--target-outside",
                        "2001:db8::5")
    assert outside_pairs(data) == []
    assert "nothing is predicted towards the outside address 2001:db8::5: no namespace (nor" \
        " the host) has an IPv6 address to send from" in data["notes"]  # type: ignore[operator]


def test_explain_predicts_the_outside_reaching_a_published_port(
        capsys: pytest.CaptureFixture[str]) -> None:
    """docker's `-p 8080:80`: only a check in the lab said whether it works; explain, which
    predicts from the file alone, said nothing of it."""
    data = explain_json(capsys, str(EXAMPLES / "docker-bridge.yaml"))
    pairs = data["pairs"]
    assert isinstance(pairs, list)
    published = [p for p in pairs if p["source"] == "outside"]
    assert [(p["target"], [(s["proto"], s["port"], s["predicted"]["verdict"])
                           for s in p["services"]]) for p in published] == [
        ("192.168.31.240", [("tcp", 8080, "reachable")])]
    assert "outside → 192.168.31.240:8080 reaches c1:80 (published in host)" \
        in published[0]["services"][0]["predicted"]["reason"]


@pytest.mark.parametrize(("address", "holder"), [
    ("172.17.0.2", "c1/c1-eth0"), ("192.168.31.1", "the gateway of wlp2s0"),
    ("192.168.31.240", "wlp2s0 (host NIC)"),
])
def test_an_outside_the_topology_holds_is_refused(
        address: str, holder: str, capsys: pytest.CaptureFixture[str]) -> None:
    """c1's own address as the outside: an 'outside' row sending from c1's address to the
    published port, and a column that is c1's under another name."""
    assert main(["explain", str(EXAMPLES / "docker-bridge.yaml"), "--target-outside",
                 address]) == 1
    assert (f"--target-outside {address} is held by {holder} in the topology, which the check"
            " targets anyway") in capsys.readouterr().err
