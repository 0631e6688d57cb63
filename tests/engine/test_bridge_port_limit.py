"""A bridge already full of ports the design does not name: the kernel's EXFULL in words.

Validation refuses a design whose own ports exceed the kernel's 1,023 per bridge
(tests/topology/test_limit_rules.py); ports added by hand are no part of the design, so the
attach still meets "Exchange full" on the kernel, and the failure must say which bridge is
full and what to do, then roll back.

The 1,023 hand-made veth pairs carry a link group of their own (``HAND_GROUP``): one
``ip link del group`` removes them all in a single netlink request, where deleting them one by
one waited for the kernel's RCU grace period per pair (about 16 s in all).
"""

from __future__ import annotations

import subprocess
from typing import Any

from netwright.backend.engine import ApplyFailed, Engine, Step, Target
from netwright.backend.topology.validate_limits import MAX_BRIDGE_PORTS
from tests.engine.conftest import run, wait_for_no_orphans

DESIGN = """
netwright: 1
name: full
interfaces:
  fullbr: {kind: bridge}
  fp: {kind: veth, peer: fq, master: fullbr}
  fq: {kind: veth, peer: fp}
"""
HAND_GROUP = 77
"""The link group of the ports added by hand (the design's own links stay in group 0)."""


def _batch(lines: list[str]) -> None:
    subprocess.run(["ip", "-batch", "-"], input="\n".join(lines) + "\n", text=True,
                   check=True, capture_output=True)


def test_a_bridge_full_of_ports_the_design_does_not_name_is_named(
        state_dir: Any, topo: Any, clean_host: Any) -> None:
    hand = [f"fx{i}" for i in range(MAX_BRIDGE_PORTS)]

    def fill(at: int, step: Step) -> None:  # someone fills the new bridge before our port
        if step.text.startswith("attach fp to bridge fullbr"):
            _batch([f"link add {n} group {HAND_GROUP} type veth peer name fy{n[2:]}"
                    f" group {HAND_GROUP}" for n in hand]
                   + [f"link set {n} master fullbr" for n in hand])

    engine = Engine(state_dir, Target.host(), fault=fill)
    try:
        try:
            run(engine.apply(topo(DESIGN)))
        except ApplyFailed as exc:
            failed = exc
        else:
            raise AssertionError("the attach to a full bridge succeeded")
    finally:
        _batch([f"link del group {HAND_GROUP}"])
    message = str(failed)
    assert ("bridge fullbr in the host already has 1,023 ports, the most the kernel gives a"
            " bridge (BR_MAX_PORTS), so fp cannot join it") in message, message
    assert failed.rolled_back
    assert wait_for_no_orphans(clean_host) == clean_host
