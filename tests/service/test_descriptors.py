"""Descriptors a caller sends along (D-Bus type 'h', or attached to any message) are closed.

Any local user may attach descriptors to any message for netwrightd: a Ping, an
Introspect of another path, a Properties.Get, a unicast signal. Only Capture takes one; every
other message's must be closed as it arrives, or a user polkit denies everything could fill
the daemon's descriptor table (EMFILE), and every later apply, check or status would fail.
"""

from __future__ import annotations

import os
import time

from svc_callers import run_client
from svc_polkit import USER_DENIED

#: Attaches 8 descriptors of /dev/null to each of 40 messages of each kind below (as the
#: denied user: nothing here needs polkit), then waits for the answer to one more.
SEND_DESCRIPTORS = """
import os
from dbus_fast import Message, MessageType
null = os.open('/dev/null', os.O_RDONLY)
owner = await client._bus.call(Message(
    destination='org.freedesktop.DBus', path='/org/freedesktop/DBus',
    interface='org.freedesktop.DBus', member='GetNameOwner', signature='s',
    body=['io.netwright.Backend1']))
daemon = owner.body[0]
kinds = [
    ('/io/netwright/Backend1', 'org.freedesktop.DBus.Peer', 'Ping', '', []),
    ('/', 'org.freedesktop.DBus.Introspectable', 'Introspect', '', []),
    ('/io/netwright/Backend1', 'org.freedesktop.DBus.Properties', 'Get', 'ss',
     ['io.netwright.Backend1', 'Version']),
    ('/io/netwright/Backend1', None, 'NoSuchMethod', '', []),
    ('/io/netwright/Backend1', 'io.netwright.Backend1', 'List', '', []),
]
for path, interface, member, signature, body in kinds:
    for _ in range(40):
        await client._bus.call(Message(destination=daemon, path=path, interface=interface,
                                       member=member, signature=signature, body=body,
                                       unix_fds=[null] * 8))
for _ in range(40):  # signals sent to the daemon alone are delivered without a match rule
    await client._bus.send(Message(message_type=MessageType.SIGNAL, destination=daemon,
                                   path='/x', interface='x.y', member='Z',
                                   unix_fds=[null] * 8))
await client._bus.call(Message(destination=daemon, path='/io/netwright/Backend1',
                               interface='org.freedesktop.DBus.Peer', member='Ping'))
return daemon
"""


def _descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_descriptors_sent_with_any_message_are_closed(running, system_bus) -> None:
    assert running.started is not None
    pid = running.started.pid
    before = _descriptors(pid)
    outcome = run_client(USER_DENIED, system_bus, SEND_DESCRIPTORS)
    assert "value" in outcome, outcome
    deadline = time.monotonic() + 5  # the List calls' tasks close theirs as they end
    while _descriptors(pid) > before + 8 and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _descriptors(pid) <= before + 8, f"{before} descriptors before, now {_descriptors(pid)}"
