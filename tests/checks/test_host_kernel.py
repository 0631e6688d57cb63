"""The host read once for a check (``checks/host_kernel.py``): one observation gives both the
ARP-flux facts and the host's routes, and the route to each macvlan child is the kernel's
own answer (``RtSocket.route_oif``, ``ip route get``), which with two connected routes for
one subnet is the one added first."""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Callable
from pathlib import Path

import pytest

from netwright.backend.checks.host_kernel import read_host
from netwright.backend.checks.netns import netns_path, route_socket

from .conftest import GATEWAY, sh

pytestmark = pytest.mark.root
HERE = netns_path(None)


def test_one_read_gives_the_lan_and_the_routes(uplink: Callable[..., str]) -> None:
    uplink("nwhk0")  # 192.168.31.240/24 on nwhk0
    uplink("nwhk1", "192.168.31.250/24")  # the same subnet, added second
    sh(f"ip route add 198.51.100.0/24 via {GATEWAY} dev nwhk1 metric 7")
    lan, routes = read_host(HERE, ["192.168.31.77", "198.51.100.9", "203.0.113.1"], True)
    assert lan is not None and routes is not None
    assert lan.addresses["nwhk0"] == (ipaddress.IPv4Interface("192.168.31.240/24"),)
    assert lan.addresses["nwhk1"] == (ipaddress.IPv4Interface("192.168.31.250/24"),)
    # the connected route added first wins; a gateway route names its device; no route: none
    assert lan.reply_dev == {"192.168.31.77": "nwhk0", "198.51.100.9": "nwhk1"}
    assert lan.arp_ignore["all"] == int(Path("/proc/sys/net/ipv4/conf/all/arp_ignore").read_text())
    route = next(r for r in routes.routes if r.to == "198.51.100.0/24")
    assert (route.via, route.dev, route.metric) == (GATEWAY, "nwhk1", 7)
    assert routes.addresses["nwhk1"] == ("192.168.31.250/24",)
    assert all(r.via is not None for r in routes.routes)  # connected ones are no way out


def test_only_what_is_asked_is_read(uplink: Callable[..., str]) -> None:
    uplink("nwhk2")
    assert read_host(HERE, [], True)[0] is None
    assert read_host(HERE, ["192.168.31.9"], False)[1] is None


def test_route_oif_is_the_kernels_route_get(uplink: Callable[..., str]) -> None:
    uplink("nwhk3")
    sock = route_socket(HERE)
    try:
        assert sock.route_oif("192.168.31.5") == socket.if_nametoindex("nwhk3")
        assert sock.route_oif("203.0.113.1") is None  # no route: the kernel refuses the get
        sh("ip link set lo up")
        assert sock.route_oif("127.0.0.9") == socket.if_nametoindex("lo")
    finally:
        sock.close()
