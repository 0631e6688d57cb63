"""A design that names no host NIC, deployed on a host with a default route (as the lab's
stand-in host has): the host's own traffic goes by the kernel's route, and the check reads
it, so prediction and observation agree (test_host_routes.py has the rules without a kernel)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, parse_topology

from .conftest import GATEWAY, OUTSIDE, sh
from .test_host_routes import BRIDGED

pytestmark = pytest.mark.root


def test_host_default_route_read_from_the_kernel(uplink: Callable[..., str],
                                                  deploy: Callable[[Topology], object]) -> None:
    uplink("nwup0")
    sh(f"ip route add default via {GATEWAY} dev nwup0")
    result = asyncio.run(run_check(deploy(parse_topology(BRIDGED)),
                                   CheckOptions(timeout=0.5, retries=1, outside=OUTSIDE)))
    assert result.probed
    assert not result.mismatches, "\n".join(
        f"{p.source} → {p.target.label}: {p.mismatch_text()}" for p in result.mismatches)
    host = next(p for p in result.pairs if p.source == "host" and p.target.role == "outside")
    assert host.observed is not None and host.observed.verdict == "reachable"
    assert f"default route via {GATEWAY} on nwup0, read from the kernel" in host.predicted.reason
    # the seed's lesson stands: a namespace without a default route cannot send at all
    n1 = next(p for p in result.pairs if p.source == "n1" and p.target.role == "outside")
    assert n1.observed is not None and n1.observed.errno == "ENETUNREACH"
    assert "no default route" in n1.predicted.reason
