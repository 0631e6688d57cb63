"""A deployment changed through the backend by someone else (here the command line) while the
window is open marks the last Check stale, with the reason: the backend's StateChanged only
updated whose deployment it is, and the Checks dock went on showing a measurement of what
was no longer there as current. This window's own Apply says its own reason, as before.

Against a real lab backend, as test_deployment_lab.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from lab_waits import idle, until

from netwright.gui.window.main import MainWindow

DESIGN = """\
netwright: 1
name: guistale
namespaces: {a: {}, b: {}}
interfaces:
  a0: {kind: veth, peer: b0, namespace: a, addresses: [10.9.0.1/24]}
  b0: {kind: veth, peer: a0, namespace: b, addresses: [10.9.0.2/24]}
"""



def test_a_change_made_elsewhere_marks_the_check_stale(
        window: MainWindow, own_lab: Path, tmp_path: Path,
        loop: asyncio.AbstractEventLoop) -> None:
    design = tmp_path / "guistale.yaml"
    design.write_text(DESIGN)
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    assert window.open_path(design)
    loop.run_until_complete(idle(window))
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    assert window.deploy_label.text() == "deployed", window.log.toPlainText()
    window.check_action.trigger()
    loop.run_until_complete(idle(window))
    checks = window.checks
    assert checks.measured is not None and not checks.stale, checks.heading.text()

    other = tmp_path / "other.yaml"  # the same name, b at another address
    other.write_text(DESIGN.replace("10.9.0.2/24", "10.9.0.3/24"))
    netwright = Path(sys.executable).with_name("netwright")
    applied = subprocess.run([str(netwright), "apply", "--lab", "--yes", str(other)],
                             capture_output=True, text=True, check=False, env=os.environ,
                             timeout=120)
    assert applied.returncode == 0, applied.stderr
    until(loop, lambda: checks.stale)
    assert checks.heading.text() == (
        "Stale: measured before the deployment changed outside this window (the command line"
        " or another designer); Check again to measure what is deployed now.")
    loop.run_until_complete(idle(window))

    window.check_action.trigger()  # measured again: current
    loop.run_until_complete(idle(window))
    assert not checks.stale
    window.apply_action.trigger()  # this window's own Apply (it asks: another file's)
    loop.run_until_complete(idle(window))
    dialog = window.plan_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.go.click()
    loop.run_until_complete(idle(window))
    assert "Apply: done" in window.log.toPlainText()
    assert checks.stale
    assert checks.heading.text().startswith("Stale: measured before the last Apply"), \
        checks.heading.text()
