"""A plan carries the design's warnings, as validate reports them (VXLAN ends that disagree on
the VNI apply silently otherwise): from netwrightd's reader (its helper process) through the
Plan JSON to the client's Plan, and rendered where the CLI asks before applying."""

from __future__ import annotations

import json
import textwrap

from netwright.backend.client.results import parse_apply_result, parse_plan
from netwright.backend.outcomes.results import ApplyResult, Plan, Step
from netwright.backend.service.parser import topology
from tests.topology.test_link_rules import VXLAN

#: two VXLAN ends that disagree on the VNI (tests/topology/test_link_rules.py's tunnel)
VNI_MISMATCH = "netwright: 1\nname: vx\n" + textwrap.dedent(VXLAN).lstrip("\n").replace(
    "vni: 42, remote: 10.50.0.1", "vni: 43, remote: 10.50.0.1")
STEP = Step("create", "u1", "create namespace u1")


def test_the_daemons_reader_returns_the_warnings_placed() -> None:
    model, warnings = topology(VNI_MISMATCH)
    assert model.name == "vx"
    assert [(w.severity, w.code, w.path_text, w.line, w.column) for w in warnings] == [
        ("warning", "vxlan-vni-mismatch", "interfaces.u1-vx.vni", 7, 44)]


def test_a_file_without_warnings_has_none() -> None:
    quiet = VNI_MISMATCH.replace("vni: 43", "vni: 42")
    assert topology(quiet)[1] == []


def test_the_plan_json_carries_them_and_the_client_reads_them_back() -> None:
    warnings = topology(VNI_MISMATCH)[1]
    plan = Plan("vx", [STEP]).with_warnings(warnings)
    data = json.loads(json.dumps(plan.to_json()))
    assert [w["code"] for w in data["warnings"]] == ["vxlan-vni-mismatch"]
    assert parse_plan(json.dumps(data)) == plan
    applied = ApplyResult(plan, 0.5)
    assert parse_apply_result(json.dumps(applied.to_json())).plan.warnings == warnings


def test_a_plan_without_warnings_keeps_its_old_json() -> None:
    """Older clients read the same keys as before; "warnings" appears only when there are."""
    assert Plan("vx", [STEP]).to_json() == {"topology": "vx", "steps": [STEP.to_json()]}


def test_the_rendered_plan_shows_each_warning_in_the_file_as_validate_does() -> None:
    plan = Plan("vx", [STEP]).with_warnings(topology(VNI_MISMATCH)[1]).in_file("vx.yaml")
    last = plan.render().splitlines()[-1]
    assert last.startswith("  ! vx.yaml:7:44: warning vxlan-vni-mismatch: u1-vx sends VNI 42")
    empty = Plan("vx", []).with_warnings(plan.warnings).render()
    assert "nothing to do" in empty and "vxlan-vni-mismatch" in empty


def test_a_warning_that_could_not_be_placed_still_says_where_in_the_model() -> None:
    unplaced = topology(VNI_MISMATCH)[1][0].located(0, 0)
    line = Plan("vx", [STEP]).with_warnings([unplaced]).render().splitlines()[-1]
    assert line.startswith("  ! warning vxlan-vni-mismatch: ") and \
        line.endswith("(at interfaces.u1-vx.vni)")
