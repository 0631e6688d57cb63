"""The checked-in D-Bus contract and polkit policy match what the code exports and asks."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

from netwright.backend.service import names

REPO = Path(__file__).resolve().parents[2]
CONTRACT = REPO / "packaging" / "dbus" / "io.netwright.Backend1.xml"
POLICY = REPO / "polkit" / "io.netwright.policy"
BUS_POLICY = REPO / "packaging" / "dbus" / "io.netwright.Backend1.conf"

Shape = dict[str, object]


def interface_shape(xml: str) -> Shape:
    """Members of io.netwright.Backend1 with argument types and directions.

    Names of output and signal arguments are documentation (dbus-fast does not export them),
    so only types and directions are compared for those; input argument names are compared.
    """
    root = ET.fromstring(xml)
    found = [i for i in root.iter("interface") if i.get("name") == names.INTERFACE]
    assert len(found) == 1, f"{names.INTERFACE} is not exported exactly once"
    interface = found[0]
    shape: Shape = {}
    for method in interface.findall("method"):
        shape["method " + method.get("name", "")] = [
            (arg.get("name") if arg.get("direction", "in") == "in" else None,
             arg.get("type"), arg.get("direction", "in"))
            for arg in method.findall("arg")
        ]
    for signal in interface.findall("signal"):
        shape["signal " + signal.get("name", "")] = [a.get("type") for a in signal.findall("arg")]
    for prop in interface.findall("property"):
        shape["property " + prop.get("name", "")] = (prop.get("type"), prop.get("access"))
    return shape


def test_running_daemon_exports_exactly_the_checked_in_contract(running, caller_factory) -> None:
    answer = caller_factory("denied").call(
        "Introspect", interface="org.freedesktop.DBus.Introspectable"
    )
    assert answer["ok"], answer
    assert interface_shape(answer["body"][0]) == interface_shape(CONTRACT.read_text())


def test_every_member_is_documented() -> None:
    text = CONTRACT.read_text()
    for member in interface_shape(text):
        kind, name = member.split(" ")
        assert f"{name}:" in text, f"{kind} {name} has no documentation comment"


def test_policy_defines_exactly_the_actions_the_daemon_asks_for() -> None:
    root = ET.parse(POLICY).getroot()
    assert {a.get("id") for a in root.iter("action")} == set(names.ALL_ACTIONS)


def test_every_default_in_the_policy_says_why() -> None:
    text = POLICY.read_text()
    for block in text.split("<action ")[1:]:
        defaults = block.split("<defaults>")[1]
        assert "<!--" in defaults, "an action's defaults have no comment saying why"


def test_bus_policy_lets_only_root_own_the_name() -> None:
    root = ET.parse(BUS_POLICY).getroot()
    owners = [(p.get("user"), p.get("context")) for p in root.iter("policy")
              if any(a.get("own") == names.BUS_NAME for a in p.iter("allow"))]
    assert owners == [("root", None)]
    senders = [p.get("context") for p in root.iter("policy")
               if any(a.get("send_destination") == names.BUS_NAME for a in p.iter("allow"))]
    assert senders == ["default"]


def test_every_action_is_named_in_words_when_refused() -> None:
    """A refusal says what was refused ("not authorized to capture network traffic"), never
    only the action's id ("not authorized to io.netwright.capture")."""
    from netwright.backend.service.authority import _verb

    assert [a for a in names.ALL_ACTIONS if _verb(a) == a] == []
