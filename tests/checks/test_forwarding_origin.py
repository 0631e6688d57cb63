"""`explain` says where the host's forwarding comes from (the design, the kernel a check read,
or the assumption that it is off), and that rules Netwright does not own are unknown to it."""

from __future__ import annotations

from pathlib import Path

from netwright.backend.checks.explain import Explainer, default_outside
from netwright.backend.topology import parse_topology
from tests.checks.test_explain import HOST_ROUTER

EXAMPLES = Path(__file__).parents[2] / "examples"


def notes_and_pairs(text: str, **options: object) -> tuple[list[str], dict[tuple[str, str], str]]:
    topology = parse_topology(text)
    explainer = Explainer(topology, default_outside(topology), **options)  # type: ignore[arg-type]
    found = {(p.source, p.target.address): p.predicted.reason for p in explainer.pairs()}
    return explainer.notes(), found


def test_the_design_owns_the_hosts_forwarding_in_the_docker_example() -> None:
    notes, _pairs = notes_and_pairs((EXAMPLES / "docker-bridge.yaml").read_text())
    assert "host forwarding: IPv4 on — the design's host.forwarding.ipv4" in notes
    assert any("not known to explain" in note and "firewalld" in note for note in notes)


def test_unset_forwarding_is_said_to_be_assumed_off() -> None:
    notes, pairs = notes_and_pairs(HOST_ROUTER)
    assert "not in the design, so assumed off" in pairs[("a", "10.2.0.2")]
    assert any(note.startswith("host forwarding: IPv4 off — not in the design")
               for note in notes)


def test_forwarding_read_from_the_kernel_is_said_to_be() -> None:
    notes, pairs = notes_and_pairs(HOST_ROUTER, host_forwarding={4: True, 6: False},
                                   forwarding_read=True, foreign={})
    assert "read for this prediction" in pairs[("a", "fd12::2")]
    assert any("IPv4 on — the host's kernel, read for this prediction (the design does not"
               " set it)" in note for note in notes)  # another deployment may well have
    assert not any("not known to explain" in note for note in notes)


def test_a_design_that_never_routes_through_the_host_says_nothing_about_it() -> None:
    notes, _pairs = notes_and_pairs((EXAMPLES / "seed-ipvlan-l2-default.yaml").read_text())
    assert not any("forwarding" in note for note in notes)


def test_a_kernel_that_disagrees_with_the_designs_forwarding_is_said_to() -> None:
    """Switched off by hand after the apply: the design still decides the prediction (the
    mismatches show it), and the note says why they will: the kernel has it off."""
    docker = (EXAMPLES / "docker-bridge.yaml").read_text()
    notes, _pairs = notes_and_pairs(docker, host_forwarding={4: False, 6: False},
                                    forwarding_read=True, foreign={})
    said = next(note for note in notes if note.startswith("host forwarding:"))
    assert said.startswith("host forwarding: IPv4 on — the design's host.forwarding.ipv4,"
                           " though the host's kernel has it off"), said
    notes, _pairs = notes_and_pairs(docker, host_forwarding={4: True, 6: False},
                                    forwarding_read=True, foreign={})
    assert "host forwarding: IPv4 on — the design's host.forwarding.ipv4" in notes


def test_the_live_host_as_observed_speaks_of_no_design() -> None:
    """``check --host`` has no design: the host's forwarding is the kernel's, and a namespace
    that does not forward was seen so, not left unset by a design."""
    notes, _pairs = notes_and_pairs(HOST_ROUTER, host_forwarding={4: True, 6: False},
                                    forwarding_read=True, foreign={}, observed=True)
    said = next(note for note in notes if note.startswith("host forwarding:"))
    assert said == ("host forwarding: IPv4 on — the host's kernel, read for this check;"
                    " IPv6 off — the host's kernel, read for this check")
    router = parse_topology("""
        netwright: 1
        name: live-host
        namespaces:
          a: {existing: true, routes: [{to: default, via: 10.0.1.1}]}
          b: {existing: true}
          r: {existing: true}
        interfaces:
          ea: {kind: veth, peer: ra, namespace: a, addresses: [10.0.1.2/24], existing: true}
          ra: {kind: veth, peer: ea, namespace: r, addresses: [10.0.1.1/24], existing: true}
          eb: {kind: veth, peer: rb, namespace: b, addresses: [10.0.2.2/24], existing: true}
          rb: {kind: veth, peer: eb, namespace: r, addresses: [10.0.2.1/24], existing: true}
    """)
    far = next(p for p in Explainer(router, None, observed=True).pairs()
               if (p.source, str(p.target.address)) == ("a", "10.0.2.2")).predicted
    assert far.disposition == "not_forwarded"
    assert "design" not in far.reason and "as observed in namespace r's kernel" in far.reason
    assert far.fix == "enable net.ipv4.ip_forward in namespace r"


def test_the_fix_for_a_design_sets_the_hosts_forwarding_in_the_design() -> None:
    """It said 'enable net.ipv4.ip_forward on the host (Netwright does not change it)': a
    design does change it (host.forwarding, restored on destroy); only for the live host as
    observed (check --host) is that sentence right."""
    explainer = Explainer(parse_topology(HOST_ROUTER), None)
    fixes = {p.predicted.fix for p in explainer.pairs()
             if p.predicted.disposition == "not_forwarded"}
    assert fixes >= {"set 'forwarding: {ipv4: true}' on the host (host.forwarding)"}, fixes
    assert not any("does not change it" in str(fix) for fix in fixes)
