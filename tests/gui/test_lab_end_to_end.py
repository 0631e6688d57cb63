"""End to end against a real lab backend: draw the seed's network, Apply, Check, Destroy.

The lab (``netwrightd --lab``) runs without root in its own user, network and mount
namespaces, on a private bus; this test gives it a private runtime directory so it is this
test's own lab, and stops it (by its PID) at the end. The seed's children are drawn as
macvlan (bridge mode) here: this machine's kernel has no ipvlan, and macvlan bridge children
behave like the seed's ipvlan l2 ones (each other and the gateway: yes; the parent's own IP:
no). The kernel tier replays the ipvlan seed itself.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

from gestures import drop_kind
from lab_waits import idle
from PySide6.QtCore import QPointF

from netwright.gui.link.backend import LAB_NOTICE
from netwright.gui.window.main import MainWindow


def _draw_seed(window: MainWindow) -> None:
    """The seed, by hand: a NIC, two namespaces, a child in each, addresses, a name."""
    centre = window.view.mapToScene(window.view.viewport().rect().center())
    assert drop_kind(window.view, "nic", centre + QPointF(0, -200))
    assert drop_kind(window.view, "namespace", centre + QPointF(-160, 60))
    assert drop_kind(window.view, "namespace", centre + QPointF(160, 60))
    inspector = window.inspector
    inspector.show_key(None)
    assert inspector.commit("name", "guiseed")
    inspector.show_key("eth1")
    assert inspector.commit("addresses", "192.168.31.240/24")
    assert inspector.commit("gateway", "192.168.31.1")
    for namespace, address in (("net1", "192.168.31.5/24"), ("net2", "192.168.31.6/24")):
        box = window.scene.nodes[namespace].sceneBoundingRect().center()
        assert drop_kind(window.view, "macvlan", box)
        child = window.scene.selected_keys()[0]
        inspector.show_key(child)
        assert inspector.commit("addresses", address), inspector.errors["addresses"].text()
    errors = [p for p in window.document.problems if p.severity == "error"]
    assert not errors, errors


def test_draw_apply_check_destroy_in_the_lab(window: MainWindow, own_lab: Path,
                                             loop: asyncio.AbstractEventLoop) -> None:
    started = time.monotonic()
    connected = loop.run_until_complete(window.connect_backend())
    print(f"connected in {time.monotonic() - started:.1f} s")
    assert connected, window.backend_label.text()
    assert window.runner.backend is not None and window.runner.backend.lab
    assert window.backend_label.text() == LAB_NOTICE
    assert LAB_NOTICE in window.windowTitle()
    for action in (window.plan_action, window.apply_action, window.destroy_action,
                   window.check_action):  # connected: the tooltips say what, not "no backend"
        assert action.isEnabled() and "no backend" not in action.toolTip(), action.toolTip()
    _draw_seed(window)

    window.plan_action.trigger()
    loop.run_until_complete(idle(window))
    dialog = window.plan_dialog
    assert dialog is not None and dialog.steps, window.log.toPlainText()
    assert any("macvlan" in s["text"] for s in dialog.steps)
    planned = len(dialog.steps)
    dialog.go.click()  # Apply
    loop.run_until_complete(idle(window))
    assert "Apply: done" in window.log.toPlainText(), window.log.toPlainText()
    told = re.findall(r"\[(\d+)/(\d+)\]", window.log.toPlainText().split("Apply…")[-1])
    assert [(int(d), int(t)) for d, t in told] == [(n, planned) for n in
                                                     range(1, planned + 1)]  # every step
    assert window.deploy_label.text() == "deployed"

    window.check_from("net1")  # the right-click "Check from net1"
    loop.run_until_complete(idle(window))
    checks = window.checks
    assert checks.heading.text().startswith("Measured"), window.log.toPlainText()
    row = checks.matrix.currentRow()
    assert row >= 0 and checks.matrix.source(row) == "net1"
    peer = checks.cell("net1", "192.168.31.6")
    assert peer is not None and peer["observed"]["verdict"] == "reachable"
    parent = checks.cell("net1", "192.168.31.240")
    assert parent is not None and parent["observed"]["verdict"] == "unreachable"
    assert parent["predicted"]["verdict"] == "unreachable"
    assert "isolates" in parent["predicted"]["reason"]
    assert parent["predicted"]["fix"]
    outside = [p for p in checks.result["pairs"] if p.get("role") == "outside"]
    assert outside, "the measurement has the outside column"
    window.show_path(peer)
    assert any(w.result for w in window.scene.wires.values()), "the path is drawn"

    # An edit: the measurement stays, marked stale, beside the edited design's predictions;
    # the outside column stays; the path drawn for the old design goes.
    window.inspector.show_key("macvlan2")
    assert window.inspector.commit("addresses", "192.168.31.16/24")
    assert not any(w.result for w in window.scene.wires.values())
    loop.run_until_complete(asyncio.sleep(0.6))  # the prediction runs after a pause
    assert checks.heading.text().startswith("Stale"), checks.heading.text()
    stale_outside = checks.cell("net1", outside[0]["target_name"] or outside[0]["target"])
    assert stale_outside is not None and stale_outside["stale_observed"]["verdict"]
    moved = checks.cell("net1", "192.168.31.16")  # macvlan2's column: new and stale beside
    assert moved is not None and moved["predicted"]["verdict"] == "reachable"
    assert moved["stale_observed"]["verdict"] == "reachable", moved
    # Undo gives back the design the Check was made beside: current again, not stale (it
    # stayed "Stale" though the design was the measured one again)
    window.document.undo_stack.undo()
    loop.run_until_complete(asyncio.sleep(0.6))  # the undone design's predictions came in
    assert checks.heading.text().startswith("Measured"), checks.heading.text()
    assert "stale_observed" not in checks.cell("net1", "192.168.31.6")  # type: ignore[operator]
    assert checks.cell("net1", "192.168.31.16") is None
    window.show_path(peer)
    assert any(w.result for w in window.scene.wires.values())

    window.destroy_action.trigger()
    loop.run_until_complete(idle(window))
    dialog = window.plan_dialog
    assert dialog is not None and dialog.windowTitle() == "Destroy: plan"
    assert {"delete namespace net1", "delete interface macvlan1"} <= {
        s["text"] for s in dialog.steps}, dialog.steps
    dialog.go.click()  # Destroy
    loop.run_until_complete(idle(window))
    assert "Destroy: done" in window.log.toPlainText(), window.log.toPlainText()
    assert window.deploy_label.text() == "not deployed"
    # the measurement described a deployment that is gone: said, and its path leaves
    assert checks.heading.text().startswith("Stale: measured before Destroy: nothing"), \
        checks.heading.text()
    assert not any(w.result for w in window.scene.wires.values())
