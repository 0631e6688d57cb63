"""The live host's Observed dock says what the backend's facts say of a NIC ("On this host"),
as the design's Inspector does: it said "No host facts: connect a backend (the lab or
netwrightd)" while the window was connected and its Host tab listed the NICs."""

from __future__ import annotations

import asyncio
from datetime import datetime

from PySide6.QtWidgets import QApplication
from test_host_facts_window import host_facts

from netwright.gui.docks.host_panel import NO_FACTS
from netwright.gui.link.live import Observation
from netwright.gui.window.main import MainWindow

LIVE_HOST = """netwright: 1
name: live-host
host:
  nics:
    wlp2s0: {existing: true, addresses: [192.168.31.240/24], gateway: 192.168.31.1}
"""


def test_the_observed_nic_shows_the_host_facts(window: MainWindow,
                                               loop: asyncio.AbstractEventLoop) -> None:
    window.set_host_facts(host_facts())  # type: ignore[arg-type]  # asked when it connected
    live = window.live
    live.show_live()
    loop.run_until_complete(live.show_observation(
        Observation(LIVE_HOST, [], datetime.now(), True)))
    live.scene.select_keys(["wlp2s0"])
    QApplication.processEvents()
    panel = live.inspector.host_panel
    assert panel.isVisible()
    assert panel.facts.text() != NO_FACTS
    assert panel.facts.text().startswith("wlp2s0"), panel.facts.text()
    assert not panel.fill_button.isEnabled()  # read-only, as the rest of the form
