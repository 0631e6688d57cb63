"""kernel/rtnl_marshal.py: pyroute2's route-netlink parser with its tc messages mapped on
first use gives every message the class pyroute2's own MarshalRtnl gives it."""

from __future__ import annotations

import struct

from pyroute2.netlink import NLM_F_REQUEST, NLMSG_ERROR
from pyroute2.netlink.rtnl import RTM_NEWLINK, RTM_NEWQDISC
from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg
from pyroute2.netlink.rtnl.marshal import MarshalRtnl
from pyroute2.netlink.rtnl.tcmsg import tcmsg

from netwright.backend.kernel.rtnl_marshal import TC_TYPES, RtnlMarshal


def _encoded(msg_class: type, msg_type: int, attrs: list[tuple[str, str]]) -> bytes:
    msg = msg_class()
    msg["attrs"] = attrs
    msg["header"]["type"] = msg_type
    msg["header"]["flags"] = NLM_F_REQUEST
    msg["header"]["sequence_number"] = 7
    msg.encode()
    return bytes(msg.data)


def test_the_table_is_pyroute2s_once_a_tc_message_came() -> None:
    marshal = RtnlMarshal()
    assert marshal.msg_map.keys() == MarshalRtnl.msg_map.keys() - TC_TYPES
    assert [msg.__class__ for msg in marshal.parse(
        _encoded(ifinfmsg, RTM_NEWLINK, [("IFLA_IFNAME", "v1")]))] == [ifinfmsg]
    assert marshal.msg_map.keys() == MarshalRtnl.msg_map.keys() - TC_TYPES  # still none
    [qdisc] = marshal.parse(_encoded(tcmsg, RTM_NEWQDISC, [("TCA_KIND", "tbf")]))
    assert isinstance(qdisc, tcmsg) and qdisc.get_attr("TCA_KIND") == "tbf"
    assert qdisc["event"] == "RTM_NEWQDISC"
    assert marshal.msg_map == MarshalRtnl().msg_map


def test_an_error_about_a_tc_request_decodes_the_request_as_tc() -> None:
    request = _encoded(tcmsg, RTM_NEWQDISC, [("TCA_KIND", "netem")])
    error = struct.pack("=IHHII", 16 + 4 + len(request), NLMSG_ERROR, 0, 7, 0)
    [reply] = RtnlMarshal().parse(error + struct.pack("=i", -95) + request)
    assert isinstance(reply["header"]["errmsg"], tcmsg)
    assert reply["header"]["error"].code == 95
