"""Compare with Design sets the design's host forwarding, NAT and firewall against the live
host's (read beside the imported file), and says what it did not compare: a design with
forwarding off, or without the NAT the host has, no longer "matches" the host."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Any

from lab_waits import idle
from PySide6.QtCore import Qt

from netwright.gui.link.live import Observation
from netwright.gui.model.live_compare import DRIFTED, EXTRA, MISSING, compare
from netwright.gui.model.snapshot import take_snapshot
from netwright.gui.window.main import MainWindow

LIVE_HOST = """netwright: 1
name: live-host
namespaces:
  c1: {existing: true}
interfaces: {}
"""
# the docker example applied: the host forwards IPv4 and has the example's table
DOCKER_HOST: dict[str, Any] = {"forwarding": {"ipv4": True, "ipv6": False},
                               "nftables": ["inet netwright-docker"]}


def _design(host: dict[str, Any], name: str = "docker") -> dict[str, Any]:
    return {"netwright": 1, "name": name, "host": host, "namespaces": {"c1": {}},
            "interfaces": {}}


def _rows(host: dict[str, Any], live: dict[str, Any], name: str = "docker"
          ) -> list[tuple[str, str]]:
    result = compare(take_snapshot(_design(host, name)), take_snapshot(
        {"netwright": 1, "name": "live-host", "namespaces": {"c1": {}}}), live)
    return [(d.kind, d.text) for d in result.differences]


def test_the_hosts_forwarding_is_compared_where_the_design_names_it() -> None:
    assert _rows({"forwarding": {"ipv4": False}}, DOCKER_HOST) == [
        (DRIFTED, "the host's IPv4 forwarding: off → on"), (EXTRA, "the host's table inet"
         " netwright-docker (NAT or firewall): on the host, not in the design")]
    # a design that leaves forwarding as it is, with the table's NAT: nothing differs
    nat = {"nat": [{"masquerade": {"from": "172.17.0.0/16", "out": "eth0"}}]}
    assert _rows({**nat, "forwarding": {"ipv4": True}}, DOCKER_HOST) == []
    assert _rows(nat, {**DOCKER_HOST, "nftables": []}) == [
        (MISSING, "the host's table inet netwright-docker (its NAT and firewall): in the"
                  " design, not on the host")]


def test_what_was_not_compared_is_said_never_a_bare_match() -> None:
    design = take_snapshot(_design({}))
    live = take_snapshot({"netwright": 1, "name": "live-host", "namespaces": {"c1": {}}})
    assert compare(design, live, {}).summary() == (
        "the host matches the design; not compared: the host's forwarding, NAT and firewall"
        " (this backend does not report them)")
    said = compare(design, live, {"forwarding": {"ipv4": False, "ipv6": False},
                                  "nftables": ["inet filter"]}).summary()
    assert said == ("the host matches the design; not compared: the host's other nftables"
                    " tables (inet filter)")
    unread = compare(design, live, {"forwarding": {"ipv4": True}, "nftables-unread": "no"})
    assert "its nftables tables could not be read: no" in unread.summary()


def test_the_compare_dock_says_the_forwarding_and_nat_the_host_has(
        window: MainWindow, qtbot, loop: asyncio.AbstractEventLoop) -> None:  # type: ignore[no-untyped-def]
    """The docker example applied in the lab, a design with forwarding off and no NAT:
    the dock said "the host matches the design"."""
    window.document.load_text("netwright: 1\nname: docker\nhost:\n  forwarding: {ipv4: false}\n"
                              "namespaces:\n  c1: {existing: true}\n")
    live = window.live
    live.show_live()
    loop.run_until_complete(live.show_observation(
        Observation(LIVE_HOST, [], datetime.now(), True, host=DOCKER_HOST)))
    qtbot.mouseClick(live.banner.buttons["Compare with Design"], Qt.MouseButton.LeftButton)
    loop.run_until_complete(idle(window))
    view = live.compare_view
    assert view.heading.text() == ("docker against the live host: 0 missing on the host,"
                                   " 1 extra on the host, 1 drifted")
    rows = [view.rows.item(i).text() for i in range(view.rows.count())]
    assert any(r.endswith("the host's IPv4 forwarding: off → on") for r in rows), rows
    assert any("inet netwright-docker" in r for r in rows), rows
    view._clicked(view.rows.item(0))  # a host setting's row: nothing to select, no error
    assert live.scene.selected_keys() == []


def test_a_namespaces_forwarding_is_compared_where_the_design_says_it() -> None:
    """A router namespace the design wants forwarding, observed not forwarding (the import
    writes its sysctl only when on), was a match."""
    live = take_snapshot({"netwright": 1, "name": "live-host", "namespaces": {
        "r": {"existing": True}, "s": {"existing": True,
                                       "sysctls": {"net.ipv4.ip_forward": 1}}}})
    design = take_snapshot({"netwright": 1, "name": "mine", "namespaces": {
        "r": {"forwarding": {"ipv4": True}}, "s": {"sysctls": {"net.ipv4.ip_forward": 0}}}})
    result = compare(design, live, DOCKER_HOST)
    assert [(d.kind, d.key, d.text) for d in result.differences if d.key] == [
        (DRIFTED, "r", "namespace r: IPv4 forwarding on → off"),
        (DRIFTED, "s", "namespace s: IPv4 forwarding off → on")]


def test_an_impairment_is_said_not_compared() -> None:
    """The observed host carries no impairment (the import reads no qdiscs): a design whose
    veth limits its rate matched the host with no word about the rate."""
    veth = {"kind": "veth", "namespace": "c1", "peer": "v0"}
    design = take_snapshot({**_design({}), "interfaces": {
        "v1": {**veth, "impairment": {"rate": "10mbit"}}, "v0": {"kind": "veth", "peer": "v1"}}})
    live = take_snapshot({"netwright": 1, "name": "live-host", "namespaces": {"c1": {}},
                          "interfaces": {"v1": {**veth}, "v0": {"kind": "veth", "peer": "v1"}}})
    said = compare(design, live, {"forwarding": {"ipv4": False, "ipv6": False},
                                  "nftables": []}).summary()
    assert said == ("the host matches the design; not compared: the impairment of v1"
                    " (delay, loss, rate …: Plan compares it with the kernel's)")
