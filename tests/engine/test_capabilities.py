"""A kind the kernel lacks fails the plan up front, naming the kind and its module."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from netwright.backend.engine import Engine, KernelUnsupported
from netwright.backend.engine.capabilities import supported
from tests.engine.conftest import links, run, snapshot

IPVLAN = """
netwright: 1
name: cap
namespaces: {c1: {}}
interfaces:
  cu0: {kind: veth, peer: cu1}
  cu1: {kind: veth, peer: cu0}
  ci: {kind: ipvlan, parent: cu0, mode: l2, namespace: c1, addresses: [10.4.0.5/24]}
"""


def _kernel_has(kind_command: str) -> bool:
    script = f"ip link add p0 type veth peer name p1 && ip link add p2 {kind_command}"
    return subprocess.run(["unshare", "--net", "sh", "-c", script], capture_output=True,
                          check=False).returncode == 0


def test_probe_agrees_with_ip() -> None:
    found = supported(["bridge", "veth", "macvlan", "vxlan", "ipvlan", "vlan", "dummy"])
    assert found["bridge"] and found["veth"] and found["macvlan"] and found["vxlan"]
    assert found["ipvlan"] == _kernel_has("link p0 type ipvlan mode l2")
    assert found["vlan"] == _kernel_has("link p0 type vlan id 7")
    assert found["dummy"] == _kernel_has("type dummy")


def test_missing_kind_fails_up_front(engine: Engine, topo: Any, clean_host: Any) -> None:
    if _kernel_has("link p0 type ipvlan mode l2"):
        run(engine.apply(topo(IPVLAN)))
        assert links("c1")["ci"]["linkinfo"]["info_kind"] == "ipvlan"
        return
    with pytest.raises(KernelUnsupported) as missing:
        run(engine.plan(topo(IPVLAN)))
    assert str(missing.value).startswith("this kernel has no ipvlan support (module ipvlan)")
    assert "or make the children macvlan (mode bridge) instead" in str(missing.value)
    assert missing.value.kind == "ipvlan" and missing.value.module == "ipvlan"
    with pytest.raises(KernelUnsupported):
        run(engine.apply(topo(IPVLAN)))
    assert snapshot() == clean_host, "refused before the veth pair was created"


TWO_MISSING = """
netwright: 1
name: cap2
namespaces: {c1: {}}
interfaces:
  cu0: {kind: veth, peer: cu1}
  cu1: {kind: veth, peer: cu0}
  cv: {kind: vlan, parent: cu0, id: 5, namespace: c1, addresses: [10.4.0.5/24]}
  cd: {kind: dummy, namespace: c1, addresses: [10.5.0.5/24]}
"""


def test_every_missing_kind_is_named_at_once(engine: Engine, topo: Any,
                                             clean_host: Any) -> None:
    """One refusal per missing module had the user load them one after another."""
    if _kernel_has("type dummy") or _kernel_has("link p0 type vlan id 7"):
        pytest.skip("the kernel has dummy or vlan: this is about a kernel lacking both")
    with pytest.raises(KernelUnsupported) as missing:
        run(engine.plan(topo(TWO_MISSING)))
    assert str(missing.value) == (
        "this kernel has no dummy support (module dummy): load it with 'modprobe dummy' or"
        " use a kernel built with it (it lacks the design's vlan (module 8021q) too)")
    assert missing.value.kind == "dummy" and missing.value.module == "dummy"
