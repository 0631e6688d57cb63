"""Plans are diffs: idempotent, minimal, and they delete what the file no longer has."""

from __future__ import annotations

from typing import Any

from netwright.backend.engine import Engine
from tests.engine.conftest import ip_json, links, netns_list, run, sh

BASE = """
netwright: 1
name: diff
namespaces:
  d1: {routes: [{to: default, via: 10.2.0.254}]}
  d2: {}
interfaces:
  br: {kind: bridge, addresses: [10.2.0.254/24]}
  x1: {kind: veth, peer: x1h, namespace: d1, addresses: [10.2.0.1/24]}
  x1h: {kind: veth, peer: x1, master: br}
  x2: {kind: veth, peer: x2h, namespace: d2, addresses: [10.2.0.2/24]}
  x2h: {kind: veth, peer: x2, master: br}
"""


def test_second_plan_is_empty(engine: Engine, topo: Any, clean_host: Any) -> None:
    first = run(engine.plan(topo(BASE)))
    assert len(first.steps) > 10
    assert {s.action for s in first.steps} == {"create"}
    run(engine.apply(topo(BASE)))
    again = run(engine.plan(topo(BASE)))
    assert again.empty and again.to_json()["steps"] == []
    result = run(engine.apply(topo(BASE)))
    assert result.plan.empty


def test_one_address_change_is_one_step(engine: Engine, topo: Any, clean_host: Any) -> None:
    run(engine.apply(topo(BASE)))
    index_before = links("d1")["x1"]["ifindex"]
    changed = BASE.replace("addresses: [10.2.0.1/24]", "addresses: [10.2.0.1/24, 10.2.0.9/24]")
    plan = run(engine.plan(topo(changed)))
    assert [(s.action, s.object, s.text) for s in plan.steps] == [
        ("modify", "x1", "add address 10.2.0.9/24 to x1 in namespace d1")]
    run(engine.apply(topo(changed)))
    after = links("d1")["x1"]
    assert sorted(after["addrs"]) == ["10.2.0.1/24", "10.2.0.9/24"]
    assert after["ifindex"] == index_before, "modified in place, not re-created"
    back = run(engine.plan(topo(BASE)))
    assert [s.text for s in back.steps] == ["remove address 10.2.0.9/24 from x1 in namespace d1"]


def test_mtu_state_and_route_changes(engine: Engine, topo: Any, clean_host: Any) -> None:
    run(engine.apply(topo(BASE)))
    changed = (BASE.replace("x2: {kind: veth, peer: x2h, namespace: d2,",
                            "x2: {kind: veth, peer: x2h, namespace: d2, state: down,")
               .replace("x1h: {kind: veth, peer: x1, master: br}",
                        "x1h: {kind: veth, peer: x1, master: br, mtu: 1300}")
               .replace("via: 10.2.0.254}", "via: 10.2.0.253}"))
    plan = run(engine.plan(topo(changed)))
    assert sorted(s.text for s in plan.steps) == sorted([
        "set mtu 1300 on x1h in the host (now 1500)",
        "take x2 down in namespace d2",
        "remove route default via 10.2.0.254 dev x1 from namespace d1",
        "add route default via 10.2.0.253 in namespace d1",
    ])
    run(engine.apply(topo(changed)))
    assert links()["x1h"]["mtu"] == 1300
    assert "UP" not in links("d2")["x2"]["flags"]
    assert [r["gateway"] for r in ip_json("route", "d1") if r["dst"] == "default"] == [
        "10.2.0.253"]
    assert run(engine.plan(topo(changed))).empty


def test_removed_objects_are_deleted(engine: Engine, topo: Any, clean_host: Any) -> None:
    run(engine.apply(topo(BASE)))
    smaller = "\n".join(line for line in BASE.splitlines()
                        if not line.lstrip().startswith(("x2", "d2")))
    plan = run(engine.plan(topo(smaller)))
    assert [(s.action, s.object) for s in plan.steps] == [("delete", "d2")]
    assert plan.steps[0].text == "delete namespace d2 and everything in it"
    run(engine.apply(topo(smaller)))
    assert "d2" not in netns_list()
    assert "x2h" not in links(), "the host end went with the namespace"
    no_bridge = smaller.replace("master: br", "").replace(
        "  br: {kind: bridge, addresses: [10.2.0.254/24]}\n", "").replace(
        "routes: [{to: default, via: 10.2.0.254}]", "")
    plan = run(engine.plan(topo(no_bridge)))
    assert sorted((s.action, s.object, s.text) for s in plan.steps) == [
        ("delete", "br", "delete bridge br in the host"),
        ("modify", "d1", "remove route default via 10.2.0.254 dev x1 from namespace d1"),
        ("modify", "x1h", "detach x1h from bridge br in the host"),
    ]
    run(engine.apply(topo(no_bridge)))
    assert "br" not in links()


def test_kind_change_recreates(engine: Engine, topo: Any, clean_host: Any) -> None:
    text = BASE + "  m: {kind: macvlan, parent: br, mode: bridge, namespace: d2}\n"
    run(engine.apply(topo(text)))
    plan = run(engine.plan(topo(text.replace("mode: bridge, namespace: d2",
                                             "mode: private, namespace: d2"))))
    assert [s.action for s in plan.steps][:2] == ["delete", "create"]
    assert "re-create" in plan.steps[0].text
    run(engine.apply(topo(text.replace("mode: bridge, namespace: d2",
                                       "mode: private, namespace: d2"))))
    assert links("d2")["m"]["linkinfo"]["info_data"]["mode"] == "private"


def test_status_reports_drift_and_missing(engine: Engine, topo: Any, clean_host: Any) -> None:
    run(engine.apply(topo(BASE)))
    assert run(engine.status("diff")).ok
    sh("ip -n d1 addr del 10.2.0.1/24 dev x1")
    sh("ip -n d2 link del x2")
    status = run(engine.status("diff"))
    by = {o.object: o for o in status.objects}
    assert not status.ok
    assert by["x1"].state == "drifted"
    assert by["x1"].differences == ["add address 10.2.0.1/24 to x1 in namespace d1"]
    assert by["x2"].state == "missing" and by["x2h"].state == "missing"
    assert by["br"].state == "present" and by["d2"].state == "present"
    assert by["d1"].state == "drifted"  # the default route went with the address
    assert status.to_json()["objects"][0]["object"] == "d1"
    run(engine.apply(topo(BASE)))
    assert run(engine.status("diff")).ok


def test_nodad_added_or_removed_re_adds_the_address(engine: Engine, topo: Any,
                                                    clean_host: Any) -> None:
    """IFA_F_NODAD is set when an address is added: a change of ``nodad`` alone re-adds it
    (read back from the kernel's address flags), and the plan says why."""
    v6 = BASE.replace("addresses: [10.2.0.1/24]", 'addresses: [10.2.0.1/24, "fd02::1/64"]')
    run(engine.apply(topo(v6)))
    flagged = v6.replace('"fd02::1/64"', '"fd02::1/64 nodad"')
    plan = run(engine.plan(topo(flagged)))
    assert [s.text for s in plan.steps] == [
        "remove address fd02::1/64 from x1 in namespace d1 to add it again without duplicate"
        " address detection",
        "add address fd02::1/64 nodad to x1 in namespace d1"]
    run(engine.apply(topo(flagged)))
    shown = next(a for a in ip_json("addr", "d1") if a.get("ifname") == "x1")["addr_info"]
    assert [a.get("nodad") for a in shown if a["local"] == "fd02::1"] == [True]
    assert run(engine.plan(topo(flagged))).empty
    assert len(run(engine.plan(topo(v6))).steps) == 2  # and back
