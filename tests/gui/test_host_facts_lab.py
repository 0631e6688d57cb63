"""Host facts from a real lab backend: list the host's NIC, add it, fill a child from it.

The lab (``netwrightd --lab``, this test's own, stopped by its PID at the end) gains the NICs a
design names when that design is planned; the window then asks Inspect again and lists the
lab's wlp2s0 with its real address and gateway. From there the user's path is followed: add
wlp2s0 to a new design from the Host dock, drop a macvlan into a namespace (this kernel has no
ipvlan; macvlan bridge children behave like the seed's ipvlan l2 ones), and the child arrives
with an address in 192.168.31.0/24 and its namespace with ``default via 192.168.31.1``, one
undo step. Apply and Check then show the child reaching the gateway and, through it, the
outside address: the default route the fill added is real.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from gestures import drop_kind
from lab_waits import idle

from netwright.gui.window.main import MainWindow

KNOWN_TO_THE_LAB = """\
netwright: 1
name: guifacts-lab
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
"""
FRESH = """\
netwright: 1
name: guifacts
namespaces: {net1: {}}
layout: {net1: {x: 0, y: 200}}
"""


def test_a_child_dropped_on_the_labs_nic_is_filled_and_reaches_the_gateway(
        window: MainWindow, own_lab: Path, loop: asyncio.AbstractEventLoop) -> None:
    started = time.monotonic()
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    loop.run_until_complete(idle(window))
    assert window.host_facts is not None, window.host_view.heading.text()
    assert window.host_facts.mode == "lab"

    window.document.load_text(KNOWN_TO_THE_LAB)
    loop.run_until_complete(idle(window))
    window.plan_action.trigger()  # the lab host gets wlp2s0; the window asks the facts again
    loop.run_until_complete(idle(window))
    assert window.plan_dialog is not None
    window.plan_dialog.reject()
    nic = window.host_facts.nic("wlp2s0")
    assert nic is not None, window.host_facts
    assert "192.168.31.240/24" in nic.addresses and "192.168.31.1" in nic.gateways
    assert not nic.wifi and nic.managed is None  # a lab has no NetworkManager
    assert window.host_view.select_name("wlp2s0")
    print(f"facts in {time.monotonic() - started:.1f} s")

    window.document.load_text(FRESH)
    window.host_view.add_button.click()
    assert window.document.get(("host", "nics", "wlp2s0")) == {
        "addresses": ["192.168.31.240/24"], "gateway": "192.168.31.1"}
    assert window.host_view.add_button.text() == "Show in design"

    steps = window.document.undo_stack.count()
    box = window.scene.nodes["net1"].sceneBoundingRect().center()
    assert drop_kind(window.view, "macvlan", box)
    child = window.scene.selected_keys()[0]
    address = window.document.get(("interfaces", child, "addresses"))
    assert address == ["192.168.31.2/24"], window.statusBar().currentMessage()
    route = {"to": "default", "via": "192.168.31.1"}
    assert window.document.get(("namespaces", "net1", "routes")) == [route]
    stack = window.document.undo_stack
    assert stack.count() == steps + 2  # the drop, then the fill
    assert stack.text(stack.count() - 1).startswith(f"Fill {child} from wlp2s0")

    stack.undo()  # one step takes back the address and the route, not the child
    assert window.document.get(("interfaces", child, "kind")) == "macvlan"
    assert window.document.get(("interfaces", child, "addresses")) is None
    assert window.document.get(("namespaces", "net1", "routes")) is None
    stack.redo()
    assert window.document.get(("namespaces", "net1", "routes")) == [route]
    errors = [p.message for p in window.document.problems if p.severity == "error"]
    assert errors == []
    assert not any(p.code == "no-default-route" for p in window.document.problems)

    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    assert "Apply: done" in window.log.toPlainText(), window.log.toPlainText()
    window.check_action.trigger()
    loop.run_until_complete(idle(window))
    for target in ("192.168.31.1", "203.0.113.114"):
        cell = window.checks.cell("net1", target)
        assert cell is not None and cell["observed"]["verdict"] == "reachable", (target, cell)
    print(f"whole test {time.monotonic() - started:.1f} s")


def test_with_no_file_the_host_dock_lists_the_labs_nic_at_once(
        window: MainWindow, own_lab: Path, loop: asyncio.AbstractEventLoop) -> None:
    """Issue #15: a fresh lab presents its uplink before anything is planned or applied."""
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    loop.run_until_complete(idle(window))
    assert window.host_view.heading.text().startswith("1 NIC on the lab"), (
        window.host_view.heading.text())
    nic = window.host_facts.nic("wlp2s0") if window.host_facts else None
    assert nic is not None and "192.168.31.240/24" in nic.addresses
    assert window.host_view.select_name("wlp2s0")
