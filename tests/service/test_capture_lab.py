"""Capture in the lab: an ordinary user, no root and no polkit, the same Capture call.

The lab's daemon runs as the user inside its own user and network namespaces; the client
opens the output file outside the lab and passes the descriptor over the lab's private bus.
"""

from __future__ import annotations

from svc_callers import run_client
from svc_capture import shared_directory
from svc_lab import PrivateLab
from svc_polkit import USER_ALLOWED

from tests.tools.pcap_reader import icmp_echoes

SNIPPET = """
import os
fd = os.open({path!r}, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
await client.apply(seed)
try:
    job = await client.start_capture('seed', 'mv2', fd, count=2,
                                     packet_filter='icmp and host 192.168.31.5')
    os.close(fd)
    await client.check('seed', timeout=0.5)
    return await client.wait_capture(job)
finally:
    await client.destroy('seed')
"""


def test_the_lab_captures_for_its_user(lab: PrivateLab) -> None:
    with shared_directory() as directory:
        out = directory / "lab.pcapng"
        outcome = run_client(USER_ALLOWED, "unix:path=/nonexistent",
                             SNIPPET.format(path=str(out)), which="lab", env=lab.env)
        assert outcome.get("value") == {"packets": 2, "dropped": 0, "ended": "count"}, outcome
        echoes = icmp_echoes(out)
        assert len(echoes) == 2 and {kind for kind, _, _ in echoes} <= {"request", "reply"}
        assert all("192.168.31.5" in (source, target) for _, source, target in echoes)
