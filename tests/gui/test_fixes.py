""""Apply fix" in the Problems and Checks docks: a fix that is an edit, as one undo step.

Offscreen with the seed (no default route in net1 and net2): the problem's fix and the
predicted check cell's fix both add 'default via 192.168.31.1'; the kernel-lacks-ipvlan fix
needs a backend's facts and is covered against the lab in test_fixes_lab.py.
"""

from __future__ import annotations

from pathlib import Path

from gestures import select_unrouted_cell
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow


def _click(button) -> None:  # type: ignore[no-untyped-def]
    QTest.mouseClick(button, Qt.MouseButton.LeftButton)
    QApplication.processEvents()


def _default_routes(window: MainWindow, namespace: str) -> list[str]:
    routes = window.document.get(("namespaces", namespace, "routes")) or []
    return [str(r.get("via")) for r in routes if r.get("to") == "default"]


def test_the_problems_fix_adds_the_default_route(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    window.problems_dock.raise_()
    view = window.problems
    row = next(i for i in range(view.topLevelItemCount())
               if view.topLevelItem(i).text(1).startswith("namespace net1"))
    view.setCurrentItem(view.topLevelItem(row))
    bar = window.problems_fix
    assert bar.isVisible()
    assert bar.label.text() == ("Fix: Add a default route in net1 via 192.168.31.1"
                                " (wlp2s0's gateway)")
    assert "routes:" not in bar.label.text()  # the designer's words, not YAML
    _click(bar.button)
    assert _default_routes(window, "net1") == ["192.168.31.1"]
    stack = window.document.undo_stack
    assert stack.count() == 1 and stack.undoText().startswith("Fix: Add a default route")
    assert not any(p.code == "no-default-route" and p.path == ("namespaces", "net1")
                   for p in window.document.problems)
    stack.undo()
    assert _default_routes(window, "net1") == []


def test_a_predicted_cells_fix_is_one_click(qtbot, window: MainWindow, seed: Path) -> None:  # type: ignore[no-untyped-def]
    assert window.open_path(seed)
    checks = window.checks
    select_unrouted_cell(qtbot, window, "net2")
    assert checks.fix_bar.isVisible(), checks.explanation.toPlainText()
    assert "default route in net2" in checks.fix_bar.label.text()
    _click(checks.fix_bar.button)
    assert _default_routes(window, "net2") == ["192.168.31.1"]
    assert window.document.undo_stack.count() == 1


def test_mixed_kinds_on_one_parent_are_fixed_to_the_siblings_kind(window: MainWindow,
                                                                   seed: Path) -> None:
    assert window.open_path(seed)
    window.change_kind("ipvlan1", "macvlan")
    view = window.problems
    row = next(i for i in range(view.topLevelItemCount())
               if view.topLevelItem(i).data(1, Qt.ItemDataRole.UserRole) == "parent-mixed-kinds")
    view.setCurrentItem(view.topLevelItem(row))
    bar = window.problems_fix
    assert bar.isVisible(), view.topLevelItem(row).text(2)
    fixed = "ipvlan2" if "ipvlan2" in bar.label.text() else "ipvlan1"
    _click(bar.button)
    kinds = {window.document.get(("interfaces", k, "kind")) for k in ("ipvlan1", "ipvlan2")}
    assert len(kinds) == 1, (fixed, kinds)
    assert not any(p.code == "parent-mixed-kinds" for p in window.document.problems)
    assert window.document.undo_stack.count() == 2


ROUTED = """netwright: 1
name: routed
namespaces:
  client: {}
  gateway: {forwarding: {ipv4: true}}
  server: {}
interfaces:
  c0: {kind: veth, peer: r0, namespace: client, addresses: [10.0.1.2/24]}
  r0: {kind: veth, peer: c0, namespace: gateway, addresses: [10.0.1.1/24]}
  r1: {kind: veth, peer: s0, namespace: gateway, addresses: [10.0.2.1/24]}
  s0: {kind: veth, peer: r1, namespace: server, addresses: [10.0.2.2/24]}
"""


def test_the_router_a_warning_names_is_one_click(window: MainWindow, tmp_path: Path) -> None:
    """No host gateway: the warning names the namespace that forwards on client's link,
    and Apply fix adds the default route via it (there was no fix to apply)."""
    path = tmp_path / "routed.yaml"
    path.write_text(ROUTED)
    assert window.open_path(path)
    window.problems_dock.raise_()
    view = window.problems
    row = next(i for i in range(view.topLevelItemCount())
               if view.topLevelItem(i).text(1).startswith("namespace client"))
    view.setCurrentItem(view.topLevelItem(row))
    bar = window.problems_fix
    assert bar.isVisible()
    assert bar.label.text() == ("Fix: Add a default route in client via 10.0.1.1 (namespace"
                                " gateway forwards)")
    _click(bar.button)
    assert _default_routes(window, "client") == ["10.0.1.1"]
    assert not any(p.code == "no-default-route" and p.path == ("namespaces", "client")
                   for p in window.document.problems)


def test_a_predicted_cells_router_is_one_click(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                               tmp_path: Path) -> None:
    path = tmp_path / "routed.yaml"
    path.write_text(ROUTED)
    assert window.open_path(path)
    checks = window.checks
    select_unrouted_cell(qtbot, window, "server")
    assert checks.fix_bar.isVisible(), checks.explanation.toPlainText()
    assert checks.fix_bar.label.text().startswith(
        "Fix: Add a default route in server via 10.0.2.1 (namespace gateway forwards"), \
        checks.fix_bar.label.text()
    _click(checks.fix_bar.button)
    assert _default_routes(window, "server") == ["10.0.2.1"]
