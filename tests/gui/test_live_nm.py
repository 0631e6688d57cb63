"""The live host's devices that NetworkManager manages: the Observed dock says so, with the
profile, against netwrightd and a real NetworkManager (the NM tests' harness plays the host).

A design with a persistent bridge is applied (NetworkManager then keeps it in a profile of
its own), the live host is opened, and selecting the bridge shows NetworkManager's words for
it; a veth pair Netwright made at runtime is said to be unmanaged.
"""

from __future__ import annotations

import asyncio

import pytest
from lab_waits import idle
from nm_backend import connect
from nm_harness import Harness

from netwright.gui.window.main import MainWindow

DESIGN = """netwright: 1
name: guilivenm
interfaces:
  brl: {kind: bridge, persist: true, addresses: [192.0.2.30/24]}
  vl: {kind: veth, peer: vl2, master: brl}
  vl2: {kind: veth, peer: vl}
"""


@pytest.mark.usefixtures("netwrightd")
def test_the_observed_dock_names_networkmanagers_profile(
        harness: Harness, window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    window.set_backend(loop.run_until_complete(connect(harness)))
    window.document.load_text(DESIGN)
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    loop.run_until_complete(asyncio.sleep(0.05))  # the plan is asked on the next turn
    loop.run_until_complete(idle(window))
    # a persistent design needs io.netwright.persist besides apply: the plan says so first
    dialog = window.plan_dialog
    assert dialog is not None, window.log.toPlainText()
    assert any("(io.netwright.persist)" in note for note in dialog.notes), dialog.notes
    dialog.go.click()
    loop.run_until_complete(idle(window))
    assert "Apply: done" in window.log.toPlainText(), window.log.toPlainText()

    window.live.open_action.trigger()
    loop.run_until_complete(idle(window))
    live = window.live
    assert "brl" in live.observed.interfaces, window.log.toPlainText()
    panel = live.observed_panel
    live.go_to_key("brl")
    assert panel.managed.isVisibleTo(panel)
    assert panel.managed.text().startswith(
        'NetworkManager: managed by NetworkManager: profile "netwright-guilivenm-brl"'), (
        panel.managed.text())
    live.go_to_key("vl2")
    assert panel.managed.text() in ("", "NetworkManager: not managed by NetworkManager"), (
        panel.managed.text())
