"""`netwright status` in words: each object named once, the host's own part by what it holds."""

from __future__ import annotations

import time

from netwright.backend.outcomes.results import ObjectStatus, Status


def test_the_hosts_part_is_named_once_by_what_it_holds() -> None:
    status = Status("docker", True, [
        ObjectStatus("c1", "namespace", "present"),
        ObjectStatus("host", "host", "drifted", ["set net.ipv4.ip_forward = 1 on the host"],
                     "the host's forwarding and NAT rules"),
        ObjectStatus("wlp2s0", "host-nic", "present")])
    assert status.render().splitlines()[1:] == [
        "  present  namespace c1",
        "  drifted  the host's forwarding and NAT rules",
        "           set net.ipv4.ip_forward = 1 on the host",
        "  present  host-nic wlp2s0"]


def test_a_backend_that_does_not_label_the_hosts_part_claims_nothing_it_may_lack() -> None:
    """An older netwrightd sends no label: the line must not claim forwarding or rules the
    design may not have (the OpenStack example holds only a port firewall table)."""
    status = Status("openstack", True, [ObjectStatus("host", "host", "present")])
    assert status.render().splitlines()[1:] == ["  present  the host's part of the design"]


def test_the_first_line_says_what_is_not_as_designed() -> None:
    """A drifted deployment's first line was a bare "docker: deployed", the drift hidden
    somewhere in the list below."""
    status = Status("docker", True, [
        ObjectStatus("c1", "namespace", "missing"),
        ObjectStatus("c2", "namespace", "present"),
        ObjectStatus("veth-c1", "interface", "drifted", ["address 172.17.0.2/16 missing"]),
        ObjectStatus("veth-c2", "interface", "drifted", ["down"])])
    assert status.render().splitlines()[0] == ("docker: deployed, not as designed: 1 missing,"
                                               " 2 drifted")
    assert Status("docker", True, []).render() == "docker: deployed, as designed"


REASON = ("this switches the host's forwarding and changes NAT or filter rules on wlp2s0 (the"
          " device of the host's default route): the host may lose its connection. Confirm to"
          " go ahead; the change is then on trial")


def test_a_first_apply_whose_window_ended_unremoved_says_it_was_not_removed() -> None:
    """A trial the end of its window could not undo (NetworkManager stopped, say): a first
    apply has no previous configuration that "could not be restored yet"; it is the topology
    that could not be removed."""
    ended = {"deadline": time.time() - 30, "seconds": 0, "reason": REASON}
    first = Status("docker", True, [], awaiting_confirmation={**ended, "removes": True})
    assert first.render().splitlines()[-1] == (
        "  the last apply was not confirmed in time (the window ended 30 s ago), and it could"
        " not be removed yet (nothing of it was deployed before): 'netwright revert docker'"
        " tries again and says why (this switches the host's forwarding and changes NAT or"
        " filter rules on wlp2s0 (the device of the host's default route): the host may lose"
        " its connection)")
    later = Status("docker", True, [], awaiting_confirmation=ended)
    assert "and the previous configuration could not be restored yet: 'netwright revert" \
        in later.render(), later.render()
