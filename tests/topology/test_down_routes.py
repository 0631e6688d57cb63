"""Routes that only a down interface could carry: validate says what apply would meet.

A down interface has no connected route, so the kernel refuses a route whose gateway is
on-link only through it ("Nexthop has invalid gateway") and a route out of it ("Device for
nexthop is not up"); apply then fails and rolls back, as the root test below shows.
"""

from __future__ import annotations

import asyncio
import subprocess
import textwrap
from pathlib import Path

import pytest

from netwright.backend.engine import Engine, Target
from netwright.backend.outcomes.errors import ApplyFailed
from netwright.backend.topology import Document

VIA_DOWN = """
    netwright: 1
    name: downgw
    namespaces:
      a:
        routes:
          - {to: default, via: 10.0.0.1}
      r: {}
    interfaces:
      ea: {kind: veth, peer: er, namespace: a, addresses: [10.0.0.2/24], state: STATE}
      er: {kind: veth, peer: ea, namespace: r, addresses: [10.0.0.1/24]}
"""

DEV_DOWN = """
    netwright: 1
    name: downdev
    namespaces:
      a:
        routes:
          - {to: 10.9.0.0/16, dev: eth0}
      r: {}
    interfaces:
      ea: {kind: veth, peer: er, name: eth0, namespace: a, addresses: [10.0.0.2/24],
           state: STATE}
      er: {kind: veth, peer: ea, namespace: r, addresses: [10.0.0.1/24]}
"""


def text(template: str, state: str) -> str:
    return textwrap.dedent(template).replace("STATE", state)


@pytest.mark.parametrize(("template", "code", "path", "line"), [
    (VIA_DOWN, "gateway-link-down", "namespaces.a.routes[0].via", 6),
    (DEV_DOWN, "route-link-down", "namespaces.a.routes[0].dev", 6),
])
def test_a_route_through_a_down_interface_is_an_error(template: str, code: str, path: str,
                                                      line: int) -> None:
    found = Document.from_text(text(template, "down"), "t.yaml").problems()
    assert [(p.severity, p.code, p.path_text, p.line) for p in found] == [
        ("error", code, path, line + 1)]
    assert "set 'state: up' on ea" in found[0].message
    assert Document.from_text(text(template, "up"), "t.yaml").problems() == []


def test_another_up_interface_on_the_subnet_keeps_the_gateway_on_link() -> None:
    found = Document.from_text(textwrap.dedent("""
        netwright: 1
        name: two
        namespaces:
          a: {routes: [{to: default, via: 10.0.0.1}]}
          r: {}
        interfaces:
          br0: {kind: bridge, namespace: r, addresses: [10.0.0.1/24]}
          ea: {kind: veth, peer: pa, namespace: a, addresses: [10.0.0.2/24], state: down}
          pa: {kind: veth, peer: ea, namespace: r, master: br0}
          eb: {kind: veth, peer: pb, namespace: a, addresses: [10.0.0.3/24]}
          pb: {kind: veth, peer: eb, namespace: r, master: br0}
        """), "t.yaml").problems()
    assert [p.code for p in found if p.severity == "error"] == []


@pytest.mark.root
@pytest.mark.parametrize("template", [VIA_DOWN, DEV_DOWN])
def test_the_kernel_refuses_what_validate_reports(template: str, tmp_path: Path) -> None:
    engine = Engine(tmp_path / "state", Target.host())
    with pytest.raises(ApplyFailed, match="rolled back"):
        asyncio.run(engine.apply(Document.from_text(text(template, "down"))._model()))
    netns = subprocess.run(["ip", "netns", "list"], capture_output=True, text=True, check=True)
    assert not {"a", "r"} & {line.split()[0] for line in netns.stdout.splitlines() if line}
    up = Document.from_text(text(template, "up")).topology()
    asyncio.run(engine.apply(up))
    try:
        routes = subprocess.run(["ip", "-n", "a", "route"], capture_output=True, text=True,
                                check=True).stdout
        assert ("default via 10.0.0.1" if template is VIA_DOWN else "10.9.0.0/16 dev eth0") \
            in routes
    finally:
        asyncio.run(engine.destroy(up.name))
