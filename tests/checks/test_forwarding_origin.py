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
