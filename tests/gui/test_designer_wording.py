"""The Problems and Checks docks speak the designer's terms; "use another parent" is one click.

Real clicks on the Problems list, the "Apply fix" button and its menu of parents; the file's
own sentence (what `netwright validate` prints) is unchanged and stays in the tooltip.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QMenu

from netwright.backend.topology.problems import Problem
from netwright.gui.docks.checks import explanation_html
from netwright.gui.model.wording import designer_fix, designer_message
from netwright.gui.window.main import MainWindow

DESIGN = """netwright: 1
name: words
host:
  nics:
    wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
    enp3s0: {addresses: [10.0.0.2/24], gateway: 10.0.0.1}
namespaces:
  net1: {}
  net2: {}
interfaces:
  ipvlan1: {kind: ipvlan, parent: PARENT, mode: l2, namespace: net1,
            addresses: [192.168.31.5/24]}
  v2: {kind: veth, peer: v2b, namespace: net2}
  v2b: {kind: veth, peer: v2}
"""


def _open(window: MainWindow, tmp_path: Path, parent: str) -> None:
    path = tmp_path / "words.yaml"
    path.write_text(DESIGN.replace("PARENT", parent))
    assert window.open_path(path)
    window.problems_dock.raise_()
    QApplication.processEvents()


def _click_row(window: MainWindow, code: str) -> str:
    """Click the row of problem ``code`` as a person does; its text."""
    view = window.problems
    item = next(view.topLevelItem(i) for i in range(view.topLevelItemCount())
                if view.topLevelItem(i).data(1, Qt.ItemDataRole.UserRole) == code)
    view.scrollToItem(item)
    rect = view.visualItemRect(item)
    QTest.mouseClick(view.viewport(), Qt.MouseButton.LeftButton,
                     Qt.KeyboardModifier.NoModifier, rect.center())
    QApplication.processEvents()
    assert view.currentItem() is item
    return item.text(2)


def _parent(window: MainWindow) -> str:
    return str(window.document.get(("interfaces", "ipvlan1", "parent")))


def test_no_default_route_is_said_in_the_designers_terms(window: MainWindow,
                                                         tmp_path: Path) -> None:
    _open(window, tmp_path, "wlp2s0")
    text = _click_row(window, "no-default-route")
    assert text == ("net1 has addresses but no default route, so anything outside its subnets"
                    " is unreachable. Add a default route via 192.168.31.1 in net1 (wlp2s0's"
                    " gateway; select net1, Inspector › Routes)")
    problem = next(p for p in window.document.problems if p.code == "no-default-route")
    assert "'routes: [{to: default, via: 192.168.31.1}]'" in problem.message  # the CLI's
    tip = window.problems.currentItem().toolTip(2)
    assert "In the file:" in tip and "routes: [" in tip


def test_the_default_route_fix_for_a_namespace_named_gateway_is_in_the_designers_terms(
        ) -> None:
    """The checks name a namespace whose key is a word they use "namespace gateway"; the
    rewrite took one word after "in" and left the route list in the Checks dock."""
    fix = ("add a default route in namespace gateway: 'routes: [{to: default, via:"
           " 192.168.31.1}]' (default via 192.168.31.1)")
    assert designer_fix(fix) == ("add a default route via 192.168.31.1 in namespace gateway"
                                 " (select gateway, Inspector › Routes)")
    plain = fix.replace("namespace gateway", "net1")
    assert designer_fix(plain) == ("add a default route via 192.168.31.1 in net1 (select net1,"
                                   " Inspector › Routes)")


def test_no_default_route_of_a_namespace_called_gateway_is_said_in_the_designers_terms(
        window: MainWindow, tmp_path: Path) -> None:
    """Validation says "namespace gateway has addresses …" as the checks do; the designer's
    sentence keeps that name and selects the namespace by its key."""
    path = tmp_path / "gw.yaml"
    path.write_text(DESIGN.replace("net1", "gateway").replace("PARENT", "wlp2s0"))
    assert window.open_path(path)
    window.problems_dock.raise_()
    QApplication.processEvents()
    text = _click_row(window, "no-default-route")
    assert text == ("namespace gateway has addresses but no default route, so anything outside"
                    " its subnets is unreachable. Add a default route via 192.168.31.1 in"
                    " namespace gateway (wlp2s0's gateway; select gateway, Inspector › Routes)")


def test_a_router_of_the_design_is_named_in_the_designers_terms() -> None:
    """Without a host gateway, the warning names a namespace that forwards on the link."""
    problem = Problem("warning", "no-default-route", ("namespaces", "client"),
                      "client has addresses but no default route, so anything outside its"
                      " subnets is 'Network is unreachable'; add 'routes: [{to: default, via:"
                      " 10.0.1.1}]' to use namespace gateway, which forwards and is on"
                      " 10.0.1.0/24")
    assert designer_message(problem, where=False) == (
        "client has addresses but no default route, so anything outside its subnets is"
        " unreachable. Add a default route via 10.0.1.1 in client (namespace gateway forwards,"
        " on 10.0.1.0/24; select client, Inspector › Routes)")


def test_a_missing_parent_offers_the_parents_that_would_do(window: MainWindow,
                                                           tmp_path: Path) -> None:
    _open(window, tmp_path, "wlp9s9")
    text = _click_row(window, "missing-parent")
    assert "add that NIC from the Host dock" in text and "host.nics" not in text, text
    bar = window.problems_fix
    assert bar.isVisible() and bar.button.text() == "Apply fix…"
    assert bar.label.text() == "Fix: Use another parent for ipvlan1 (3 would do)"
    QTest.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    menu = bar.menu
    assert isinstance(menu, QMenu) and menu.isVisible()
    button_right = bar.button.mapToGlobal(bar.button.rect().bottomRight()).x()
    assert menu.geometry().right() <= button_right + 1, "the menu opens towards the window"
    labels = [a.text() for a in menu.actions()]
    # the NIC on ipvlan1's subnet first, then the other NIC; the veth in the host (v2b) can
    # carry it; v2, in net2, cannot
    assert labels == ["Use wlp2s0 as the parent of ipvlan1", "Use enp3s0 as the parent of"
                      " ipvlan1", "Use v2b as the parent of ipvlan1"], labels
    action = menu.actions()[0]
    QTest.mouseClick(menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     menu.actionGeometry(action).center())
    QApplication.processEvents()
    assert _parent(window) == "wlp2s0"
    stack = window.document.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Fix: Use wlp2s0 as the parent of ipvlan1"
    assert not any(p.code == "missing-parent" for p in window.document.problems)
    stack.undo()
    assert _parent(window) == "wlp9s9"


def test_a_parent_in_another_namespace_is_replaced_in_one_click(window: MainWindow,
                                                                tmp_path: Path) -> None:
    _open(window, tmp_path, "v2")
    text = _click_row(window, "parent-other-namespace")
    assert "Use another parent (Inspector › Parent)" in text, text
    bar = window.problems_fix
    assert bar.label.text().startswith("Fix: Use another parent for ipvlan1")
    # the NICs and the host's veth end; v2 itself (in net2) is not offered again
    QTest.mouseClick(bar.button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()
    assert bar.menu is not None
    chosen = bar.menu.actions()[1]
    QTest.mouseClick(bar.menu, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     bar.menu.actionGeometry(chosen).center())
    QApplication.processEvents()
    assert _parent(window) == "enp3s0"
    assert not any(p.code == "parent-other-namespace" for p in window.document.problems)


def test_one_candidate_is_applied_without_a_menu(window: MainWindow, tmp_path: Path) -> None:
    path = tmp_path / "one.yaml"
    path.write_text("""netwright: 1
name: one
host:
  nics:
    wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}
namespaces:
  net1: {}
interfaces:
  ipvlan1: {kind: ipvlan, parent: ipvlan2, mode: l2, namespace: net1,
            addresses: [192.168.31.5/24]}
  ipvlan2: {kind: ipvlan, parent: wlp2s0, mode: l2}
""")
    assert window.open_path(path)
    window.problems_dock.raise_()
    QApplication.processEvents()
    _click_row(window, "parent-wrong-kind")
    bar = window.problems_fix
    assert bar.button.text() == "Apply fix"
    assert bar.label.text() == "Fix: Use wlp2s0 as the parent of ipvlan1"
    QTest.mouseClick(bar.button, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     QPoint(5, 5))
    QApplication.processEvents()
    assert _parent(window) == "wlp2s0" and window.document.undo_stack.count() == 1


def test_check_fixes_and_other_sentences_lose_their_yaml() -> None:
    pair = {"source": "b", "target": "10.0.0.2", "role": "peer", "predicted": {
        "verdict": "unreachable", "reason": "dropped by b's input policy",
        "fix": "add to namespaces.b.firewall.input.rules: {action: accept, proto: tcp,"
               " dport: 22, from: 10.0.0.1}"}}
    html = explanation_html(pair)
    assert ("add the rule “accept tcp dport 22 from 10.0.0.1” to b's input chain (select b,"
            " Inspector › Forwarding, NAT and firewall)") in html, html
    assert designer_fix("set 'state: up' on veth2, the other end of veth1") == (
        "set veth2's State to up (it is the other end of veth1; Inspector › State)")
    assert designer_fix("set 'stateful: true' on interfaces.tap1.port-firewall.to-port") == (
        "tick “Accept replies (stateful)” on tap1's to-port rules (select tap1, Inspector ›"
        " Port firewall)")
    port = Problem("error", "unknown-reference", ("interfaces", "p", "master"),
                   "p is a port of 'br9', which is not an interface of this topology; add the"
                   " bridge under interfaces")
    assert designer_message(port).endswith("; add a bridge from the palette, or pick one"
                                           " (Inspector › Bridge (master))")
    untouched = Problem("error", "duplicate-name", ("interfaces", "a"), "a and b share eth0")
    assert designer_message(untouched) == "a and b share eth0"


def test_the_inspector_refuses_a_parent_in_the_designers_terms(window: MainWindow,
                                                                tmp_path: Path) -> None:
    _open(window, tmp_path, "wlp2s0")
    window.inspector.show_key("ipvlan1")
    assert not window.inspector.commit("parent", "wlp9s9")
    said = window.inspector.errors["parent"].text()
    assert said.startswith("The parent 'wlp9s9' of ipvlan1 is not in the design: add that NIC"
                           " from the Host dock"), said
    assert _parent(window) == "wlp2s0"


def test_an_emptied_topology_name_is_named_as_its_field(window: MainWindow, seed: Path) -> None:
    """Emptying Inspector › Topology name was refused with "Kernel name is required here":
    'name' at the top of the file is the topology's name, not an interface's kernel name."""
    from PySide6.QtWidgets import QLineEdit

    assert window.open_path(seed)
    window.scene.select_keys([])
    editor = window.inspector.editors["name"]
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.selectAll()
    QTest.keyClick(editor, Qt.Key.Key_Delete)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    error = window.inspector.errors["name"]
    assert error.isVisibleTo(window.inspector)
    assert error.text() == "Topology name is required here", error.text()
    assert window.document.get(("name",)) == "seed"  # refused: nothing changed


def test_a_backend_refusal_is_told_in_the_designers_terms(window: MainWindow) -> None:
    """The lab has no NetworkManager: Apply of a persistent bridge was refused with "remove
    'persist: true'", the file's syntax, in the log and the status bar."""
    from netwright.backend.nm.errors import PersistUnsupported
    from netwright.backend.nm.persist import refusals
    from netwright.backend.topology import parse_topology

    examples = Path(__file__).resolve().parents[2] / "examples"
    design = examples / "persistent-bridge.yaml"
    assert window.open_path(design)
    reason = refusals(parse_topology(design.read_text()), None)[0]
    assert "'persist: true'" in reason
    window.runner.failed.emit("Apply", PersistUnsupported(reason))
    logged = window.log.toPlainText().splitlines()[-1]
    assert logged.startswith("Apply failed: bridge br-lab is marked persist"), logged
    assert "'persist: true'" not in logged
    assert "untick Persist (NetworkManager) (select br-lab, Inspector)" in logged, logged
    bar = window.statusBar()  # as much as fits beside its widgets, the whole a tooltip
    assert logged.startswith(bar.currentMessage().removesuffix("…"))
    assert bar.currentMessage() == logged or bar.toolTip() == logged


def test_a_file_that_cannot_be_opened_is_told_without_codes(window: MainWindow,
                                                            tmp_path: Path) -> None:
    """The status bar and the log say where in the file and what is wrong, not the command
    line's "FILE:4:1: error yaml-syntax: …" (the file is named once, by what failed)."""
    path = tmp_path / "broken.yaml"
    path.write_text("netwright: 1\nname: x\nnamespaces: [\n")
    assert not window.open_path(path)
    message = window.statusBar().currentMessage()
    assert message.startswith(f"cannot open {path}: line 4, column 1: not valid YAML"), message
    assert "yaml-syntax" not in message and "error " not in message
    assert "yaml-syntax" not in window.log.toPlainText()


def test_a_change_refused_by_a_stopping_netwrightd_is_retried_by_the_designers_button(
        window: MainWindow) -> None:
    """The command line's "run the command again to make it there", in the designer's log
    and status bar, said to press a button that made the change; the CLI's words stay."""
    from netwright.backend.client.restart import (
        CHANGES,
        STOPPING_WAIT_SECONDS,
        not_resent_sentence,
    )
    from netwright.backend.service.errors import BackendStoppingError

    buttons = {"Apply": "Apply", "Destroy": "Destroy", "Revert": "Restore now",
               "Confirm": "Keep", "Adopt": "Adopt"}
    assert set(buttons) == CHANGES
    for member, button in buttons.items():
        for owner in (None, ":1.42", ""):
            said = not_resent_sentence(member, owner, STOPPING_WAIT_SECONDS)
            assert "run the command again" in said or "run it again" in said
            words = designer_fix(said)
            assert "command" not in words and "run it again" not in words, words
            assert f"press {button} again" in words, words
            assert "nothing was changed" in words
    refused = not_resent_sentence("Apply", ":1.42", STOPPING_WAIT_SECONDS)
    window._on_backend_failed("Apply", BackendStoppingError(refused))
    assert window.log.toPlainText().splitlines()[-1].endswith(
        "a new one runs now: press Apply again to make it there")
