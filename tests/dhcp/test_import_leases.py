"""The live host's import of interfaces that udhcpc leased from the lab's dnsmasq.

A plain import records what it sees (every object existing, the leased address as the link
has it); a design copied from it (--as-design) says ``dhcp``, as the design that made them
did, with the leased address in a comment: applied elsewhere, it leases again instead of
taking this lease's address by hand. Read as netwrightd's ImportHost of a lab does.
"""

from __future__ import annotations

from typing import Any

import yaml

from netwright.backend.engine import Target
from netwright.backend.hostimport.imports import host_import
from netwright.backend.service.observe_calls import LAB_LAN_NETNS
from netwright.backend.topology import parse_topology
from tests.dhcp.conftest import LAB_TWO_MACVLANS, LabRig


def _imported(as_design: bool) -> tuple[str, dict[str, Any]]:
    target = Target.lab()
    found = host_import("copy", as_design=as_design, host=target.host_netns,
                        hide=LAB_LAN_NETNS, prefix=target.netns_prefix)
    parse_topology(found.text)  # validates, or raises with the problems
    data: dict[str, Any] = yaml.safe_load(found.text)
    return found.text, data


def test_a_design_copy_of_leased_interfaces_says_dhcp(lab_rig: LabRig, topo: Any) -> None:
    lab_rig.deploy(topo(LAB_TWO_MACVLANS))  # waits for the leases
    leases = {key: lease.address for key, lease in lab_rig.engine.dhcp.leases("dhcplab").items()}
    assert set(leases) == {"mv1", "mv2"}
    _text, seen = _imported(as_design=False)
    for key, address in leases.items():
        assert seen["interfaces"][key]["addresses"] == [address]
        assert seen["interfaces"][key]["existing"] is True
    text, design = _imported(as_design=True)
    for key, address in leases.items():
        entry = design["interfaces"][key]
        assert entry["addresses"] == ["dhcp"] and "existing" not in entry
        assert (f"  {key}:\n    kind: macvlan\n    namespace: net{key[-1]}\n"
                f"    # dhcp: leased {address} when imported; applied, it asks a DHCP server"
                " again\n    addresses: [dhcp]\n") in text, text
