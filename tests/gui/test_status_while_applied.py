"""The status bar while another client applies the open design, against a real lab backend.

The command line applies a design of a few hundred namespaces (seconds) while the window,
showing that design, asks for its status over and over. The backend's Status named the
half-made deployment "not deployed" (a first apply) or drifted; it now says which job of
whose runs (API 1.16), and the window says "being applied by USER", the job in the tooltip.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

from lab_waits import idle

from netwright.backend.outcomes.provenance import local_user
from netwright.gui.window.main import MainWindow

NAMESPACES = 400


def _star(name: str, count: int) -> str:
    """``count`` namespaces, each with a veth to one bridge on the host (the service tests'
    star): slow enough to apply that the window asks mid-way many times."""
    lines = ["netwright: 1", f"name: {name}", "namespaces:"]
    lines += [f"  n{i}: {{}}" for i in range(count)]
    lines += ["interfaces:", "  br0: {kind: bridge, addresses: [10.9.0.1/16]}"]
    for i in range(count):
        lines.append(f"  h{i}: {{kind: veth, peer: c{i}, master: br0}}")
        lines.append(f"  c{i}: {{kind: veth, peer: h{i}, namespace: n{i},"
                     f" addresses: [10.9.{i // 250 + 1}.{i % 250 + 2}/16]}}")
    return "\n".join(lines) + "\n"


def test_a_design_being_applied_elsewhere_is_said_not_drift(
        window: MainWindow, own_lab: Path, tmp_path: Path,
        loop: asyncio.AbstractEventLoop) -> None:
    design = tmp_path / "wide.yaml"
    design.write_text(_star("guiwide", NAMESPACES))
    netwright = str(Path(sys.executable).with_name("netwright"))
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    assert window.open_path(design)
    loop.run_until_complete(idle(window))
    assert window.deploy_label.text() == "not deployed"
    apply = subprocess.Popen([netwright, "apply", "--lab", "--yes", "--json", str(design)],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                             env=os.environ)
    seen: list[tuple[str, str]] = []
    try:
        while apply.poll() is None:
            window.refresh_status()
            loop.run_until_complete(idle(window))
            seen.append((window.deploy_label.text(), window.deploy_label.toolTip()))
            loop.run_until_complete(asyncio.sleep(0.02))
    finally:
        _out, err = apply.communicate(timeout=120)
    assert apply.returncode == 0, err
    labels = [label for label, _tip in seen]
    being = [tip for label, tip in seen if label == f"being applied by {local_user()}"]
    assert being, labels
    assert being[0].startswith(f"guiwide: being applied by {local_user()} (job apply-guiwide-")
    assert not [label for label in labels if label.startswith("drifted")], labels
    window.refresh_status()
    loop.run_until_complete(idle(window))
    assert not window.deploy_label.text().startswith("being"), window.deploy_label.text()
    destroyed = subprocess.run([netwright, "destroy", "--lab", "guiwide"], capture_output=True,
                               text=True, check=False, env=os.environ, timeout=120)
    assert destroyed.returncode == 0, destroyed.stderr
