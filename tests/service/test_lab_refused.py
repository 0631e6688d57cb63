"""A plan or apply the lab refuses leaves the lab as it was: the design's host NIC, added to
the emulated host so the plan could be made, goes again ("bad input gets a clear error and
loses nothing")."""

from __future__ import annotations

import json
from pathlib import Path

from svc_callers import run_client
from svc_lab import PrivateLab, in_lab
from svc_polkit import USER_ALLOWED

DESIGN = (Path(__file__).parent / "data" / "lab-refused.yaml").read_text()

REFUSED = f"""
design = {DESIGN!r}
raised = []
for call in (client.plan, client.apply):
    try:
        await call(design)
    except Exception as exc:
        raised.append([type(exc).__name__, str(exc)])
return raised
"""


def _host_links(pid: int) -> set[str]:
    links = json.loads(in_lab(pid, "ip", "-n", "nwlab-host", "-j", "link", "show"))
    return {link["ifname"] for link in links}


def test_a_refused_plan_or_apply_adds_no_nic_to_the_lab(users) -> None:
    lab = PrivateLab(USER_ALLOWED)
    try:
        started = run_client(lab.user, "unix:path=/nonexistent",
                             "return await client.deployments()", which="lab", env=lab.env)
        assert started == {"value": []}, started
        pid = lab.pid()
        assert pid is not None
        in_lab(pid, "ip", "-n", "nwlab-host", "link", "add", "vx0", "type", "veth",
               "peer", "name", "vy0")
        before = _host_links(pid)
        outcome = run_client(lab.user, "unix:path=/nonexistent", REFUSED, which="lab",
                             env=lab.env)
        after = _host_links(pid)
    finally:
        lab.close()
    refusals = outcome.get("value")
    assert refusals is not None and len(refusals) == 2, outcome
    assert all("vx0" in message for _, message in refusals), refusals
    assert "eth1" not in before
    assert after == before, "the refused design's NIC eth1 stayed in the lab"


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SECOND_ON_ONE_LAN = f"""
await client.apply({(EXAMPLES / "docker-bridge.yaml").read_text()!r}, confirm=True)
plan = await client.plan({(EXAMPLES / "macvlan-bridge.yaml").read_text()!r})
await client.destroy('docker')
return plan.notes
"""


def test_the_second_design_on_one_lan_is_warned_in_its_plan(users) -> None:
    """docker-bridge on wlp2s0, then macvlan-bridge on eth1, both 192.168.31.240/24: the
    second plan says the lab holds that address on wlp2s0 already and what that breaks."""
    lab = PrivateLab(USER_ALLOWED)
    try:
        outcome = run_client(lab.user, "unix:path=/nonexistent", SECOND_ON_ONE_LAN,
                             which="lab", env=lab.env)
    finally:
        lab.close()
    notes = outcome.get("value")
    assert notes is not None, outcome
    assert any(n.startswith("WARNING: the lab host already holds 192.168.31.240 on wlp2s0")
               and "default route leaves by wlp2s0, not eth1" in n for n in notes), notes
