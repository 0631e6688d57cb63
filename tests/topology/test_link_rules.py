"""Every MTU and VXLAN rule (validate_links.py), each triggered by a small file, asserting
code, severity, model path as written, line and column; and designs that must stay quiet."""

from __future__ import annotations

import pytest

from netwright.backend.topology import validate_links
from tests.topology.rule_cases import check_case, emitted_codes, only, problems

VXLAN = """
    namespaces: {u1: {}, u2: {}}
    interfaces:
      ua: {kind: veth, peer: ub, namespace: u1, addresses: [10.50.0.1/24]}
      ub: {kind: veth, peer: ua, namespace: u2, addresses: [10.50.0.2/24]}
      u1-vx: {kind: vxlan, namespace: u1, vni: 42, remote: 10.50.0.2, dev: ua, mtu: 1450}
      u2-vx: {kind: vxlan, namespace: u2, vni: 42, remote: 10.50.0.1, dev: ub, mtu: 1450}
    """

# (id, body, code, severity, path, line, column) — lines count the two header lines.
CASES = [
    ("veth-ends-differ", """
        namespaces: {c2: {}}
        interfaces:
          v1: {kind: veth, peer: v2}
          v2: {kind: veth, peer: v1, namespace: c2, mtu: 1400}
        """, "mtu-mismatch", "warning", "interfaces.v2.mtu", 6, 50),
    ("bridge-port-smaller", """
        interfaces:
          br0: {kind: bridge}
          p1: {kind: veth, peer: e1, master: br0}
          e1: {kind: veth, peer: p1}
          p2: {kind: veth, peer: e2, master: br0, mtu: 1400}
          e2: {kind: veth, peer: p2, mtu: 1400}
        """, "mtu-mismatch", "warning", "interfaces.p2.mtu", 7, 48),
    ("macvlan-child-smaller", """
        interfaces:
          up0: {kind: veth, peer: up1}
          up1: {kind: veth, peer: up0}
          mv: {kind: macvlan, parent: up0, mode: bridge, mtu: 1400}
        """, "mtu-mismatch", "warning", "interfaces.mv.mtu", 6, 55),
    ("vxlan-too-big-for-underlay", """
        interfaces:
          u0: {kind: veth, peer: u1, addresses: [10.9.0.1/24]}
          u1: {kind: veth, peer: u0}
          vx: {kind: vxlan, vni: 7, remote: 10.9.0.2, dev: u0, mtu: 1500}
        """, "vxlan-mtu-overhead", "warning", "interfaces.vx.mtu", 6, 61),
    ("vxlan-vni-differs", VXLAN.replace("vni: 42, remote: 10.50.0.1", "vni: 43, remote: 10.50.0.1"),
     "vxlan-vni-mismatch", "warning", "interfaces.u1-vx.vni", 7, 44),
    ("vxlan-port-differs", VXLAN.replace("vni: 42, remote: 10.50.0.1",
                                         "vni: 42, port: 8472, remote: 10.50.0.1"),
     "vxlan-port-mismatch", "warning", "interfaces.u2-vx.port", 8, 54),
    ("vxlan-remote-elsewhere", VXLAN.replace("remote: 10.50.0.1", "remote: 10.50.0.9"),
     "vxlan-remote-unmatched", "warning", "interfaces.u1-vx.remote", 7, 56),
    ("route-src-elsewhere", """
        namespaces:
          a: {routes: [{to: default, via: 10.0.0.254, src: 10.0.0.9}]}
        interfaces:
          e: {kind: veth, peer: p, namespace: a, addresses: [10.0.0.1/24]}
          p: {kind: veth, peer: e}
        """, "route-src-not-local", "error", "namespaces.a.routes[0].src", 4, 52),
]


@pytest.mark.parametrize(
    ("body", "code", "severity", "path", "line", "column"),
    [case[1:] for case in CASES], ids=[case[0] for case in CASES],
)
def test_rule(  # noqa: PLR0917 - one parameter per column of CASES
    body: str, code: str, severity: str, path: str, line: int, column: int
) -> None:
    check_case(body, code, severity, path, line, column)


def test_every_code_is_exercised() -> None:
    codes = emitted_codes(validate_links)
    assert codes and codes - {case[2] for case in CASES} == set()


def test_the_smaller_mtu_is_named_with_the_fix() -> None:
    problem = only(CASES[0][1], "mtu-mismatch")
    assert "v2 has MTU 1400" in problem.message and "v1, has 1500" in problem.message
    assert "'mtu: 1400' on v1, or 'mtu: 1500' on v2" in problem.message


def test_a_vni_mismatch_is_named_once_with_both_vnis() -> None:
    found = [p for p in problems(CASES[4][1]) if p.code.startswith("vxlan-")]
    assert [p.message.split(";")[0] + ";" + p.message.split(";")[1] for p in found] == [
        "u1-vx sends VNI 42 to 10.50.0.2; u2-vx listens for VNI 43"]
    remote = only(CASES[6][1], "vxlan-remote-unmatched")
    assert "u2-vx sends to 10.50.0.9, not back to u1" in remote.message
    assert "set 'remote: 10.50.0.1' on u2-vx" in remote.message


def test_a_remote_in_no_place_of_the_topology_and_one_with_no_vxlan() -> None:
    outside = VXLAN.replace("remote: 10.50.0.1", "remote: 192.0.2.7")
    assert not [p for p in problems(outside) if p.code == "vxlan-remote-unmatched"
                and p.path[1] == "u2-vx"]
    lonely = VXLAN.replace("      u2-vx: {kind: vxlan, namespace: u2, vni: 42, remote: 10.50.0.1,"
                           " dev: ub, mtu: 1450}\n", "")
    assert "no vxlan of this topology listens" in only(lonely, "vxlan-remote-unmatched").message


@pytest.mark.parametrize("body", [
    VXLAN,
    # a route's src that is the namespace's own address
    """
    namespaces:
      a: {routes: [{to: default, via: 10.0.0.254, src: 10.9.0.1}]}
    interfaces:
      e: {kind: veth, peer: p, namespace: a, addresses: [10.0.0.1/24, 10.9.0.1/32]}
      p: {kind: veth, peer: e}
    """,
    # children inherit their parent's MTU; a bridge without one follows its ports
    """
    interfaces:
      br0: {kind: bridge}
      p1: {kind: veth, peer: e1, master: br0, mtu: 9000}
      e1: {kind: veth, peer: p1, mtu: 9000}
      m1: {kind: macvlan, parent: e1, mode: bridge}
    """,
    # a vxlan on a dev starts at the dev's MTU minus 50: it fits
    """
    interfaces:
      u0: {kind: veth, peer: u1, addresses: [10.9.0.1/24]}
      u1: {kind: veth, peer: u0}
      vx: {kind: vxlan, vni: 7, remote: 10.9.0.2, dev: u0}
      v6: {kind: vxlan, vni: 8, remote: "fd00::2", dev: u0, mtu: 1430}
    """,
])
def test_consistent_mtus_are_quiet(body: str) -> None:
    assert not [p.render() for p in problems(body) if p.code in (
        "mtu-mismatch", "vxlan-mtu-overhead", "vxlan-vni-mismatch", "vxlan-port-mismatch",
        "vxlan-remote-unmatched", "route-src-not-local")]
