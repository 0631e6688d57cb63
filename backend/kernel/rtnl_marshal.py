"""pyroute2's route-netlink parser, without importing its traffic-control messages up front.

``pyroute2.netlink.rtnl.marshal.MarshalRtnl`` maps each message type to its class, and its
module imports ``tcmsg`` for the qdisc, class and filter types: every scheduler, classifier
and action pyroute2 knows, ~8 ms of every command that opens a route socket (issue 23),
though the engine reads a tc message only to compare an impaired link's qdisc. ``RtnlMarshal``
has the same table (tests/kernel/test_rtnl_marshal.py holds it to pyroute2's) and maps the
tc types the first time one arrives.
"""

from __future__ import annotations

import struct
from typing import Any

from pyroute2.netlink import NLMSG_ERROR, rtnl
from pyroute2.netlink.marshal import Marshal
from pyroute2.netlink.rtnl.br_vlan import br_vlan_msg
from pyroute2.netlink.rtnl.fibmsg import fibmsg
from pyroute2.netlink.rtnl.ifaddrmsg import ifaddrmsg
from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg
from pyroute2.netlink.rtnl.ifstatsmsg import ifstatsmsg
from pyroute2.netlink.rtnl.ndmsg import ndmsg
from pyroute2.netlink.rtnl.ndtmsg import ndtmsg
from pyroute2.netlink.rtnl.nsidmsg import nsidmsg
from pyroute2.netlink.rtnl.probe_msg import probe_msg
from pyroute2.netlink.rtnl.rtmsg import rtmsg

#: The types whose class is ``tcmsg``: qdiscs, classes and filters.
TC_TYPES = frozenset({
    rtnl.RTM_NEWQDISC, rtnl.RTM_DELQDISC, rtnl.RTM_GETQDISC,
    rtnl.RTM_NEWTCLASS, rtnl.RTM_DELTCLASS, rtnl.RTM_GETTCLASS,
    rtnl.RTM_NEWTFILTER, rtnl.RTM_DELTFILTER, rtnl.RTM_GETTFILTER,
})

_ERROR_ECHO_TYPE = struct.Struct("=H")  # the type of the request an error message echoes
_ERROR_ECHO_OFFSET = 24  # netlink header (16) + errno (4) + the echoed header's length (4)


class RtnlMarshal(Marshal):  # type: ignore[misc]
    """``MarshalRtnl`` with its tc message types mapped on first use (module docstring)."""

    msg_map = {  # noqa: RUF012 (pyroute2's class attribute: each instance copies it)
        **dict.fromkeys((rtnl.RTM_NEWLINK, rtnl.RTM_DELLINK, rtnl.RTM_GETLINK,
                         rtnl.RTM_SETLINK, rtnl.RTM_NEWLINKPROP, rtnl.RTM_DELLINKPROP),
                        ifinfmsg),
        **dict.fromkeys((rtnl.RTM_NEWADDR, rtnl.RTM_DELADDR, rtnl.RTM_GETADDR), ifaddrmsg),
        **dict.fromkeys((rtnl.RTM_NEWROUTE, rtnl.RTM_DELROUTE, rtnl.RTM_GETROUTE), rtmsg),
        **dict.fromkeys((rtnl.RTM_NEWRULE, rtnl.RTM_DELRULE, rtnl.RTM_GETRULE), fibmsg),
        **dict.fromkeys((rtnl.RTM_NEWNEIGH, rtnl.RTM_DELNEIGH, rtnl.RTM_GETNEIGH), ndmsg),
        **dict.fromkeys((rtnl.RTM_NEWNEIGHTBL, rtnl.RTM_GETNEIGHTBL, rtnl.RTM_SETNEIGHTBL),
                        ndtmsg),
        **dict.fromkeys((rtnl.RTM_NEWNSID, rtnl.RTM_DELNSID, rtnl.RTM_GETNSID), nsidmsg),
        **dict.fromkeys((rtnl.RTM_NEWSTATS, rtnl.RTM_GETSTATS), ifstatsmsg),
        rtnl.RTM_NEWPROBE: probe_msg,
        **dict.fromkeys((rtnl.RTM_NEWVLAN, rtnl.RTM_DELVLAN, rtnl.RTM_GETVLAN), br_vlan_msg),
    }

    def parse_one_message(  # noqa: PLR0917 (pyroute2's signature)
        self, key: int, flags: int, sequence_number: int, data: bytes, offset: int,
        length: int,
    ) -> Any:
        if key == NLMSG_ERROR and length >= _ERROR_ECHO_OFFSET + _ERROR_ECHO_TYPE.size:
            echoed = _ERROR_ECHO_TYPE.unpack_from(data, offset + _ERROR_ECHO_OFFSET)[0]
            self._map_tc(echoed)  # an error decodes the request it echoes by its type
        else:
            self._map_tc(key)
        return super().parse_one_message(key, flags, sequence_number, data, offset, length)

    def _map_tc(self, key: int) -> None:
        if key in TC_TYPES and key not in self.msg_map:
            from pyroute2.netlink.rtnl.tcmsg import tcmsg

            self.msg_map.update(dict.fromkeys(TC_TYPES, tcmsg))

    def fix_message(self, msg: Any) -> None:
        """As MarshalRtnl: the event name of the message's type."""
        event = rtnl.RTM_VALUES.get(msg["header"]["type"])
        if event is not None:
            msg["event"] = event
