"""The live host in the designer, against a real lab backend observing a host built in it.

The lab (``netwrightd --lab``, this test's own, stopped by its PID at the end) is given a
named namespace, an anonymous one held by ``unshare --net sleep``, a bridge with a veth into
each and a macvlan (``live_lab_host``). The user's path is followed with real events: Open
Live Host from the welcome panel, the read-only picture (no drag moves it, no edit sticks),
Compare with Design with a design that differs, a click on a difference, Copy into Design as
one undo step, then Apply and Adopt… with its confirmation, and a refusal in the backend's
words. What the backend marks is read back from the kernel with ``ip``.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from gestures import click, mouse_drag
from lab_waits import idle
from live_lab_host import LAB_HOST, NAMED, LabLiveHost, build_lab_host
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLineEdit

from netwright.gui.canvas.live_scene import HolderNote, LiveScene
from netwright.gui.dialogs.adopt import AdoptDialog
from netwright.gui.model.live_compare import DRIFTED, EXTRA, MISSING
from netwright.gui.model.snapshot import Snapshot
from netwright.gui.window.main import MainWindow

DESIGN = f"""\
netwright: 1
name: guilive
namespaces:
  {NAMED}: {{existing: true}}
  blue: {{}}
interfaces:
  eth0: {{kind: veth, namespace: {NAMED}, existing: true, peer: obsvh1,
         addresses: [172.30.0.9/24]}}
  obsvh1: {{kind: veth, existing: true, peer: eth0, master: obsbr0, mtu: 1400}}
  obsbr0: {{kind: bridge, existing: true}}
  b1: {{kind: veth, namespace: blue, peer: b2}}
  b2: {{kind: veth, peer: b1, master: obsbr0}}
"""


@pytest.fixture
def lab_host(window: MainWindow, own_lab: Path,
             loop: asyncio.AbstractEventLoop) -> Iterator[LabLiveHost]:
    from netwright.backend.service.lab import running_lab_pid

    started = time.monotonic()
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    loop.run_until_complete(idle(window))
    pid = running_lab_pid()
    assert pid is not None
    host = build_lab_host(pid)
    print(f"lab and host in {time.monotonic() - started:.1f} s")
    try:
        yield host
    finally:
        host.remove()


def _key(snapshot: Snapshot, namespace: str, name: str) -> str:
    """The key the import gave the link ``name`` of ``namespace`` (``eth0`` is in both
    namespaces: which one keeps the plain key is the import's choice)."""
    return next(k for k, v in snapshot.interfaces.items()
                if v.get("namespace") == namespace and v.get("name", k) == name)


def _adopt_dialog(window: MainWindow, loop: asyncio.AbstractEventLoop) -> AdoptDialog:
    """Adopt… on the selection, as the menu does; the confirmation it opens."""
    window.live.adopt.action.trigger()
    loop.run_until_complete(idle(window))
    dialog = window.live.adopt.dialog
    assert dialog is not None and dialog.isVisible(), window.statusBar().currentMessage()
    return dialog


def _said(window: MainWindow) -> str:
    """The status bar's whole message (a long one is shortened there, whole in its tooltip)."""
    bar = window.statusBar()
    return bar.toolTip() or bar.currentMessage()


def _open_live(window: MainWindow, qtbot, loop: asyncio.AbstractEventLoop) -> None:  # type: ignore[no-untyped-def]
    assert window.live.welcome_button.isVisible()
    qtbot.mouseClick(window.live.welcome_button, Qt.MouseButton.LeftButton)
    loop.run_until_complete(idle(window))


def test_the_live_host_is_drawn_read_only_and_compared_with_a_design(
        window: MainWindow, lab_host: LabLiveHost, qtbot,  # type: ignore[no-untyped-def]
        loop: asyncio.AbstractEventLoop) -> None:
    _open_live(window, qtbot, loop)
    live = window.live
    assert isinstance(window.view.scene(), LiveScene)
    assert live.banner.isVisible()
    assert live.banner.label.text().startswith("Live host (lab) — read-only (observed ")
    observed = live.observed
    anonymous = lab_host.anonymous_key
    assert set(observed.namespaces) == {NAMED, anonymous}
    assert observed.interfaces["obsvh1"]["master"] == "obsbr0"
    red = _key(observed, NAMED, "eth0")
    assert observed.interfaces["obsvh1"]["peer"] == red
    assert observed.interfaces["obsmv0"]["parent"] == "obsup0"
    assert "wlp2s0" in observed.nics
    assert {"obsbr0", NAMED, anonymous, "wlp2s0"} <= set(live.scene.nodes)
    # the anonymous namespace says what holds it, on its box and in the Observed dock
    held = f"held by sleep (pid {lab_host.sleeper})"
    box = live.scene.nodes[anonymous]
    assert [n.text() for n in box.childItems() if isinstance(n, HolderNote)] == [held]
    assert NAMED not in live.observed_panel.holders
    window.view.centerOn(box)
    click(window.view, box.sceneBoundingRect().topLeft() + QPointF(40, 12))  # its header
    assert live.scene.selected_keys() == [anonymous]
    assert live.observed_panel.held.isVisible()
    assert live.observed_panel.held.text() == f"Namespace {anonymous}: {held}"

    # read-only: editing actions greyed, a drag moves nothing, the inspector edits nothing
    for action in (window.undo_action, window.paste_action, window.delete_action,
                   window.layout_action):
        assert not action.isEnabled(), action.text()
    assert not window.palette_list.isEnabled()
    # Plan, Apply, Destroy and Check act on the design, not on the host shown: they wait
    for action in (window.plan_action, window.apply_action, window.destroy_action,
                   window.check_action):
        assert not action.isEnabled() and "Back to Design" in action.toolTip(), action.text()
    bridge = live.scene.nodes["obsbr0"]
    before = bridge.pos()
    start = bridge.sceneBoundingRect().center() + QPointF(0, -bridge.sceneBoundingRect().height()
                                                          / 2 + 6)
    mouse_drag(window.view, start, start + QPointF(160, 120))
    assert bridge.pos() == before  # the drag selected by rubber band, moved nothing
    assert live.document.snapshot.layout["obsbr0"] == (before.x(), before.y())
    assert window.document.undo_stack.count() == 0
    live.go_to_key(red)
    editor = live.inspector.editors["addresses"]
    assert isinstance(editor, QLineEdit) and editor.isReadOnly()
    assert editor.text() == "172.30.0.2/24"
    assert not live.inspector.commit("addresses", "10.0.0.1/24")
    assert live.document.get(("interfaces", red, "addresses")) == ["172.30.0.2/24"]

    # compare with a design: missing, extra and drifted, outlined and listed
    window.document.load_text(DESIGN)
    assert isinstance(window.view.scene(), LiveScene)  # the host stays shown
    qtbot.mouseClick(live.banner.buttons["Compare with Design"], Qt.MouseButton.LeftButton)
    loop.run_until_complete(idle(window))
    marks = live.scene.marks()
    assert {k: marks.get(k) for k in ("blue", "b1", "b2", red, "obsvh2", anonymous,
                                      "obsmv0")} == {
        "blue": MISSING, "b1": MISSING, "b2": MISSING, red: DRIFTED, "obsvh2": EXTRA,
        anonymous: EXTRA, "obsmv0": EXTRA}
    assert "obsvh1" not in marks and "obsbr0" not in marks  # as designed
    assert live.compare_dock.isVisible()
    # the backend read the host's forwarding and nftables tables beside the file: compared
    found = live.observation
    assert found is not None and set(found.host["forwarding"]) == {"ipv4", "ipv6"}, found.host
    assert isinstance(found.host.get("nftables"), list), found.host
    assert "backend does not report" not in live.compare_view.heading.text()
    row = live.compare_view.row_of(red)
    assert row is not None and row.text() == (
        f"drifted · veth eth0 in namespace {NAMED}: addresses 172.30.0.9/24 → 172.30.0.2/24")
    rows = live.compare_view.rows
    rows.scrollToItem(row)
    qtbot.mouseClick(rows.viewport(), Qt.MouseButton.LeftButton,
                     pos=rows.visualItemRect(row).center())
    assert live.scene.selected_keys() == [red]

    # copy the container's veth into the design: with its peer and namespace, one undo step
    steps = window.document.undo_stack.count()
    port = live.scene.item_for("obsvh2")
    assert port is not None
    window.view.centerOn(port)
    click(window.view, port.sceneBoundingRect().center() + QPointF(-30, 0))
    assert live.scene.selected_keys() == ["obsvh2"]
    live.copy_action.trigger()  # File ▸ Copy into Design (also on the right-click menu)
    loop.run_until_complete(idle(window))
    design = window.document.snapshot
    assert design.interfaces["obsvh2"]["existing"] is True
    assert design.interfaces["obsvh2"]["master"] == "obsbr0"  # the design's own bridge
    peer = design.interfaces["obsvh2"]["peer"]
    assert design.interfaces[peer].get("namespace") == anonymous, (
        peer, design.interfaces, live.observed.interfaces)
    assert design.namespaces[anonymous] == {"existing": True}
    assert window.document.undo_stack.count() == steps + 1
    marks = live.scene.marks()  # the comparison follows the design
    assert "obsvh2" not in marks and anonymous not in marks and marks[red] == DRIFTED
    window.document.undo_stack.undo()
    loop.run_until_complete(idle(window))
    assert "obsvh2" not in window.document.snapshot.interfaces
    assert anonymous not in window.document.snapshot.namespaces

    qtbot.mouseClick(live.banner.buttons["Back to Design"], Qt.MouseButton.LeftButton)
    assert window.view.scene() is window.scene and not live.banner.isVisible()
    assert window.paste_action.isEnabled() and window.palette_list.isEnabled()
    assert window.apply_action.isEnabled() and window.check_action.isEnabled()


def test_adopt_names_each_object_and_the_backend_marks_only_the_confirmed_ones(
        window: MainWindow, lab_host: LabLiveHost, qtbot,  # type: ignore[no-untyped-def]
        loop: asyncio.AbstractEventLoop) -> None:
    _open_live(window, qtbot, loop)
    live = window.live
    window.document.load_text("netwright: 1\nname: guiadopt\n")
    red = _key(live.observed, NAMED, "eth0")
    live.scene.select_keys([red, lab_host.anonymous_key])
    copied = live.copy_into_design()  # two veth pairs, the bridge, two namespaces
    assert len(copied) == 7, (copied, window.log.toPlainText())
    assert not window.apply_action.isEnabled()  # it would apply the design, not the host shown
    qtbot.mouseClick(live.banner.buttons["Back to Design"], Qt.MouseButton.LeftButton)
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    assert "Apply: done" in window.log.toPlainText(), window.log.toPlainText()
    assert "alias" not in lab_host.run(f"ip -n {LAB_HOST} -d link show obsvh1")

    # the veth pair into obs-red and its namespace, chosen in the design itself: named,
    # cancelled, then confirmed
    window.scene.select_keys([red, "obsvh1", NAMED])
    dialog = _adopt_dialog(window, loop)
    shown = [dialog.objects.item(i).text() for i in range(dialog.objects.count())]
    assert sorted(shown) == sorted(["veth obsvh1 in the host", f"veth eth0 in namespace {NAMED}",
                                    f"namespace {NAMED}"])
    assert "guiadopt" in dialog.windowTitle()
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    loop.run_until_complete(idle(window))
    assert "alias" not in lab_host.run(f"ip -n {LAB_HOST} -d link show obsvh1")

    steps = window.document.undo_stack.count()
    qtbot.mouseClick(_adopt_dialog(window, loop).adopt_button, Qt.MouseButton.LeftButton)
    loop.run_until_complete(idle(window))
    assert "alias netwright:guiadopt:obsvh1" in lab_host.run(
        f"ip -n {LAB_HOST} -d link show obsvh1")
    assert f"alias netwright:guiadopt:{red}" in lab_host.run(
        f"ip -n lab-{NAMED} -d link show eth0")
    assert "alias" not in lab_host.run(f"ip -n {LAB_HOST} -d link show obsvh2")  # not chosen
    design = window.document.snapshot
    assert "existing" not in design.interfaces["obsvh1"]
    assert "existing" not in design.namespaces[NAMED]
    assert design.interfaces["obsvh2"]["existing"] is True
    assert window.document.undo_stack.count() == steps + 1
    adopted = _said(window)  # not "3 object(s)"
    assert adopted.startswith("adopted 3 objects into guiadopt: Destroy now removes them"), \
        adopted

    # an anonymous namespace cannot be adopted: chosen on the host, refused in the backend's
    # words before anyone is asked to confirm it
    window.live.open_action.trigger()
    live.scene.select_keys([lab_host.anonymous_key])
    window.live.adopt.dialog = None
    window.live.adopt.action.trigger()
    loop.run_until_complete(idle(window))
    assert window.live.adopt.dialog is None
    message = _said(window)
    assert message.startswith("nothing was adopted: cannot adopt into guiadopt:"), message
    assert "only a namespace under /run/netns" in message, message
    assert window.document.snapshot.namespaces[lab_host.anonymous_key]["existing"] is True


def test_without_a_backend_open_live_host_says_so(
        window: MainWindow, loop: asyncio.AbstractEventLoop) -> None:
    window.live.open_action.trigger()
    loop.run_until_complete(idle(window))
    message = _said(window)
    # said once: it read "the live host could not be read: cannot read the live host: …"
    assert message.startswith("the live host could not be read: no backend is connected"), \
        message
    assert window.live.banner.label.text().startswith(
        "Live host — not shown: no backend is connected"), window.live.banner.label.text()


def test_adopt_without_a_selection_or_a_backend_says_what_is_missing(
        window: MainWindow) -> None:
    window.document.load_text(DESIGN)
    window.live.adopt.action.trigger()
    assert _said(window) == (
        "Adopt: select the existing objects to adopt first")
    window.scene.select_keys(["obsvh1"])
    window.live.adopt.action.trigger()
    assert _said(window) == "Adopt: no backend is connected"
    window.scene.select_keys(["b1"])
    window.live.adopt.action.trigger()
    assert _said(window) == (
        "Adopt: b1: not marked existing in the design (only existing objects can be adopted)")
