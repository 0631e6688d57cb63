"""The proof of an exported design: run it as Multus would, then check it like a deployment.

``carried_topology`` is what a cluster really builds from the YAML (the import of the export,
with the design's own host NIC facts, which the nodes hold), so the check's prediction is
made for exactly what the plugins built; ``verdicts`` keys a result by source and target
address so it can be set beside the design's own prediction.
"""

from __future__ import annotations

import asyncio

from netwright.backend.checks.results import CheckResult
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.export.multus_import import import_multus
from netwright.backend.topology import Topology, parse_topology


def carried_topology(design: Topology, exported: str) -> Topology:
    text, skipped = import_multus(exported)
    assert not skipped, skipped
    carried = parse_topology(text).model_dump(by_alias=True, exclude_none=True)
    design_nics = design.model_dump(by_alias=True, exclude_none=True)["host"].get("nics", {})
    for nic in carried.get("host", {}).get("nics", {}):
        carried["host"]["nics"][nic] = design_nics.get(nic, {})
    return Topology.model_validate(carried)


def check(topology: Topology, options: CheckOptions) -> CheckResult:
    return asyncio.run(run_check(topology, options))


def verdicts(result: CheckResult, observed: bool) -> dict[tuple[str, str], str]:
    table = {}
    for pair in result.pairs:
        if observed:
            assert pair.observed is not None
            table[(pair.source, pair.target.address)] = pair.observed.verdict
        else:
            table[(pair.source, pair.target.address)] = pair.predicted.verdict
    return table


def assert_agrees(result: CheckResult) -> None:
    assert result.pairs, "the check found no pair to probe"
    assert not result.mismatches, "\n".join(
        f"{p.source} → {p.target.label}: {p.mismatch_text()}" for p in result.mismatches)
