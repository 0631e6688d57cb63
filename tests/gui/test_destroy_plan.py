"""The designer's destroy plan lists only what the topology owns; a foreign interface (in its
link group without its marker) is named in a note as left alone, never as a step."""

from __future__ import annotations

from netwright.backend.outcomes.results import ObjectStatus, Status
from netwright.gui.dialogs.plan import PlanDialog, destroy_plan

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
    assert plan["notes"] == [f"left alone: {FOREIGN}"]
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
