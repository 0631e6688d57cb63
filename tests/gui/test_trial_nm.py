"""Keep / Restore now, against netwrightd and a real NetworkManager (the NM tests' harness).

The harness's NetworkManager runs in a namespace of its own, which plays the host; the
bridge ``brs`` (a NetworkManager profile, ``persist: true``) carries its default route. A
change to ``brs`` is then applied from the accepted plan dialog and is only on trial: the
window opens the non-modal "Keep this network configuration?" dialog with a live countdown.
Keep keeps it; Restore now brings the previous address back at once; with no answer, the
daemon restores it at the deadline and the dialog says so. Every outcome is read back from
the kernel (the bridge's address) and from the backend's status.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from lab_waits import idle
from nm_backend import connect
from nm_harness import Harness

from netwright.gui.model.deployment import UNAPPLIED
from netwright.gui.window.main import MainWindow

WINDOW = 5  # seconds on trial: the shortest the backend accepts
OLD, NEW = "192.0.2.10/24", "192.0.2.20/24"
DESIGN = """netwright: 1
name: guitrial
interfaces:
  brs: {{kind: bridge, persist: true, addresses: [{address}]}}
  vs: {{kind: veth, peer: vs2, master: brs}}
  vs2: {{kind: veth, peer: vs}}
"""


def _apply_from_plan(window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    window.plan_action.trigger()
    loop.run_until_complete(idle(window))
    dialog = window.plan_dialog
    assert dialog is not None and dialog.steps and not dialog.warnings, window.log.toPlainText()
    dialog.go.click()
    loop.run_until_complete(idle(window))
    assert "Apply: done" in window.log.toPlainText(), window.log.toPlainText()


def _on_trial(window: MainWindow, loop: asyncio.AbstractEventLoop, harness: Harness,
              address: str) -> Any:
    """Make brs carry the default route, then change its address: the dialog opens."""
    harness.nm.ip("route", "replace", "default", "via", "192.0.2.1", "dev", "brs")
    window.inspector.show_key("brs")
    window.inspector.commit("addresses", address)
    window.plan_action.trigger()
    loop.run_until_complete(idle(window))
    plan = window.plan_dialog
    assert plan is not None and plan.warnings, plan.steps if plan else window.log.toPlainText()
    assert "default route" in plan.warnings[0] and plan.go.text() == "Apply anyway"
    plan.go.click()
    loop.run_until_complete(idle(window))
    trial = window.trial_dialog
    assert trial is not None and trial.isVisible() and not trial.isModal()
    assert trial.state == "waiting" and "default route" in trial.reason.text()
    assert 0 < trial.seconds_left() <= WINDOW
    assert trial.countdown.text().startswith("In ") and trial.countdown.text().endswith(
        ", the previous configuration of guitrial is restored."), trial.countdown.text()
    harness.nm.wait_for(lambda: harness.nm.addresses("brs") == [address], "the change")
    return trial


def _status(window: MainWindow, loop: asyncio.AbstractEventLoop) -> Any:
    return loop.run_until_complete(window.runner.backend.status("guitrial"))  # type: ignore[union-attr]


@pytest.mark.usefixtures("netwrightd")
def test_keep_restore_now_and_the_deadline(harness: Harness, window: MainWindow,
                                           loop: asyncio.AbstractEventLoop) -> None:
    client = loop.run_until_complete(connect(harness))
    window.set_backend(client)
    window.trial_seconds = WINDOW
    window.document.load_text(DESIGN.format(address=OLD))
    _apply_from_plan(window, loop)  # nothing carries the default route yet: no trial
    assert window.trial_dialog is None

    # Apply (Ctrl+F5) plans first: the change of the default route's device is a warning,
    # so the plan dialog opens to ask before anything changes
    harness.nm.ip("route", "replace", "default", "via", "192.0.2.1", "dev", "brs")
    window.inspector.show_key("brs")
    window.inspector.commit("addresses", NEW)
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    loop.run_until_complete(asyncio.sleep(0.05))  # the plan is asked on the next turn
    loop.run_until_complete(idle(window))
    assert "Apply failed" not in window.log.toPlainText()
    assert window.plan_dialog is not None and window.plan_dialog.warnings
    assert harness.nm.addresses("brs") == [OLD] and window.trial_dialog is None
    window.plan_dialog.reject()
    window.document.undo_stack.undo()

    trial = _on_trial(window, loop, harness, NEW)
    assert window.deploy_label.text().endswith("on trial")
    trial.keep_button.click()
    loop.run_until_complete(idle(window))
    assert trial.state == "kept" and trial.close_button.isVisible()
    assert _status(window, loop).awaiting_confirmation is None
    time.sleep(WINDOW + 0.5)  # past the deadline: nothing comes back
    assert harness.nm.addresses("brs") == [NEW]

    trial = _on_trial(window, loop, harness, OLD)
    trial.restore_button.click()
    loop.run_until_complete(idle(window))
    assert trial.state == "restored", trial.countdown.text()
    assert trial.countdown.text() == "Restored the previous configuration of guitrial."
    harness.nm.wait_for(lambda: harness.nm.addresses("brs") == [NEW], "Restore now")
    assert _status(window, loop).awaiting_confirmation is None

    trial = _on_trial(window, loop, harness, OLD)
    started = time.monotonic()
    while trial.state != "restored":
        assert time.monotonic() - started < WINDOW + 20, trial.countdown.text()
        loop.run_until_complete(asyncio.sleep(0.1))
    assert time.monotonic() - started >= WINDOW - 1  # not before the deadline
    harness.nm.wait_for(lambda: harness.nm.addresses("brs") == [NEW], "the deadline's restore")
    logged = window.log.toPlainText().rsplit("guitrial: on trial", 1)[-1]
    assert ("restored the previous configuration of guitrial: its change on trial was not"
            " confirmed in time") in logged, logged  # the backend's words (Ended)
    # the previous design is deployed again, and the window's design still holds the change
    # that was undone: the backend's StateChanged("restored") has it learn that, once
    started = time.monotonic()
    while window.deploy_label.text() != UNAPPLIED:
        assert time.monotonic() - started < 10, window.deploy_label.text()
        loop.run_until_complete(asyncio.sleep(0.05))
    trial.close_button.click()
    assert not trial.isVisible()

    window.destroy_action.trigger()
    loop.run_until_complete(idle(window))
    window.plan_dialog.go.click()  # type: ignore[union-attr]
    loop.run_until_complete(idle(window))
    assert "Destroy: done" in window.log.toPlainText()
    window.set_backend(None)
    client.close()
