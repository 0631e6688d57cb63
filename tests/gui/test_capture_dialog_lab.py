"""Capture… in the designer, against a real lab backend: the menu entry once deployed, the
file written by the user's descriptor, the live list decoded by dpkt while a check runs, Stop.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

from lab_waits import idle

from netwright.gui.window.main import MainWindow
from tests.tools.pcap_reader import icmp_echoes

SEED = Path(__file__).parents[2] / "examples" / "seed-ipvlan-l2.yaml"


def _entry(window: MainWindow, key: str) -> object:
    menu = window.build_context_menu(key)
    return next(a for a in menu.actions() if a.text() == f"Capture on {key}…")


async def _until(condition, timeout: float = 60) -> None:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        await asyncio.sleep(0.05)


def test_capture_lists_the_checks_echoes_live(window: MainWindow, own_lab: Path,
                                              tmp_path: Path,
                                              loop: asyncio.AbstractEventLoop) -> None:
    design = tmp_path / "guicap.yaml"
    design.write_text(SEED.read_text().replace("kind: ipvlan", "kind: macvlan")
                      .replace("mode: l2", "mode: bridge").replace("name: seed", "name: guicap"))
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    assert window.open_path(design)
    loop.run_until_complete(idle(window))
    assert not _entry(window, "ipvlan1").isEnabled()  # not deployed yet
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    assert window.deploy_label.text() == "deployed", window.log.toPlainText()
    assert _entry(window, "ipvlan1").isEnabled()

    out = tmp_path / "ipvlan1.pcapng"
    dialog = window.capture_interface("ipvlan1", str(out))
    assert dialog is not None
    loop.run_until_complete(_until(lambda: dialog.job is not None or dialog.outcome is not None))
    assert dialog.job is not None, dialog.outcome
    window.check_action.trigger()
    loop.run_until_complete(idle(window))
    request = ("192.168.31.5", "192.168.31.6", "ICMP", "Echo (ping) request")
    loop.run_until_complete(_until(lambda: any(row[2:] == request
                                               for row in dialog.packets())))
    dialog.stop_button.click()
    loop.run_until_complete(_until(lambda: dialog.outcome is not None))
    assert isinstance(dialog.outcome, dict) and dialog.outcome["ended"] == "stopped", dialog.outcome
    assert dialog.state.text().startswith(f"{dialog.outcome['packets']} packets captured")
    assert ("request", "192.168.31.5", "192.168.31.6") in icmp_echoes(out)
    assert len(dialog.packets()) == dialog.outcome["packets"]

    window.destroy_action.trigger()
    loop.run_until_complete(idle(window))
    window.plan_dialog.go.click()
    loop.run_until_complete(idle(window))


def test_escape_stops_the_capture(window: MainWindow, own_lab: Path, tmp_path: Path,
                                  loop: asyncio.AbstractEventLoop) -> None:
    """Esc (or the window's close button) hid the dialog and left the capture running in
    the backend, with its writer, until the lab ended: closed, the dialog stops it as Stop
    does and keeps what was written."""
    design = tmp_path / "guiesc.yaml"
    design.write_text("netwright: 1\nname: guiesc\nnamespaces:\n  a: {}\ninterfaces:\n"
                      "  va: {kind: veth, namespace: a, peer: vh}\n"
                      "  vh: {kind: veth, peer: va}\n")
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    assert window.open_path(design)
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    assert window.deploy_label.text() == "deployed", window.log.toPlainText()
    out = tmp_path / "vh.pcapng"
    dialog = window.capture_interface("vh", str(out))
    assert dialog is not None
    loop.run_until_complete(_until(lambda: dialog.job is not None or dialog.outcome is not None))
    assert dialog.job is not None, dialog.outcome
    dialog.reject()  # what Esc does
    assert not dialog.isVisible()
    loop.run_until_complete(_until(lambda: dialog.outcome is not None, timeout=10))
    assert isinstance(dialog.outcome, dict) and dialog.outcome["ended"] == "stopped", dialog.outcome
    assert out.stat().st_size > 0  # the pcapng header, at least: what was written is kept
