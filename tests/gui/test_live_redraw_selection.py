"""The live host drawn again (Compare with Design, Stop Comparing, a design edit while
comparing) keeps what is selected on the canvas and in the Observed dock alike."""

from __future__ import annotations

import asyncio
from datetime import datetime

from lab_waits import idle
from PySide6.QtCore import Qt

from netwright.gui.link.live import Observation
from netwright.gui.window.main import MainWindow

LIVE_HOST = """netwright: 1
name: live-host
namespaces:
  obs-red: {existing: true}
  obs-blue: {existing: true}
interfaces:
  obsvh1: {kind: veth, existing: true, peer: red-eth0}
  red-eth0: {kind: veth, name: eth0, existing: true, namespace: obs-red, peer: obsvh1,
             addresses: [172.30.0.2/24]}
"""
DESIGN = """netwright: 1
name: mine
namespaces:
  obs-red: {existing: true}
"""


def test_compare_and_stop_comparing_keep_the_observed_form_of_the_selection(
        window: MainWindow, qtbot, loop: asyncio.AbstractEventLoop) -> None:  # type: ignore[no-untyped-def]
    """The canvas kept obs-blue selected while the Observed dock went back to "Select a
    namespace, a link or a NIC…": each redraw loads a new live document, whose
    ``replaced`` empties the form, and nothing showed the selection's form again."""
    window.document.load_text(DESIGN)
    live = window.live
    live.show_live()
    loop.run_until_complete(live.show_observation(
        Observation(LIVE_HOST, [], datetime.now(), True)))
    live.scene.select_keys(["obs-blue"])
    assert live.inspector.key == "obs-blue"
    button = live.banner.buttons["Compare with Design"]  # its text says which it does now
    for doing in ("compare", "stop comparing"):
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
        loop.run_until_complete(idle(window))
        assert (live.comparison is not None) == (doing == "compare")
        assert live.scene.selected_keys() == ["obs-blue"], doing
        assert live.inspector.key == "obs-blue", doing
        assert live.observed_panel.notice.text().startswith("Observed on the live host"), doing
