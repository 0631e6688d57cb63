"""The kernel facts NetworkManager's side reads (host NICs, ports, addresses) come from the
target's namespace without forking: pyroute2's ``IPRoute(netns=...)`` forks a helper and ends
it with SIGTERM, which reached netwrightd's own signal handling now and then and stopped it
(the lab daemon's log said "stopping on SIGTERM" right after an Inspect)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Iterator

import pytest
from nm_harness import delete_netns, ip, new_netns

from netwright.backend.nm import kernel


@pytest.fixture
def netns() -> Iterator[str]:
    name = new_netns("nwkr")
    try:
        ip("link", "add", "br9", "type", "bridge", netns=name)
        ip("link", "add", "up9", "type", "veth", "peer", "name", "port9", netns=name)
        for link in ("br9", "up9", "port9"):
            ip("link", "set", link, "up", netns=name)
        ip("link", "set", "port9", "master", "br9", netns=name)
        ip("addr", "add", "192.0.2.9/24", "dev", "up9", netns=name)
        ip("route", "add", "default", "via", "192.0.2.1", netns=name)
        yield name
    finally:
        delete_netns(name)


def test_reads_in_another_namespace_never_fork(netns: str,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a child process was started to read another namespace")

    monkeypatch.setattr(os, "fork", refuse)
    monkeypatch.setattr(multiprocessing.Process, "start", refuse)
    nics = {n.name: n for n in kernel.kernel_nics(netns).values()}
    assert nics["up9"].addresses == ["192.0.2.9/24"] and nics["up9"].gateways == ["192.0.2.1"]
    assert kernel.default_route_devices(netns) == ["up9"]
    assert kernel.ports_of(netns, "br9") == ["port9"]
    assert kernel.link_exists(netns, "br9") and not kernel.link_exists(netns, "nothere")
    assert "192.0.2.9/24" in kernel.addresses_of(netns, "up9")
    ip("link", "set", "port9", "nomaster", netns=netns)
    kernel.restore_ports(netns, "br9", ["port9"])
    assert kernel.ports_of(netns, "br9") == ["port9"]
    assert "up9" not in {n.name for n in kernel.kernel_nics(None).values()}  # ours stays ours
