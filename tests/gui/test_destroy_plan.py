"""The designer's destroy plan lists only what the topology owns; a foreign interface (in its
link group without its marker) is named in a note as left alone, never as a step."""

from __future__ import annotations

from netwright.backend.outcomes.change import Change
from netwright.backend.outcomes.results import ObjectStatus, Status, Step
from netwright.gui.dialogs.plan import DESTROY_COUNTS, PlanDialog, destroy_plan

FOREIGN = ("victim0 in the host is in link group 1853293201, where Netwright creates the"
           " interfaces of topology docker, but it does not carry the topology's marker")


def test_destroy_plan_leaves_a_foreign_interface(qtbot) -> None:  # type: ignore[no-untyped-def]
    status = Status("docker", True, [
        ObjectStatus("docker0", "interface", "present"),
        ObjectStatus("c1", "namespace", "drifted", ["add route default via 172.17.0.1"]),
        ObjectStatus("c2-eth0", "interface", "missing"),
        ObjectStatus("eth9", "host-nic", "present"),
        ObjectStatus("victim0", "interface", "foreign", [FOREIGN]),
    ])
    plan = destroy_plan(status)
    assert [s["object"] for s in plan["steps"]] == ["docker0", "c1"]
    assert plan["notes"] == [f"left alone: {FOREIGN}", DESTROY_COUNTS]
    dialog = PlanDialog(plan, "Destroy")
    qtbot.addWidget(dialog)
    assert "victim0" in dialog.notes_label.text()
    assert all("victim0" not in step["text"] for step in dialog.steps)


def test_the_hosts_own_settings_are_restored_not_deleted(qtbot) -> None:  # type: ignore[no-untyped-def]
    """docker-bridge's destroy plan listed "delete host host" for the host's forwarding, NAT
    and firewall, which destroy gives back as they were (it deletes no host)."""
    status = Status("docker", True, [ObjectStatus("c1", "namespace", "present"),
                                     ObjectStatus("host", "host", "present")])
    steps = [s["text"] for s in destroy_plan(status)["steps"]]
    assert steps == ["delete namespace c1",
                     "restore the host's forwarding, NAT and firewall as they were before"
                     " docker"]


def test_the_destroy_dialog_counts_objects_and_says_the_log_counts_steps(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The confirmation said "Destroy docker: 8 steps" and the log then ran [1/5]…[5/5]: the
    dialog lists objects (a namespace, each interface in it), the destroy deletes a namespace
    with everything in it in one step. Each count now says what it counts."""
    status = Status("docker", True, [ObjectStatus("c1", "namespace", "present"),
                                     ObjectStatus("c1-eth0", "interface", "present"),
                                     ObjectStatus("veth-c1", "interface", "present"),
                                     ObjectStatus("docker0", "interface", "present")])
    dialog = PlanDialog(destroy_plan(status), "Destroy")
    qtbot.addWidget(dialog)
    assert dialog.summary.text() == "Destroy docker: 4 objects to remove"
    assert "step" not in dialog.summary.text()
    assert "the log counts the destroy's steps, not these objects" in dialog.notes_label.text()
    assert not dialog.notes_label.isHidden()
    one = PlanDialog(destroy_plan(Status("docker", True, [
        ObjectStatus("docker0", "interface", "present")])), "Destroy")
    qtbot.addWidget(one)
    assert one.summary.text() == "Destroy docker: 1 object to remove" and not one.notes


def test_the_plan_lists_the_destroys_host_steps_and_counts_objects_only(qtbot) -> None:  # type: ignore[no-untyped-def]
    """openstack's plan never named the bridge table of its tap ports' rules, which destroy
    deletes, and "N objects to remove" counted the line restoring the host's forwarding.
    The host's lines are now the destroy's own steps (the status carries them); a table is
    an object removed, a setting given back is not."""
    host = [Step("delete", "host", "delete nftables table inet netwright-docker in the host"),
            Step("delete", "host", "delete nftables table bridge netwright-docker in the host"),
            Step("modify", "host", "restore net.ipv4.ip_forward = 0 on the host (its value"
                                   " before topology docker)")]
    status = Status("docker", True, [ObjectStatus("c1", "namespace", "present"),
                                     ObjectStatus("docker0", "interface", "present"),
                                     ObjectStatus("host", "host", "present")],
                    host_destroy=host)
    dialog = PlanDialog(destroy_plan(status), "Destroy")
    qtbot.addWidget(dialog)
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == [
        "− delete namespace c1", "− delete interface docker0", *(
            f"{'−' if s.action == 'delete' else '~'} {s.text}" for s in host)]
    assert dialog.summary.text() == ("Destroy docker: 4 objects to remove, and the host's"
                                     " settings to restore")


def test_restoring_the_hosts_forwarding_is_no_object_removed(qtbot) -> None:  # type: ignore[no-untyped-def]
    """docker-bridge's plan said "2 objects to remove" for a namespace and the line giving
    the host's forwarding back."""
    restore = Step("modify", "host", "restore net.ipv4.ip_forward = 0 on the host (its value"
                                     " before topology docker)")
    dialog = PlanDialog(destroy_plan(Status("docker", True, [
        ObjectStatus("c1", "namespace", "present"), ObjectStatus("host", "host", "present")],
        host_destroy=[restore])), "Destroy")
    qtbot.addWidget(dialog)
    assert dialog.summary.text() == ("Destroy docker: 1 object to remove, and the host's"
                                     " settings to restore")


def test_a_destroy_plan_asked_while_the_topology_changes_says_so(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Mid-apply the status compares nothing (API 1.16): the plan said nothing at all, an
    empty "Destroy big: 0 objects to remove"; it now says who changes it and that Destroy
    waits for that to end."""
    status = Status("big", True, [], host_destroy=[],
                    changing=Change("apply", "apply-big-ab12cd-3", "alice", 0.0))
    plan = destroy_plan(status)
    assert plan["steps"] == []
    assert plan["notes"] == ["big is being applied by alice (job apply-big-ab12cd-3): what a"
                             " destroy removes is known once that has ended, and Destroy is"
                             " refused until then"]
    dialog = PlanDialog(plan, "Destroy")
    qtbot.addWidget(dialog)
    assert "being applied by alice" in dialog.notes_label.text()
