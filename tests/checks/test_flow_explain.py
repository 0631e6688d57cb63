"""Rules in the pure prediction: the examples' matrices, the text a user reads, the JSON."""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from netwright.backend.checks.explain import Explainer
from netwright.backend.checks.filtering import Packet, Ruleset, run_hook
from netwright.backend.checks.render import render
from netwright.backend.checks.results import CheckResult, Pair
from netwright.backend.checks.services import probed_ports, unnamed_ports, with_services
from netwright.backend.topology import load_topology, parse_topology

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _pairs(example: str, outside_served: bool = False) -> list[Pair]:
    _doc, topology = load_topology(EXAMPLES / f"{example}.yaml")
    explainer = Explainer(topology, "203.0.113.114")
    return with_services(explainer, explainer.pairs(), outside_served)


def _service(pairs: list[Pair], source: str, target: str, proto: str, port: int) -> str:
    pair = next(p for p in pairs if p.source == source and p.target.address == target)
    found = next(s for s in pair.services if (s.proto, s.port) == (proto, port))
    return found.predicted.verdict


def test_openstack_security_groups_matrix() -> None:
    pairs = _pairs("openstack-linuxbridge")
    assert _service(pairs, "vm2", "10.0.0.11", "tcp", 22) == "reachable"
    assert _service(pairs, "vm1", "10.0.0.12", "tcp", 80) == "reachable"
    assert _service(pairs, "qrouter", "10.0.0.12", "tcp", 80) == "unreachable"
    assert _service(pairs, "vm2", "10.0.0.11", "tcp", 80) == "unreachable"
    echo = next(p for p in pairs if p.source == "vm1" and p.target.address == "10.0.0.12")
    assert echo.predicted.disposition == "denied"
    assert echo.predicted.fix == ("add to interfaces.tap-vm2.port-firewall.to-port.rules:"
                                  " {action: accept, proto: icmp, from: 10.0.0.11}")
    back = next(p for p in pairs if p.source == "vm2" and p.target.address == "10.0.0.11")
    assert "its reply by 'ct state established,related accept'" in back.predicted.reason


def test_docker_nat_sentences_and_the_outside() -> None:
    pairs = _pairs("docker-bridge", outside_served=True)
    out = next(p for p in pairs if p.source == "c1" and p.target.role == "outside")
    assert "c1 → 203.0.113.114 leaves wlp2s0 as 192.168.31.240 (masquerade in host)" \
        in out.predicted.reason
    published = next(p for p in pairs if p.source == "outside")
    assert "outside → 192.168.31.240:8080 reaches c1:80 (published in host)" \
        in published.services[0].predicted.reason
    assert _service(pairs, "c1", "192.168.31.240", "tcp", 8080) == "unreachable"  # no DNAT


def test_a_published_port_the_firewall_drops_gets_a_rule_for_the_service() -> None:
    """The outside stands for any address out there: the fix admits the service (to:),
    not that one sender (from: 203.0.113.114)."""
    text = (EXAMPLES / "docker-bridge.yaml").read_text().replace("dport: 80, to: 172.17.0.2",
                                                                 "dport: 443, to: 172.17.0.2")
    explainer = Explainer(parse_topology(text), "203.0.113.114")
    published = next(p for p in with_services(explainer, explainer.pairs(), True)
                     if p.source == "outside").services[0].predicted
    assert published.verdict == "unreachable"
    assert published.fix == ("add to host.firewall.forward.rules: {action: accept, proto: tcp,"
                             " dport: 80, to: 172.17.0.2}")


def test_probed_ports_named_and_one_unnamed() -> None:
    _doc, topology = load_topology(EXAMPLES / "docker-bridge.yaml")
    assert probed_ports(topology) == [("tcp", 80), ("tcp", 8080), ("tcp", 9)]


def test_render_and_json_carry_the_ports() -> None:
    result = CheckResult("openstack", _pairs("openstack-linuxbridge"))
    text = render(result)
    assert "vm1 → vm2/vm2-eth0: tcp/22 ✗  tcp/80 ✓  tcp/9 ✗" in text
    again = CheckResult.from_json(result.to_json())
    assert [p.services for p in again.pairs] == [p.services for p in result.pairs]


def test_a_match_the_evaluator_cannot_read_is_said() -> None:
    ruleset = Ruleset()
    ruleset.add_listing([
        {"chain": {"family": "ip", "table": "t", "name": "in", "hook": "input",
                   "type": "filter", "prio": 0, "policy": "accept"}},
        {"rule": {"family": "ip", "table": "t", "chain": "in", "expr": [
            {"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 7}},
            {"drop": None}]}},
        {"rule": {"family": "ip", "table": "t", "chain": "in", "expr": [
            {"match": {"op": "==", "left": {"meta": {"key": "mark"}}, "right": 7}},
            {"match": {"op": "==", "left": {"meta": {"key": "l4proto"}}, "right": "udp"}},
            {"drop": None}]}},
    ], foreign=True)
    packet = Packet(ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("10.0.0.2"), "icmp")
    unsure: list[str] = []
    assert run_hook(ruleset, "input", packet, unsure=unsure).passes
    # the first rule is in doubt; the second does not match whatever its mark: no doubt
    assert unsure == ["'meta mark 7 drop' in table ip t, chain in: meta mark is not modelled"
                      " — taken as not matching"]


def test_an_iptables_nft_match_is_said_not_guessed() -> None:
    """docker's iptables-nft rules carry xt matches: in doubt, not a verdict for all."""
    ruleset = Ruleset()
    ruleset.add_listing([
        {"chain": {"family": "ip", "table": "filter", "name": "FORWARD", "hook": "forward",
                   "type": "filter", "prio": 0, "policy": "accept"}},
        {"rule": {"family": "ip", "table": "filter", "chain": "FORWARD", "expr": [
            {"xt": {"type": "match", "name": "addrtype"}}, {"counter": None},
            {"drop": None}]}},
    ], foreign=True)
    packet = Packet(ipaddress.ip_address("10.0.0.1"), ipaddress.ip_address("10.0.0.2"), "icmp")
    unsure: list[str] = []
    assert run_hook(ruleset, "forward", packet, unsure=unsure).passes
    assert len(unsure) == 1 and "the iptables match 'addrtype' is not modelled" in unsure[0]


def test_too_many_port_probes_stay_with_the_echo(monkeypatch: pytest.MonkeyPatch) -> None:
    from netwright.backend.checks import services

    monkeypatch.setattr(services, "MAX_SERVICE_PROBES", 10)
    _doc, topology = load_topology(EXAMPLES / "openstack-linuxbridge.yaml")
    explainer = Explainer(topology, "203.0.113.114")
    pairs = with_services(explainer, explainer.pairs())
    assert not any(p.services for p in pairs)
    assert any("port probes would be needed" in n for n in explainer.notes())


def test_a_rule_of_an_odd_shape_is_said_not_raised() -> None:
    """Whatever a foreign table holds, the prediction gives a sentence, never a traceback."""
    _doc, topology = load_topology(EXAMPLES / "openstack-linuxbridge.yaml")
    odd = Ruleset()
    odd.add_listing([
        {"chain": {"family": "inet", "table": "odd", "name": "in", "hook": "input",
                   "type": "filter", "prio": -5, "policy": "accept"}},
        {"rule": {"family": "inet", "table": "odd", "chain": "in", "expr": [
            {"match": {"op": "==", "left": {"payload": {"protocol": "ip", "field": "saddr"}},
                       "right": {"prefix": {"addr": "10.0.0.0"}}}}, {"drop": None}]}},
    ], foreign=True)
    explainer = Explainer(topology, None, foreign={"vm1": odd})
    pair = next(p for p in explainer.pairs() if p.source == "vm2"
                and p.target.address == "10.0.0.11")
    assert pair.predicted.disposition == "beyond_model"
    assert "cannot read" in pair.predicted.reason


def _forward_drop(**owner: str) -> Ruleset:
    ruleset = Ruleset()
    ruleset.add_listing([
        {"chain": {"family": "inet", "table": "netwright-other", "name": "forward",
                   "hook": "forward", "type": "filter", "prio": 0, "policy": "drop"}},
    ], foreign=True, **owner)
    return ruleset


def test_another_topologys_table_that_drops_names_that_topology_in_the_fix() -> None:
    """Its fix is in that design, not 'not Netwright's: change it where it comes from'."""
    from tests.checks.test_explain import HOST_ROUTER

    topology = parse_topology(HOST_ROUTER.replace(
        "name: hostrouter", "name: hostrouter\nhost: {forwarding: {ipv4: true}}"))
    for owner, said in (({"owned_by": "other"}, "belongs to topology other (deployed by"
                         " Netwright): change the design of other and apply it again, or"
                         " destroy other"), ({}, "is not Netwright's")):
        explainer = Explainer(topology, None, foreign={None: _forward_drop(**owner)})
        found = next(p for p in explainer.pairs()
                     if p.source == "a" and p.target.address == "10.2.0.2")
        assert found.predicted.verdict == "unreachable", found.predicted.reason
        assert found.predicted.fix is not None and said in found.predicted.fix, found.predicted


def test_the_unnamed_port_is_said_once_to_stand_for_the_default_policy() -> None:
    """"tcp/9" is probed because no rule names it; explain and check say so in one note."""
    _doc, topology = load_topology(EXAMPLES / "docker-bridge.yaml")
    assert unnamed_ports(topology) == [("tcp", 9)]
    explainer = Explainer(topology)
    with_services(explainer, explainer.pairs())
    said = [n for n in explainer.notes() if "tcp/9" in n]
    assert said == ["tcp/9 is a port no rule names, probed to show what the default policy"
                    " does with every port the rules leave out"]


def test_a_design_without_rules_probes_no_port_and_says_nothing_of_one() -> None:
    _doc, topology = load_topology(EXAMPLES / "seed-ipvlan-l2.yaml")
    explainer = Explainer(topology)
    with_services(explainer, explainer.pairs())
    assert not any("no rule names" in n for n in explainer.notes())


def test_a_dropped_tcp_reply_is_told_by_the_services_port() -> None:
    """The reply of vm2's port 80 was told as 'tcp 10.0.0.12 → 10.0.0.11 port 40000': the
    client's port the prediction picks, which the user never chose."""
    text = (EXAMPLES / "openstack-linuxbridge.yaml").read_text().replace(
        "stateful: true", "stateful: false")
    explainer = Explainer(parse_topology(text), None)
    pair = next(p for p in with_services(explainer, explainer.pairs())
                if p.source == "vm1" and p.target.address == "10.0.0.12")
    web = next(s for s in pair.services if (s.proto, s.port) == ("tcp", 80)).predicted
    assert web.reason.startswith("the request arrives but the reply cannot come back: tcp"
                                 " 10.0.0.12 port 80 → 10.0.0.11 is dropped"), web.reason
