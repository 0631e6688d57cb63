"""Two namespaces joined by a veth pair, made with iproute2, for capture tests and benches.

``a`` (10.77.0.1/24, veth ``cap-a``) and ``b`` (10.77.0.2/24, veth ``cap-b``); removed again
(ignoring "already gone") when the ``with`` block ends.
"""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

A_ADDRESS = "10.77.0.1"
B_ADDRESS = "10.77.0.2"


@dataclass(frozen=True)
class Pair:
    a: str
    b: str
    a_link: str = "cap-a"
    b_link: str = "cap-b"


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


@contextmanager
def veth_pair(prefix: str = "cap") -> Iterator[Pair]:
    pair = Pair(f"{prefix}-a", f"{prefix}-b")
    _ip("netns", "add", pair.a)
    _ip("netns", "add", pair.b)
    try:
        _ip("-n", pair.a, "link", "add", pair.a_link, "type", "veth", "peer", "name",
            pair.b_link, "netns", pair.b)
        for ns, link, address in ((pair.a, pair.a_link, A_ADDRESS),
                                  (pair.b, pair.b_link, B_ADDRESS)):
            _ip("-n", ns, "addr", "add", f"{address}/24", "dev", link)
            _ip("-n", ns, "link", "set", link, "up")
            _ip("-n", ns, "link", "set", "lo", "up")
        yield pair
    finally:
        for ns in (pair.a, pair.b):
            subprocess.run(["ip", "netns", "del", ns], capture_output=True, check=False)


def ping(namespace: str, address: str, count: int, interval: float = 0.2) -> None:
    """``count`` echo requests from ``namespace`` to ``address`` (waits for them all)."""
    subprocess.run(["ip", "netns", "exec", namespace, "ping", "-n", "-q", "-c", str(count),
                    "-i", str(interval), "-W", "1", address], check=True, capture_output=True)
