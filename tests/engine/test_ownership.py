"""Never touch unowned objects: refuse up front, and destroy only what the topology made."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import ConflictError, Engine, Target
from tests.engine.conftest import (
    ROOT,
    ip_json,
    links,
    netns_list,
    run,
    sh,
    snapshot,
    wait_for_no_orphans,
)
from tests.engine.test_rollback import MULTI

HAND_MADE = {
    "bridge": ("ip link add rbr type bridge && ip addr add 192.0.2.1/24 dev rbr",
               "an interface named rbr already exists in the host and does not belong"),
    "namespace": ("ip netns add r1 && ip -n r1 link set lo up",
                  "a namespace named r1 already exists and does not belong to topology rb"),
    "veth": ("ip link add y2h type veth peer name y2h-peer",
             "an interface named y2h already exists in the host and does not belong"),
}


@pytest.mark.parametrize("what", sorted(HAND_MADE))
def test_apply_refuses_before_touching_anything(engine: Engine, topo: Any, clean_host: Any,
                                                what: str) -> None:
    command, sentence = HAND_MADE[what]
    sh(command)
    before = snapshot()
    with pytest.raises(ConflictError) as conflict:
        run(engine.plan(topo(MULTI)))
    assert sentence in str(conflict.value)
    with pytest.raises(ConflictError):
        run(engine.apply(topo(MULTI)))
    assert snapshot() == before, "nothing was created, deleted, moved or re-addressed"
    assert run(engine.deployments()) == []


def test_destroy_leaves_hand_made_objects(engine: Engine, topo: Any, clean_host: Any) -> None:
    sh("ip link add hbr type bridge && ip addr add 192.0.2.1/24 dev hbr && ip link set hbr up")
    sh("ip netns add hns && ip link add hv0 type veth peer name hv1 netns hns")
    sh("ip link set hv0 master hbr && ip -n hns addr add 192.0.2.2/24 dev hv1")
    before = snapshot()
    run(engine.apply(topo(MULTI)))
    assert "r1" in netns_list() and "rbr" in links()
    run(engine.destroy("rb"))
    assert wait_for_no_orphans(before) == before


def test_destroy_leaves_other_topologies(engine: Engine, topo: Any, clean_host: Any) -> None:
    other = ("netwright: 1\nname: other\nnamespaces: {o1: {}}\ninterfaces:\n"
             "  ob: {kind: bridge, addresses: [10.7.0.1/24]}\n"
             "  o1v: {kind: veth, peer: o1h, namespace: o1, addresses: [10.7.0.2/24]}\n"
             "  o1h: {kind: veth, peer: o1v, master: ob}\n")
    run(engine.apply(topo(other)))
    with_other = snapshot()
    run(engine.apply(topo(MULTI)))
    run(engine.destroy("rb"))
    assert wait_for_no_orphans(with_other) == with_other
    assert run(engine.deployments()) == ["other"]


def test_another_topologys_interface_is_a_conflict(engine: Engine, topo: Any,
                                                   clean_host: Any) -> None:
    run(engine.apply(topo("netwright: 1\nname: first\ninterfaces: {rbr: {kind: bridge}}\n")))
    with pytest.raises(ConflictError) as conflict:
        run(engine.plan(topo(MULTI)))
    assert "rbr already exists in the host and belongs to topology first" in str(conflict.value)
    assert "('name:'), or destroy first first (netwright destroy first)" in str(conflict.value)


def test_another_topologys_namespace_is_named_as_the_user_knows_it(
        state_dir: Path, topo: Any, clean_host: Any) -> None:
    """In a lab every namespace has a prefix on disk (lab-r1): the sentence names r1 and
    the topology that holds it, and the way out is destroying that one, not 'by hand'."""
    prefixed = Engine(state_dir, Target(netns_prefix="pfx-"))
    try:
        run(prefixed.apply(topo("netwright: 1\nname: holder\nnamespaces: {r1: {}}\n")))
        with pytest.raises(ConflictError) as conflict:
            run(prefixed.plan(topo(MULTI)))
    finally:
        run(prefixed.destroy("holder"))
    assert "a namespace named r1 already exists and belongs to topology holder: rename the" \
        " namespace in this topology, or destroy holder first (netwright destroy holder)" \
        in str(conflict.value)
    assert "pfx-" not in str(conflict.value)


def test_status_names_an_unowned_object_in_the_way(engine: Engine, topo: Any,
                                                   clean_host: Any) -> None:
    run(engine.apply(topo(MULTI)))
    sh("ip link del rbr && ip link add rbr type bridge")  # someone replaced our bridge
    status = run(engine.status("rb"))
    by = {o.object: o for o in status.objects}
    assert by["rbr"].state == "drifted"
    assert by["rbr"].differences == [
        "an interface named rbr already exists in the host and does not belong to this"
        " topology; Netwright never deletes, moves or re-addresses it: rename the interface in"
        " the topology ('name:'), or remove the existing one by hand"]
    with pytest.raises(ConflictError):
        run(engine.apply(topo(MULTI)))
    run(engine.destroy("rb"))
    assert "rbr" in links(), "destroy left the hand-made bridge alone"
    assert links()["rbr"].get("ifalias") is None


def test_destroy_refuses_to_take_a_moved_in_interface(engine: Engine, topo: Any,
                                                       clean_host: Any) -> None:
    run(engine.apply(topo(MULTI)))
    sh("ip link add mine0 type veth peer name mine1 && ip link set mine1 netns r2")
    with pytest.raises(ConflictError) as conflict:
        run(engine.destroy("rb"))
    assert "namespace r2 holds mine1, which topology rb did not create" in str(conflict.value)
    assert "r2" in netns_list() and "rbr" in links(), "refused before touching anything"
    # back into this test's own namespace (never "netns 1": that is the machine's own)
    sh(f"ip -n r2 link set mine1 netns {os.getpid()}")
    run(engine.destroy("rb"))
    assert "r2" not in netns_list()
    assert {"mine0", "mine1"} <= set(links())


def test_destroy_by_topology_after_the_state_file_is_lost(engine: Engine, state_dir: Any,
                                                          topo: Any, clean_host: Any) -> None:
    run(engine.apply(topo(MULTI)))
    for path in state_dir.glob("*/rb.json"):
        path.unlink()
    assert run(engine.deployments()) == []
    run(engine.destroy(topo(MULTI)))
    assert wait_for_no_orphans(clean_host) == clean_host


HOST_PAIRS = {"netwright": 1, "name": "pairs", "interfaces": {
    **{f"pa{i}": {"kind": "veth", "peer": f"pb{i}"} for i in range(12)},
    **{f"pb{i}": {"kind": "veth", "peer": f"pa{i}"} for i in range(12)}}}


def test_destroy_deletes_a_whole_group_at_once(engine: Engine, clean_host: Any) -> None:
    from netwright.backend.topology.model import Topology

    run(engine.apply(Topology.model_validate(HOST_PAIRS)))
    assert len([n for n in links() if n.startswith("p")]) == 24
    run(engine.destroy("pairs"))
    assert wait_for_no_orphans(clean_host) == clean_host


def test_group_delete_spares_another_link_in_the_group(engine: Engine,
                                                       clean_host: Any) -> None:
    """A foreign link that happens to use the topology's group number stops the group delete."""
    from netwright.backend.engine.ops import link_group
    from netwright.backend.topology.model import Topology

    run(engine.apply(Topology.model_validate(HOST_PAIRS)))
    sh(f"ip link add other0 group {link_group('pairs')} type bridge"
       " && ip link set other0 alias someone-else")
    run(engine.destroy("pairs"))
    assert "other0" in links() and links()["other0"]["ifalias"] == "someone-else"
    assert not [n for n in links() if n.startswith(("pa", "pb"))]


def test_group_delete_spares_an_unmarked_link_in_the_group(engine: Engine,
                                                          clean_host: Any) -> None:
    """No alias is no proof: the group delete is refused when any member is unmarked."""
    from netwright.backend.engine.ops import link_group
    from netwright.backend.topology.model import Topology

    run(engine.apply(Topology.model_validate(HOST_PAIRS)))
    sh(f"ip link add other0 group {link_group('pairs')} type bridge")
    result = run(engine.destroy("pairs"))
    assert "other0" in links() and links()["other0"].get("ifalias") is None
    assert not [n for n in links() if n.startswith(("pa", "pb"))]
    assert not [s for s in result.plan.steps if "other0" in s.text]
    assert [n for n in result.plan.notes if n.startswith("left other0 in the host")]


def test_a_link_put_in_our_group_is_foreign_never_ours(engine: Engine,
                                                       clean_host: Any) -> None:
    """The docker example, and someone's veth put in its link group: status reports it as
    foreign, plan and destroy leave it (and say so)."""
    from netwright.backend.topology import load_topology

    topology = load_topology(str(ROOT / "examples" / "docker-bridge.yaml"))[1]
    topology = topology.model_copy(update={"host": type(topology.host)()})  # no uplink here
    run(engine.apply(topology))
    group = ip_json("link show docker0")[0]["group"]
    sh(f"ip link add victim0 type veth peer name victim0p && ip link set victim0 group {group}")
    status = run(engine.status("docker"))
    by = {o.object: o for o in status.objects}
    assert by["victim0"].state == "foreign"
    assert "does not carry the topology's marker: Netwright did not create it" in (
        by["victim0"].differences[0])
    assert not status.ok and "deployed, as designed" not in status.render()
    assert [o.object for o in status.objects if o.state != "present"] == ["victim0"]
    plan = run(engine.plan(topology))
    assert plan.steps == []
    assert [n for n in plan.notes if n.startswith(f"victim0 in the host is in link group {group}")]
    result = run(engine.destroy("docker"))
    assert not [s for s in result.plan.steps if "victim0" in s.text]
    assert [n for n in result.plan.notes if "victim0" in n]
    assert {"victim0", "victim0p"} <= set(links())
    assert "docker0" not in links() and not {"c1", "c2"} & set(netns_list())
