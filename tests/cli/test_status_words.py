"""`netwright status` in words: each object named once, the host's own part as such."""

from __future__ import annotations

from netwright.backend.outcomes.results import ObjectStatus, Status


def test_the_hosts_forwarding_and_rules_are_named_once() -> None:
    status = Status("docker", True, [
        ObjectStatus("c1", "namespace", "present"),
        ObjectStatus("host", "host", "drifted", ["set net.ipv4.ip_forward = 1 on the host"]),
        ObjectStatus("wlp2s0", "host-nic", "present")])
    assert status.render().splitlines()[1:] == [
        "  present  namespace c1",
        "  drifted  the host's forwarding and rules",
        "           set net.ipv4.ip_forward = 1 on the host",
        "  present  host-nic wlp2s0"]
