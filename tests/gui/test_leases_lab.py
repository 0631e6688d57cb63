"""DHCP leases in the designer, against a real lab backend whose router serves with dnsmasq.

Two macvlan children ask for ``dhcp`` (one with a client-id written in the file, one
identified by its MAC), and a veth whose segment has no DHCP server does too. The plan
dialog lists which client-id each sends; Apply (from the accepted plan, so ``confirm=True``
goes to the backend) starts the clients; the canvas, the inspector and the Leases dock then
show exactly the leases ``Status.dhcp`` reports, and the status is followed periodically,
one request at a time, until Destroy.
"""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path
from typing import Any

from lab_waits import idle

from netwright.gui.canvas.items import address_line
from netwright.gui.docks.lease_views import LeasesTable
from netwright.gui.window.main import MainWindow

TOPOLOGY = """\
netwright: 1
name: guidhcp
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}}}
namespaces: {net1: {}, net2: {}}
interfaces:
  mv1: {kind: macvlan, parent: wlp2s0, mode: bridge, namespace: net1, addresses: [dhcp]}
  mv2:
    kind: macvlan
    parent: wlp2s0
    mode: bridge
    namespace: net2
    addresses: [{dhcp: {client-id: gui-mv2}}]
  v1: {kind: veth, peer: v2, namespace: net1, addresses: [dhcp]}
  v2: {kind: veth, peer: v1, namespace: net2, addresses: [10.9.0.2/24]}
"""


class StatusCalls:
    """Counts the backend's Status calls and the most that were ever in flight at once."""

    def __init__(self, backend: Any) -> None:
        self.count = self.running = self.most = 0
        status = backend.status

        async def counting(name: str) -> Any:
            self.count += 1
            self.running += 1
            self.most = max(self.most, self.running)
            try:
                return await status(name)
            finally:
                self.running -= 1

        backend.status = counting


def _record_starts(backend: Any) -> list[dict[str, Any]]:
    """The options each apply job is started with; the call still goes to the real backend."""
    calls: list[dict[str, Any]] = []
    start_apply = backend.start_apply

    async def recording(topology: str, **options: Any) -> str:
        calls.append(options)
        return str(await start_apply(topology, **options))

    backend.start_apply = recording
    return calls


async def _until(window: MainWindow, phases: dict[str, str], timeout: float = 30) -> None:
    """Wait for the window's own periodic status refresh to show these phases."""
    deadline = time.monotonic() + timeout
    while {k: window.scene.leases[k].phase for k in phases if k in window.scene.leases} \
            != phases:
        assert time.monotonic() < deadline, window.scene.leases
        await asyncio.sleep(0.1)


def _timeless(sentence: str) -> str:
    """The backend's sentence without its countdown, which moves between two statuses."""
    return re.sub(r"expires in \d+ s", "expires in N s", sentence)


def _table_rows(table: LeasesTable) -> dict[str, dict[str, str]]:
    rows: dict[str, dict[str, str]] = {}
    for row in range(table.rowCount()):
        cells = {name: table.item(row, column).text()  # type: ignore[union-attr]
                 for column, name in enumerate(table.COLUMNS)}
        rows[cells["Interface"]] = cells
    return rows


def test_leases_shown_followed_and_cleared(window: MainWindow, own_lab: Path,
                                           loop: asyncio.AbstractEventLoop) -> None:
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    backend: Any = window.runner.backend
    starts = _record_starts(backend)
    calls = StatusCalls(backend)
    window.status_refresher.timer.setInterval(300)  # the designer's 5 s, quicker
    window.document.load_text(TOPOLOGY)
    loop.run_until_complete(idle(window))
    assert window.scene.leases == {}
    assert window.status_refresher.periodic is False  # nothing deployed, nothing to follow

    window.plan_action.trigger()
    loop.run_until_complete(idle(window))
    dialog = window.plan_dialog
    assert dialog is not None and dialog.steps, window.log.toPlainText()
    assert dialog.notes_label.isVisibleTo(dialog)
    notes = dialog.notes_label.text()
    assert "mv1 in namespace net1" in notes and "MAC" in notes, notes
    assert "client-id 'gui-mv2'" in notes and "v1 in namespace net1" in notes, notes
    assert "client-id 'gui-mv2'" in window.log.toPlainText()
    dialog.go.click()  # Apply, the plan accepted
    loop.run_until_complete(idle(window))
    assert "Apply: done" in window.log.toPlainText(), window.log.toPlainText()
    assert starts == [{"confirm": True}]

    first = window.scene.item_for("v1")
    assert first is not None and first.shown_lease() is not None
    assert address_line(first.addresses, first.shown_lease())[1] in (
        "dhcp: waiting for a lease", "dhcp: failed, no server answered")
    loop.run_until_complete(_until(window, {"mv1": "bound", "mv2": "bound",
                                            "v1": "no-server"}))
    assert window.status_refresher.periodic is True
    before = calls.count
    loop.run_until_complete(asyncio.sleep(1.2))
    assert calls.count >= before + 2  # followed without anyone asking
    for _ in range(5):
        window.refresh_status()  # e.g. Apply, Destroy and connect at once
    loop.run_until_complete(idle(window))
    assert calls.most == 1  # never two requests at a time

    status = loop.run_until_complete(backend.status("guidhcp"))
    reported = {d["interface"]: d for d in status.dhcp}
    assert set(reported) == {"mv1", "mv2", "v1"}
    silent = reported.pop("v1")
    assert silent["phase"] == "no-server" and silent["address"] is None
    assert address_line(first.addresses, first.shown_lease()) == (
        "", "dhcp: failed, no server answered")
    assert _table_rows(window.leases_table)["v1"]["Phase"] == "no server"
    assert reported["mv1"]["address"] != reported["mv2"]["address"]
    table = _table_rows(window.leases_table)
    assert window.leases_dock.windowTitle() == "Leases (2 of 3)"
    for key, data in reported.items():
        item = window.scene.item_for(key)
        assert item is not None
        fixed, leased = address_line(item.addresses, item.shown_lease())
        assert (fixed, leased) == ("", f"{data['address']} (dhcp)")
        assert _timeless(item.toolTip()) == _timeless(data["text"])
        assert table[key]["Address"] == data["address"]
        assert table[key]["Server"] == data["server"] == "192.168.31.1"
        assert table[key]["Phase"] == "bound"
        assert table[key]["Expires"].startswith("in ")
    assert table["mv2"]["Client-id sent"] == "gui-mv2 (as given in the topology)"
    assert table["mv1"]["Client-id sent"].startswith("none")

    window.go_to_key("mv2")
    panel = window.inspector.lease_panel
    assert panel.isVisibleTo(window.inspector) and panel.timer.isActive()
    assert panel.values["Address"].text() == reported["mv2"]["address"]
    assert panel.values["Server"].text() == "192.168.31.1"
    assert panel.values["Expires"].text().startswith("in ")
    assert _timeless(panel.sentence.text()) == _timeless(reported["mv2"]["text"])

    window.apply_action.trigger()  # the kernel matches: nothing is started, nothing confirmed
    loop.run_until_complete(idle(window))
    assert starts == [{"confirm": True}]
    assert window.deploy_label.text() == "deployed"

    window.destroy_action.trigger()
    loop.run_until_complete(idle(window))
    window.plan_dialog.go.click()  # type: ignore[union-attr]
    loop.run_until_complete(idle(window))
    assert "Destroy: done" in window.log.toPlainText(), window.log.toPlainText()
    assert window.scene.leases == {}
    assert window.status_refresher.periodic is False
    assert window.leases_table.rowCount() == 0
    assert window.leases_dock.windowTitle() == "Leases"
    item = window.scene.item_for("mv1")
    assert item is not None and address_line(item.addresses, item.shown_lease()) == ("dhcp", "")
    assert panel.values == {} and panel.sentence.text().startswith("No lease reported")
