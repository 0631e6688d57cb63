"""How leases are worded and shown, from the exact dicts the backend's DHCP clients write.

The entries are made by ``netwright.backend.dhcp.ClientState.to_json`` from real requests
(``requests(topology)``) and real ``Lease`` records, so a change of that shape shows here.
"""

from __future__ import annotations

import re
import time
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest

from netwright.backend.dhcp import ClientState, Lease, requests
from netwright.backend.nm.engine_part import as_steps
from netwright.backend.nm.persist import NmStep, PersistPlan
from netwright.backend.outcomes.results import Plan, Status, Step
from netwright.backend.topology import parse_topology
from netwright.gui.canvas.items import address_line
from netwright.gui.canvas.theme import make_theme
from netwright.gui.dialogs.plan import PlanDialog
from netwright.gui.docks.lease_views import LeasePanel, LeasesTable
from netwright.gui.model.leases import LeaseInfo, absolute_time, duration, lease_rows, leases_of

TOPOLOGY = """\
netwright: 1
name: leases
host:
  nics:
    wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
    eth1: {addresses: [192.168.32.240/24]}
namespaces: {net1: {}, net2: {}, net3: {}}
interfaces:
  ipvlan1: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net1, addresses: [dhcp]}
  mv1: {kind: macvlan, parent: eth1, mode: bridge, namespace: net2,
        addresses: [{dhcp: {client-id: office-printer}}]}
  mv2: {kind: macvlan, parent: eth1, mode: bridge, namespace: net3, addresses: [dhcp]}
"""
NOW = 1_800_000_000.0


def _requests() -> dict[str, Any]:
    return {r.key: r for r in requests(parse_topology(TOPOLOGY))}


def _entry(key: str, *, pid: int | None = 4242, lease: bool = False,
           event: str | None = None, detail: str = "") -> dict[str, Any]:
    request = _requests()[key]
    held = Lease(key=key, interface=request.name, address="192.168.31.130/24",
                 server="192.168.31.1", router="192.168.31.1", obtained=NOW - 8,
                 expires=NOW + 112, default_route=None) if lease else None
    return ClientState(request, pid, held, event, detail).to_json()


def test_a_bound_lease_shows_its_address_server_expiry_and_client_id() -> None:
    info = LeaseInfo.from_json(_entry("ipvlan1", lease=True, event="bound"))
    assert info.bound and info.tone == "ok"
    assert info.canvas_text() == "192.168.31.130/24 (dhcp)"
    assert info.client_id_words() == "netwright/leases/ipvlan1 (derived by Netwright)"
    assert info.expiry_words(NOW) == f"in 1 min 52 s (at {absolute_time(NOW + 112, NOW)})"
    assert info.expiry_words(NOW + 120).startswith("expired 8 s ago")
    rows = dict(lease_rows(info, NOW))
    assert rows["Address"] == "192.168.31.130/24" and rows["Server"] == "192.168.31.1"
    assert rows["Phase"] == "bound" and rows["Router"] == "192.168.31.1"
    assert info.text.startswith("ipvlan1: DHCP lease 192.168.31.130/24 from 192.168.31.1")


def test_no_router_row_when_the_lease_has_none() -> None:
    entry = {**_entry("mv1", lease=True, event="bound"), "router": None}
    assert "Router" not in dict(lease_rows(LeaseInfo.from_json(entry), NOW))


@pytest.mark.parametrize(("event", "pid", "words", "tone"), [
    (None, 4242, "dhcp: waiting for a lease", "pending"),
    ("leasefail", 4242, "dhcp: failed, no server answered", "failed"),
    ("refused", 4242, "dhcp: failed, the kernel refused the address", "failed"),
    (None, None, "dhcp: failed, no client runs", "failed"),
])
def test_without_a_lease_the_canvas_says_why(event: str | None, pid: int | None, words: str,
                                             tone: str) -> None:
    info = LeaseInfo.from_json(_entry("mv2", pid=pid, event=event,
                                      detail="192.168.31.130/24: Address in use"))
    assert not info.bound
    assert (info.canvas_text(), info.tone) == (words, tone)
    assert info.expiry_words(NOW) == "—"


def test_client_id_words_for_each_origin() -> None:
    given = LeaseInfo.from_json(_entry("mv1"))
    assert given.client_id_words() == "office-printer (as given in the topology)"
    by_mac = LeaseInfo.from_json(_entry("mv2"))
    assert by_mac.client_id_words() == "none (the server identifies it by its MAC)"


@pytest.mark.parametrize(("seconds", "words"), [
    (0, "0 s"), (45.4, "45 s"), (112, "1 min 52 s"), (3600 + 5 * 60, "1 h 05 min"),
    (3 * 86400 + 4 * 3600 + 59, "3 d 4 h"), (-3, "0 s"),
])
def test_duration(seconds: float, words: str) -> None:
    assert duration(seconds) == words


def test_absolute_time_adds_the_date_only_for_another_day() -> None:
    assert len(absolute_time(NOW + 60, NOW)) == len("18:42:10")
    assert absolute_time(NOW + 3 * 86400, NOW).startswith(
        time.strftime("%Y-%m-%d", time.localtime(NOW + 3 * 86400)))


def test_leases_of_a_status_only_when_deployed_and_of_this_topology() -> None:
    entries = [_entry("ipvlan1", lease=True, event="bound"), _entry("mv2")]
    status = Status("leases", True, [], entries)
    leases = leases_of(status, "leases")
    assert set(leases) == {"ipvlan1", "mv2"} and leases["ipvlan1"].bound
    assert leases_of(status.to_json(), "leases") == leases
    assert leases_of(status, "renamed") == {}
    assert leases_of(Status("leases", False, [], []), "leases") == {}


def test_the_address_line_puts_the_lease_in_place_of_dhcp() -> None:
    bound = LeaseInfo.from_json(_entry("mv1", lease=True, event="bound"))
    assert address_line(["10.0.0.1/24", "dhcp"], bound) == (
        "10.0.0.1/24, ", "192.168.31.130/24 (dhcp)")
    assert address_line(["dhcp"], None) == ("dhcp", "")
    assert address_line(["10.0.0.1/24"], bound) == ("10.0.0.1/24", "")  # no longer dhcp
    assert address_line([], None) == ("no address", "")


def _seconds_shown(text: str) -> int:
    match = re.match(r"in (\d+) s \(at ", text)
    assert match, text
    return int(match.group(1))


def _shows_the_time_left(text: str, expires: float, since: float) -> bool:
    """``text`` is the countdown as computed at some moment from ``since`` until now (not at
    a fixed offset from the test's start: a loaded machine is slow to build widgets)."""
    shown = _seconds_shown(text)
    return int(expires - time.time() + 0.5) <= shown <= int(expires - since + 0.5)


def test_lease_panel_and_table_count_down(qtbot) -> None:  # type: ignore[no-untyped-def]
    expires = time.time() + 30.4
    soon = {**_entry("mv1", lease=True, event="bound"), "expires": expires}
    leases = {"mv1": LeaseInfo.from_json(soon), "mv2": LeaseInfo.from_json(_entry("mv2"))}
    panel = LeasePanel()
    qtbot.addWidget(panel)
    since = time.time()
    panel.show_lease(True, leases["mv1"])
    first = panel.values["Expires"].text()
    assert _shows_the_time_left(first, expires, since), first
    qtbot.waitUntil(lambda: _seconds_shown(panel.values["Expires"].text())
                    < _seconds_shown(first), timeout=3000)  # it counts down by itself
    panel.show_lease(False, None)
    assert not panel.timer.isActive()
    table = LeasesTable(make_theme(False))
    qtbot.addWidget(table)
    table.show()
    since = time.time()
    table.set_leases(leases)
    assert table.summary() == "Leases (1 of 2)" and table.timer.isActive()
    column = table.COLUMNS.index("Expires")
    row = table.row_of("mv1")
    assert _shows_the_time_left(table.item(row, column).text(), expires, since)
    assert table.item(table.row_of("mv2"), column).text() == "—"
    table.setFocus()
    table.setCurrentCell(row, 0)
    with qtbot.waitSignal(table.activated_key) as activated:
        QTest.keyClick(table, Qt.Key.Key_Return)  # as a double-click does
    assert activated.args == ["mv1"]


def test_plan_dialog_shows_notes_and_the_warning_to_confirm(qtbot) -> None:  # type: ignore[no-untyped-def]
    takeover = ("this changes wlp2s0, which carries the host's default route: the host may"
                " lose its connection while NetworkManager re-applies it")
    nm_plan = PersistPlan("leases", [NmStep("modify", "wlp2s0", "modify profile of wlp2s0",
                                            "wlp2s0")], [], takeover)
    notes = [r.describe() for r in _requests().values()]
    dialog = PlanDialog(Plan("leases", as_steps(nm_plan), notes), "Apply")
    qtbot.addWidget(dialog)
    assert dialog.warnings == [takeover]
    assert dialog.warning.isVisibleTo(dialog) and takeover in dialog.warning.text()
    assert dialog.go.text() == "Apply anyway"
    assert dialog.notes == notes and "netwright/leases/ipvlan1" in dialog.notes_label.text()
    plain = PlanDialog(Plan("leases", []), "Apply")
    qtbot.addWidget(plain)
    assert not plain.warning.isVisibleTo(plain) and not plain.notes_label.isVisibleTo(plain)
    assert plain.go.text() == "Apply"


def test_plan_dialog_says_the_design_warnings_in_the_designers_words(qtbot) -> None:  # type: ignore[no-untyped-def]
    """The plan carries the design's warnings (for the command line); the dialog says each
    as the Problems dock does, never as its code ("parent-ip-unreachable" told the person
    about to say yes nothing): the codes are only in the tooltip."""
    from pathlib import Path

    from netwright.backend.service.parser import topology
    from netwright.gui.model.wording import designer_message

    seed = (Path(__file__).parents[2] / "examples" / "seed-ipvlan-l2.yaml").read_text()
    warnings = topology(seed)[1]
    plan = Plan("seed", [Step("create", "net1", "create namespace net1")]).with_warnings(warnings)
    for shown in (plan, plan.to_json()):  # as the client parses it, and as JSON
        dialog = PlanDialog(shown, "Apply")
        qtbot.addWidget(dialog)
        rows = [dialog.design_warnings.item(i) for i in range(dialog.design_warnings.count())]
        texts = [row.text() for row in rows]
        assert texts == [designer_message(w) for w in warnings]
        assert not any("parent-ip-unreachable" in t or "no-default-route" in t for t in texts)
        assert "will not reach its parent wlp2s0's own address" in texts[0]
        assert "Inspector › Routes" in texts[2]  # the designer's sentence, not the file's YAML
        assert rows[0].toolTip().endswith("(warning parent-ip-unreachable)")
        assert dialog.design_heading.text() == ("The design has 4 warnings (the Problems list"
                                                " has them too):")
        assert dialog.design_warnings.isVisibleTo(dialog)
        assert not dialog.notes_label.isVisibleTo(dialog)  # the plan has no notes of its own
        assert dialog.warnings == [] and dialog.go.text() == "Apply"  # not a step to confirm
    plain = PlanDialog(Plan("seed", [Step("create", "net1", "create namespace net1")]), "Apply")
    qtbot.addWidget(plain)
    assert not plain.design_warnings.isVisibleTo(plain)


def test_the_log_writes_the_plan_with_the_warnings_in_the_designers_words() -> None:
    """F5 writes the plan in the Log too: its warnings as the dialog says them, not as the
    command line's ``FILE:LINE:COL: warning parent-ip-unreachable: …``."""
    from pathlib import Path

    from netwright.backend.service.parser import topology
    from netwright.gui.dialogs.plan import plan_log
    from netwright.gui.model.wording import designer_message

    seed = (Path(__file__).parents[2] / "examples" / "seed-ipvlan-l2.yaml").read_text()
    warnings = topology(seed)[1]
    plan = Plan("seed", [Step("create", "net1", "create namespace net1")]).with_warnings(
        warnings).in_file("seed.yaml")
    logged = plan_log(plan)
    assert "parent-ip-unreachable" not in logged and "no-default-route" not in logged
    assert logged.startswith("seed: 1 step\n  + create namespace net1")
    for warning in warnings:
        assert f"  ! warning: {designer_message(warning)}" in logged.splitlines()
    assert plan_log(Plan("seed", [])) == Plan("seed", []).render()
