"""The window with host facts: the Host dock, the inspector's fill button, a parent change,
the Wi-Fi warning, and the facts going with the backend.

The facts are the JSON Inspect answers with, made by the backend's own ``NicFacts`` (a
Wi-Fi NIC as on the seed's laptop, a wired one, and one a deployed topology created); the
lab test (``test_host_facts_lab``) takes them from a running backend instead.
"""

from __future__ import annotations

from test_prefill import facts, wifi_nic

from netwright.gui.docks.host_panel import NO_FACTS
from netwright.gui.model.host_warnings import MACVLAN_ON_WIFI
from netwright.gui.window.main import MainWindow

DESIGN = """\
netwright: 1
name: facts
host: {nics: {wlp2s0: {}}}
namespaces: {net1: {}}
interfaces:
  mv1: {kind: macvlan, parent: wlp2s0, mode: bridge, namespace: net1}
"""


def host_facts() -> object:
    wired = wifi_nic(name="eth0", wifi=False, managed=False, addresses=["10.0.0.5/24"],
                     gateways=["10.0.0.1"])
    theirs = wifi_nic(name="other9", owner="other:other9", wifi=False)
    return facts(wifi_nic(), wired, theirs)


def codes(window: MainWindow) -> list[str]:
    return [p.code for p in window.problems.problems]


def test_fill_button_parent_change_and_wifi_warning(window: MainWindow) -> None:
    window.document.load_text(DESIGN)
    window.set_host_facts(host_facts())  # type: ignore[arg-type]
    listed = [window.host_view.nics.item(i).text() for i in range(window.host_view.nics.count())]
    assert listed == [  # other9 belongs to the deployed topology 'other'
        "wlp2s0 — Wi-Fi, NM-managed\n192.168.31.240/24 via 192.168.31.1",
        "eth0 — not NM-managed\n10.0.0.5/24 via 10.0.0.1"]
    assert MACVLAN_ON_WIFI in codes(window)

    window.inspector.show_key("mv1")
    panel = window.inspector.host_panel
    assert not panel.isHidden() and not panel.warning.isHidden()
    assert "ipvlan" in panel.warning.text()
    button = panel.fill_button
    assert button.text() == "Fill from parent (192.168.31.0/24 via 192.168.31.1)"
    assert button.isEnabled()
    button.click()
    assert window.document.get(("interfaces", "mv1", "addresses")) == ["192.168.31.2/24"]
    assert window.document.get(("namespaces", "net1", "routes")) == [
        {"to": "default", "via": "192.168.31.1"}]
    assert not button.isEnabled() and "already has an address" in button.toolTip()
    window.document.undo_stack.undo()
    assert window.document.get(("interfaces", "mv1", "addresses")) is None
    assert window.document.get(("namespaces", "net1", "routes")) is None

    assert window.host_view.select_name("eth0")
    window.host_view.add_button.click()
    assert window.document.get(("host", "nics", "eth0")) == {
        "addresses": ["10.0.0.5/24"], "gateway": "10.0.0.1"}
    window.inspector.show_key("mv1")
    assert window.inspector.commit("parent", "eth0")  # a new parent: filled from it
    assert window.document.get(("interfaces", "mv1", "addresses")) == ["10.0.0.2/24"]
    assert window.document.get(("namespaces", "net1", "routes")) == [
        {"to": "default", "via": "10.0.0.1"}]
    assert MACVLAN_ON_WIFI not in codes(window)  # eth0 is wired
    assert not [p for p in window.document.problems if p.severity == "error"]

    window.inspector.show_key("wlp2s0")  # the design's entry is empty: the host's values
    assert panel.fill_button.text() == "Use the host's values (192.168.31.240/24, 192.168.31.1)"
    panel.fill_button.click()
    assert window.document.get(("host", "nics", "wlp2s0", "gateway")) == "192.168.31.1"

    window.set_backend(None)  # the facts go with the backend
    assert window.host_facts is None
    assert window.host_view.heading.text() == NO_FACTS
    assert window.inspector.host_panel.facts.text() == NO_FACTS
