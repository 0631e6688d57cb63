"""The real seed (ipvlan l2 children of wlp2s0) through netwrightd, as the allowed user.

Marked ``kernel``: this machine's kernel has no ipvlan, so it runs in the stock-kernel tier
(tests/kernel/run-kernel-tier), with the same harness: private bus, polkitd, test users.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from svc_callers import run_client
from svc_polkit import USER_ALLOWED

SEED = (Path(__file__).resolve().parents[2] / "examples" / "seed-ipvlan-l2.yaml").read_text()

pytestmark = pytest.mark.kernel


@pytest.mark.timeout(600)
def test_ipvlan_seed_apply_and_destroy_as_allowed_user(running, host, system_bus) -> None:
    applied = run_client(USER_ALLOWED, system_bus,
                         f"return (await client.apply({SEED!r})).plan.topology", timeout=400)
    assert applied == {"value": "seed"}, applied
    ipvlan1 = host.links("lab-net1")["ipvlan1"]
    assert ipvlan1["kind"] == "ipvlan"
    assert ipvlan1["addresses"] == ["192.168.31.5/24"]
    assert host.links("lab-net2")["ipvlan2"]["addresses"] == ["192.168.31.6/24"]
    destroyed = run_client(USER_ALLOWED, system_bus,
                           "await client.destroy('seed'); return await client.deployments()",
                           timeout=400)
    assert destroyed == {"value": []}, destroyed
    assert not {"lab-net1", "lab-net2"} & set(host.netns())
