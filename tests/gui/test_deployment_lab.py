"""Apply asks before it deletes, changes or replaces; the status names whose deployment it is.

Against a real lab backend (as test_lab_end_to_end): design A is applied from the toolbar (only
creations: it runs at once), edited ("deployed — the design has unapplied changes"), applied
again (it changes an address: the plan dialog asks); then design B, another file with the
same topology name, is opened: the status says the deployment is A's (the backend recorded
A's path, user and time), and Apply shows the plan with a sentence naming A before anything
is replaced. A deployment made by the command line from another file is named the same way,
even when it holds exactly this design: Apply asks before claiming it; and when the command
line applies while the window is open, the window hears of it (StateChanged) and says so.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from lab_waits import idle

from netwright.backend.outcomes.provenance import local_user
from netwright.gui.model.deployment import DEPLOYED, UNAPPLIED
from netwright.gui.window.main import MainWindow

SEED = Path(__file__).parents[2] / "examples" / "seed-ipvlan-l2.yaml"


def _design(tmp_path: Path, stem: str, address: str) -> Path:
    """The seed with macvlan bridge children (no ipvlan in this kernel), named 'guidep'."""
    text = (SEED.read_text().replace("kind: ipvlan", "kind: macvlan")
            .replace("mode: l2", "mode: bridge").replace("name: seed", "name: guidep")
            .replace("192.168.31.6/24", address))
    path = tmp_path / f"{stem}.yaml"
    path.write_text(text)
    return path


def _settle(window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    loop.run_until_complete(idle(window))
    loop.run_until_complete(asyncio.sleep(0.2))  # the status' side tasks (whose, leases)
    loop.run_until_complete(idle(window))


def test_apply_asks_before_changing_or_replacing(window: MainWindow, own_lab: Path,
                                                 tmp_path: Path,
                                                 loop: asyncio.AbstractEventLoop) -> None:
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    first = _design(tmp_path, "first", "192.168.31.6/24")
    assert window.open_path(first)
    _settle(window, loop)
    assert window.deploy_label.text() == "not deployed"

    window.apply_action.trigger()  # only creations: no dialog, it runs
    _settle(window, loop)
    assert window.plan_dialog is None, "a plan of creations only needs no question"
    assert "Apply: done" in window.log.toPlainText(), window.log.toPlainText()
    assert window.deploy_label.text() == "deployed"

    window.inspector.show_key("ipvlan2")
    assert window.inspector.commit("addresses", "192.168.31.16/24")
    assert window.deploy_label.text() == UNAPPLIED
    window.document.undo_stack.undo()
    assert window.deploy_label.text() == "deployed"
    window.document.undo_stack.redo()

    window.apply_action.trigger()  # this changes an address: the plan is shown first
    _settle(window, loop)
    dialog = window.plan_dialog
    assert dialog is not None and dialog.isVisible()
    assert any(step["action"] in ("modify", "delete") for step in dialog.steps), dialog.steps
    assert not dialog.warnings
    dialog.go.click()
    _settle(window, loop)
    assert window.deploy_label.text() == "deployed"
    assert window.document.save(str(first)) is None

    window.plan_dialog = None
    second = _design(tmp_path, "second", "192.168.31.26/24")
    assert window.open_path(second)
    _settle(window, loop)
    label = window.deploy_label.text()
    by = f"by {local_user()} at "
    assert label.startswith("deployed from /") and label.endswith(" — not this design"), label
    assert "first.yaml " + by in label, label
    assert f"from {first} by {local_user()} on " in window.deploy_label.toolTip()
    window.apply_action.trigger()
    _settle(window, loop)
    dialog = window.plan_dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.warnings and f"deployed from {first} {by}" in dialog.warnings[0], \
        dialog.warnings
    assert dialog.warning.isVisible() and dialog.go.text() == "Apply anyway"
    dialog.reject()  # nothing replaced
    _settle(window, loop)
    assert window.deploy_label.text() == label

    window.destroy_action.trigger()
    _settle(window, loop)
    assert window.plan_dialog is not None
    window.plan_dialog.go.click()
    _settle(window, loop)
    assert window.deploy_label.text() == "not deployed"


def test_a_deployment_the_command_line_made_is_named_and_claimed_only_after_asking(
        window: MainWindow, own_lab: Path, tmp_path: Path,
        loop: asyncio.AbstractEventLoop) -> None:
    elsewhere = _design(tmp_path, "by-cli", "192.168.31.6/24")
    netwright = Path(sys.executable).with_name("netwright")
    applied = subprocess.run([str(netwright), "apply", "--lab", "--yes", str(elsewhere)],
                             capture_output=True, text=True, check=False, env=os.environ,
                             timeout=120)
    assert applied.returncode == 0, applied.stderr
    same = _design(tmp_path, "mine", "192.168.31.6/24")  # the same design, another file
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    assert window.open_path(same)
    _settle(window, loop)
    label = window.deploy_label.text()  # a long path loses its middle; the tooltip has it
    assert label.startswith("deployed from /") and label.endswith(" — not this design")
    assert f"/by-cli.yaml by {local_user()} at " in label, label
    assert f"from {elsewhere} by {local_user()} on " in window.deploy_label.toolTip()

    window.apply_action.trigger()  # nothing to change in the kernel, but it is not ours
    _settle(window, loop)
    dialog = window.plan_dialog
    assert dialog is not None and dialog.isVisible() and not dialog.steps
    assert str(elsewhere) in dialog.warnings[0] and dialog.go.isEnabled()
    assert "only records this design as the deployment's source" in dialog.summary.text()
    dialog.go.click()
    _settle(window, loop)
    assert window.deploy_label.text() == DEPLOYED
    status = subprocess.run([str(netwright), "status", "--lab", "guidep"], capture_output=True,
                            text=True, check=False, env=os.environ, timeout=60)
    assert f"deployed from {same} by " in status.stdout, status.stdout

    # the command line takes it back while the window is open: the window hears of it
    again = subprocess.run([str(netwright), "apply", "--lab", "--yes", str(elsewhere)],
                           capture_output=True, text=True, check=False, env=os.environ,
                           timeout=120)
    assert again.returncode == 0, again.stderr
    deadline = loop.time() + 10
    while "by-cli.yaml" not in window.deploy_label.text() and loop.time() < deadline:
        loop.run_until_complete(asyncio.sleep(0.1))
    assert window.deploy_label.text().endswith(" — not this design"), \
        window.deploy_label.text()
