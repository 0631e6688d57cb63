"""A pasted IPv6 address written with ``nodad`` gets a free address and keeps its flag."""

from __future__ import annotations

import ipaddress

from netwright.gui.model.paste import _free_like


def test_a_taken_nodad_address_is_replaced_by_a_free_one_with_the_flag() -> None:
    taken = {ipaddress.ip_address("fd00::1")}
    assert _free_like("fd00::1/64 nodad", taken) == "fd00::2/64 nodad"
    assert _free_like("fd00::9/64 nodad", taken) == "fd00::9/64 nodad"
    assert _free_like("dhcp", taken) == "dhcp"
