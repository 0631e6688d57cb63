"""Every sentence the Problems and Checks docks show is in the designer's terms, and stays so.

The problem codes come from the contract's source and the check fixes from the explainer's:
a new code or a new fix written in the file's syntax (a quoted 'key: value', a model path, a
route list, a file key in quotes) fails here until gui/model/wording.py says it the
designer's way. The CLI's sentences are the contract's and are not touched.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML
from wording_cases import (
    CHECK_DESIGNS,
    FILE_ONLY,
    emitted_codes,
    host_warning_samples,
    problem_samples,
    yaml_speak,
)

from netwright.backend.checks.dad import Unusable
from netwright.backend.checks.explain import explain
from netwright.backend.checks.results import CheckResult
from netwright.backend.topology import Topology
from netwright.gui.docks.checks import explanation_html
from netwright.gui.docks.inspector import COMMON, IMPAIRMENT, KIND_FIELDS, NIC_FIELDS
from netwright.gui.model.field_words import FIELD_LABELS
from netwright.gui.model.wording import designer_fix, designer_message

REPO = Path(__file__).resolve().parents[2]

# The explainer's source lines that write the file's syntax into a fix or a reason, each
# exercised by a design of CHECK_DESIGNS (or, for DAD's measured states, by _DAD below).
KNOWN_FILE_SYNTAX = {
    "dad.py": 2, "explain.py": 11, "flow.py": 5, "l2.py": 1, "mtu.py": 2, "network.py": 2,
}
_FILE_SYNTAX = re.compile(r"""f?["'].*(?:(?<![A-Za-z])'[a-z][\w-]*: |\{\{?to: |'nodad'|nodad'"""
                          r"""|\.firewall\.|port-firewall\.|\.rules: |\(state: down\)"""
                          r"""|namespaces\.\{|host\.[a-z])""")


def test_every_problem_code_has_a_design_that_raises_it() -> None:
    missing = emitted_codes() - FILE_ONLY - set(problem_samples())
    missing -= {p.code for p in host_warning_samples()}
    assert missing == set(), f"add a design raising {sorted(missing)} to wording_cases.EXTRA"
    assert emitted_codes() >= FILE_ONLY, "a file-only code no longer exists: take it out"


def test_every_problem_is_said_in_the_designers_terms() -> None:
    samples = problem_samples()
    said = [p for code, found in samples.items() if code not in FILE_ONLY for p in found]
    said += host_warning_samples()
    wrong = {f"{p.code}: {designer_message(p)}": yaml_speak(designer_message(p)) for p in said}
    wrong = {text: why for text, why in wrong.items() if why}
    assert not wrong, "\n".join(f"{text}  <- {why}" for text, why in wrong.items())
    # the detector does see the file's syntax: the contract's own sentences have it
    assert sum(bool(yaml_speak(p.message)) for p in said) >= 15


def _check_texts(body: str) -> set[str]:
    text = "netwright: 1\nname: t\n" + textwrap.dedent(body).lstrip("\n")
    topology = Topology.model_validate(YAML(typ="safe").load(text))
    data = CheckResult("t", explain(topology, outside="192.0.2.1", probe_size=1500)).to_json()
    texts: set[str] = set()
    for pair in data["pairs"]:
        services = [(s or {}).get("predicted") or {} for s in pair.get("services") or ()]
        for predicted in (pair["predicted"], *services):
            texts |= {str(predicted[k]) for k in ("reason", "fix") if predicted.get(k)}
    return texts


def _dad_texts() -> set[str]:
    import ipaddress

    texts = set()
    for state in ("tentative", "dadfailed"):
        unusable = Unusable("ea", "a", ipaddress.ip_address("fd00::1"), state,  # type: ignore[arg-type]
                            ("eb",), "its peer is down")
        texts |= {unusable.sentence(), unusable.fix()}
    return texts


def _nothing_texts() -> set[str]:
    """Why a design has nothing to check (the Checks heading), with and without DHCP."""
    from netwright.backend.checks.nothing import nothing_to_check
    from netwright.backend.topology import parse_topology
    from tests.tools.unaddressed import unaddressed_design

    return {nothing_to_check(parse_topology(unaddressed_design("t", dhcp=dhcp)))
            for dhcp in (False, True)}


def _persist_texts() -> set[str]:
    """Why a backend without NetworkManager (the lab) refuses a persistent object."""
    from netwright.backend.nm.persist import refusals
    from netwright.backend.topology import parse_topology

    design = Path(__file__).resolve().parents[2] / "examples" / "persistent-bridge.yaml"
    topology = parse_topology(design.read_text())
    return set(refusals(topology, None)) | set(refusals(topology, None, lab=True))


def _stopping_texts() -> set[str]:
    """Why a stopping netwrightd refused a change, for each change and each way it ends."""
    from netwright.backend.client.restart import CHANGES, not_resent_sentence

    return {not_resent_sentence(member, owner, 15) for member in CHANGES
            for owner in (None, ":1.42", "")}


def test_a_persistence_refusal_is_said_in_the_designers_terms() -> None:
    wrong = {designer_fix(t): yaml_speak(designer_fix(t)) for t in _persist_texts()}
    assert wrong and not any(wrong.values()), wrong


def test_nothing_to_check_is_said_in_the_designers_terms() -> None:
    wrong = {designer_fix(t): yaml_speak(designer_fix(t)) for t in _nothing_texts()}
    assert not any(wrong.values()), wrong


@pytest.mark.parametrize("name", list(CHECK_DESIGNS))
def test_check_reasons_and_fixes_are_said_in_the_designers_terms(name: str) -> None:
    texts = _check_texts(CHECK_DESIGNS[name]) | (_dad_texts() if name == "an IPv6 duplicate"
                                                 else set())
    assert any(yaml_speak(t) for t in texts), f"{name}: no sentence in the file's terms to test"
    wrong = {designer_fix(t): yaml_speak(designer_fix(t)) for t in texts}
    wrong = {text: why for text, why in wrong.items() if why}
    assert not wrong, "\n".join(f"{text}  <- {why}" for text, why in wrong.items())


def test_every_file_syntax_sentence_of_the_explainer_is_known() -> None:
    """A new fix or reason written with the file's syntax fails here: give it a design in
    wording_cases.CHECK_DESIGNS and its wording in gui/model/wording.py, then count it."""
    found = {}
    for path in sorted((REPO / "backend" / "checks").glob("*.py")):
        lines = [line for line in path.read_text().splitlines()
                 if _FILE_SYNTAX.search(line) and not line.strip().startswith("#")]
        if lines:
            found[path.name] = len(lines)
    assert found == KNOWN_FILE_SYNTAX


def test_the_checks_explanation_says_reason_and_fix_the_designers_way() -> None:
    pair: dict[str, Any] = {"source": "b", "target": "10.0.0.1", "role": "peer", "predicted": {
        "verdict": "unreachable", "disposition": "link_down",
        "reason": "eb is down (state: down), so b has no route to 10.0.0.1",
        "fix": "set 'state: up' on eb"}}
    html = explanation_html(pair)
    assert "eb is down (State down)" in html and "set eb's State to up" in html, html
    assert not yaml_speak(html)


def test_the_field_names_are_the_inspectors() -> None:
    specs = [*COMMON, *IMPAIRMENT, *NIC_FIELDS, *(s for kind in KIND_FIELDS.values()
                                                  for s in kind)]
    labels = {spec.name.rpartition(".")[2]: spec.label for spec in specs}
    assert {k: v for k, v in FIELD_LABELS.items() if labels.get(k) != v} == {}


def test_a_value_is_named_by_its_field_and_where_to_change_it_once() -> None:
    mtu = designer_fix("give every interface of this segment the same MTU ('mtu: 1400' on v1,"
                       " or 'mtu: 1500' on v2)")
    assert mtu == ("give every interface of this segment the same MTU (MTU 1400 on v1, or MTU"
                   " 1500 on v2; Inspector › MTU)")
    assert designer_fix("set 'remote: 10.50.0.1' on u2-vx") == (
        "set Remote 10.50.0.1 on u2-vx (Inspector › Remote)")
    assert designer_fix("'l4' is not allowed for 'mode'") == "'l4' is not allowed for Mode"
    reason = designer_fix("r receives the packet for 10.1.0.2 but does not forward"
                          " (net.ipv4.ip_forward is off: not in the design)")
    assert reason.endswith("does not forward (IPv4 forwarding is off: not in the design)")


def test_every_rewrite_still_meets_its_sentence() -> None:
    """A contract sentence reworded in the backend must not silently lose the designer's
    wording: each per-code rewrite and each phrase meets a sentence the samples produce."""
    from netwright.gui.model import wording

    said = [p for found in problem_samples().values() for p in found]
    texts = [p.message for p in said]
    for body in CHECK_DESIGNS.values():
        texts += sorted(_check_texts(body))
    texts += sorted(_dad_texts())
    texts += sorted(_nothing_texts())
    texts += sorted(_persist_texts())
    texts += sorted(_stopping_texts())
    unmet = [f"{code}: {pattern.pattern}" for code, rules in wording._BY_CODE.items()
             for pattern, _ in rules
             if not any(pattern.search(p.message) for p in said if p.code == code)]
    unmet += [pattern.pattern for pattern, _ in wording._PHRASES
              if not any(pattern.search(text) for text in texts)]
    assert unmet == [], "\n".join(unmet)


def test_the_place_to_change_is_read_from_the_problems_path() -> None:
    from netwright.gui.model.problem_place import where_to_change

    assert where_to_change(("interfaces", "br1", "addresses", 0)) == (
        "select br1, Inspector › Addresses")
    assert where_to_change(("interfaces", "a0", "impairment", "jitter")) == (
        "select a0, Inspector › Jitter")
    assert where_to_change(("interfaces", "p", "port-firewall", "to-port", "rules", 0)) == (
        "select p, Inspector › Port firewall")
    assert where_to_change(("namespaces", "n1", "routes", 0, "via")) == (
        "select n1, Inspector › Routes")
    assert where_to_change(("host", "nics", "eth1", "gateway")) == (
        "select eth1, Inspector › Gateway")
    assert where_to_change(("host", "nat", 0)) == (
        "select nothing, Inspector › Forwarding, NAT and firewall")
    assert where_to_change(("interfaces", "br0")) is None
    assert where_to_change(("interfaces", "br0", "kind")) is None


def test_a_problem_on_a_field_says_where_to_change_it() -> None:
    from netwright.gui.model.problem_place import where_to_change

    said = [p for code, found in problem_samples().items() if code not in FILE_ONLY
            for p in found if where_to_change(p.path)]
    assert len(said) > 40
    unplaced = [f"{p.code}: {designer_message(p)}" for p in said
                if p.code not in {"parent-ip-unreachable", "macvlan-on-wifi"}
                and not re.search(r"Inspector|palette|Host dock|File ›", designer_message(p))]
    assert unplaced == [], "\n".join(unplaced)
    duplicate = next(p for p in said if p.code == "duplicate-address")
    assert designer_message(duplicate).endswith(
        "each address must be unique (select br1, Inspector › Addresses)")
    # under the field itself, the Inspector's refusal needs no such hint
    assert "Inspector" not in designer_message(duplicate, where=False)
