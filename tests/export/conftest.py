"""The node's NIC for the Multus proofs: the same uplink (a veth to a router namespace with
the gateway and an outside address) that the checks' kernel tests use. The node is the
harness's own namespace, and the bridge plugin's isGateway turns its IPv4 forwarding on
(as it does on a real node): each test gives it back as it found it, so a later test of
the host's forwarding (tests/engine/test_host_wide.py) does not depend on the order."""

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.checks.conftest import uplink

__all__ = ["uplink"]

NODE_FORWARDING = [Path("/proc/sys/net/ipv4/ip_forward"),
                   Path("/proc/sys/net/ipv6/conf/all/forwarding")]


@pytest.fixture(autouse=True)
def node_forwarding_restored() -> Iterator[None]:
    before = [path.read_text() for path in NODE_FORWARDING]
    yield
    for path, value in zip(NODE_FORWARDING, before, strict=True):
        if path.read_text() != value:
            path.write_text(value)
