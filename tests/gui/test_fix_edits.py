"""The fixes that are edits have their "Apply fix" in both docks, each one undo step.

A route out of a down link (Problems) and a check cell across it (Checks) both bring the
link up; a namespace that translates addresses without forwarding (Problems) and a router
namespace that does not forward (Checks) both turn forwarding on. Real clicks: on the
Problems row, on the Checks cell, on the button.
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QAbstractItemView, QApplication
from wording_cases import CHECK_DESIGNS, yaml_speak

from netwright.gui.model.value_fixes import VALUE_CODES
from netwright.gui.window.main import MainWindow
from tests.topology import test_link_rules
from tests.topology.rule_cases import HEAD

LEFT, NONE = Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier

DOWN = """netwright: 1
name: down
namespaces:
  a: {}
  b: {routes: [{to: 10.9.0.0/16, dev: eb2}]}
interfaces:
  ea: {kind: veth, peer: eb, namespace: a, addresses: [10.0.0.1/24]}
  eb: {kind: veth, peer: ea, namespace: b, addresses: [10.0.0.2/24]}
  eb2: {kind: veth, peer: ea2, namespace: b, addresses: [10.8.0.2/24], state: down}
  ea2: {kind: veth, peer: eb2, namespace: a, addresses: [10.8.0.1/24, 10.9.0.1/16]}
"""

# a router namespace that translates addresses, with forwarding off
ROUTER = HEAD + textwrap.dedent(CHECK_DESIGNS["a router without forwarding"]).replace(
    "r: {}", "r: {nat: [{masquerade: {from: 10.0.0.0/24, out: rb}}]}")


def _open(window: MainWindow, tmp_path: Path, text: str) -> None:
    path = tmp_path / "design.yaml"
    path.write_text(text)
    assert window.open_path(path)
    QApplication.processEvents()


def _click_problem(window: MainWindow, code: str) -> str:
    window.problems_dock.raise_()
    QApplication.processEvents()
    view = window.problems
    item = next(view.topLevelItem(i) for i in range(view.topLevelItemCount())
                if view.topLevelItem(i).data(1, Qt.ItemDataRole.UserRole) == code)
    view.scrollToItem(item)
    QTest.mouseClick(view.viewport(), LEFT, NONE, view.visualItemRect(item).center())
    QApplication.processEvents()
    assert view.currentItem() is item
    return item.text(2)


def _click_cell(qtbot, window: MainWindow, source: str, disposition: str,  # type: ignore[no-untyped-def]
                target: str = "") -> dict[str, Any]:
    checks = window.checks
    qtbot.waitUntil(lambda: bool(checks.result.get("pairs")), timeout=5000)
    window.checks_dock.raise_()
    QApplication.processEvents()
    matrix = checks.matrix
    for row in range(matrix.rowCount()):
        for column in range(matrix.columnCount()):
            pair = matrix.pair_at(row, column)
            if (pair and pair["source"] == source and target in ("", pair["target"])
                    and pair["predicted"].get("disposition") == disposition):
                matrix.scrollTo(matrix.cells.index(row, column),
                                QAbstractItemView.ScrollHint.PositionAtCenter)
                QTest.mouseClick(matrix.viewport(), LEFT, NONE,
                                 matrix.cell_rect(row, column).center())
                QApplication.processEvents()
                assert (matrix.currentRow(), matrix.currentIndex().column()) == (row, column)
                return dict(pair)
    raise AssertionError(f"no {disposition} cell from {source}")


def _apply(bar) -> None:  # type: ignore[no-untyped-def]
    assert bar.isVisible() and not yaml_speak(bar.label.text()), bar.label.text()
    QTest.mouseClick(bar.button, LEFT)
    QApplication.processEvents()


def test_a_route_out_of_a_down_link_brings_it_up_from_problems(window: MainWindow,
                                                               tmp_path: Path) -> None:
    _open(window, tmp_path, DOWN)
    text = _click_problem(window, "route-link-down")
    assert "set eb2's State to up (Inspector › State)" in text and not yaml_speak(text), text
    bar = window.problems_fix
    assert bar.label.text() == "Fix: Bring eb2 up"
    _apply(bar)
    assert window.document.get(("interfaces", "eb2", "state")) == "up"
    stack = window.document.undo_stack
    assert stack.count() == 1 and stack.undoText() == "Fix: Bring eb2 up"
    assert not any(p.code == "route-link-down" for p in window.document.problems)
    stack.undo()
    assert window.document.get(("interfaces", "eb2", "state")) == "down"


def test_a_cell_across_a_down_link_brings_it_up_from_checks(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                            tmp_path: Path) -> None:
    # no route through the down link: no error, so the Checks dock predicts
    _open(window, tmp_path, HEAD + textwrap.dedent(CHECK_DESIGNS["a bridge port down"]))
    _click_cell(qtbot, window, "b", "link_down")
    checks = window.checks
    shown = checks.explanation.toPlainText()
    assert "va is down (State down)" in shown and not yaml_speak(shown), shown
    assert checks.fix_bar.label.text() == "Fix: Bring va up"
    _apply(checks.fix_bar)
    assert window.document.get(("interfaces", "va", "state")) == "up"
    assert window.document.undo_stack.count() == 1


def test_nat_without_forwarding_turns_it_on_from_problems(window: MainWindow,
                                                          tmp_path: Path) -> None:
    _open(window, tmp_path, ROUTER)
    text = _click_problem(window, "nat-without-forwarding")
    assert "turn IPv4 forwarding on in r (select r, Inspector › Forwarding, NAT and" \
           " firewall)" in text and not yaml_speak(text), text
    bar = window.problems_fix
    assert bar.label.text() == "Fix: Turn IPv4 forwarding on in r"
    _apply(bar)
    assert window.document.get(("namespaces", "r", "forwarding")) == {"ipv4": True}
    stack = window.document.undo_stack
    assert stack.count() == 1
    assert not any(p.code == "nat-without-forwarding" for p in window.document.problems)
    stack.undo()
    assert window.document.get(("namespaces", "r", "forwarding")) is None


def test_a_router_that_does_not_forward_is_fixed_from_checks(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                             tmp_path: Path) -> None:
    _open(window, tmp_path, ROUTER)
    _click_cell(qtbot, window, "a", "not_forwarded")
    checks = window.checks
    assert checks.fix_bar.label.text() == "Fix: Turn IPv4 forwarding on in r"
    _apply(checks.fix_bar)
    assert window.document.get(("namespaces", "r", "forwarding", "ipv4")) is True
    assert window.document.undo_stack.count() == 1
    # the predictions follow the edit: a reaches b through r now
    qtbot.waitUntil(lambda: any(
        p["source"] == "a" and p["target"] == "10.1.0.2"
        and p["predicted"]["verdict"] == "reachable" for p in checks.result.get("pairs", [])),
        timeout=5000)


def _value_cases() -> list[tuple[str, str]]:
    """(code, design) for every problem whose fix sets a field to a named value."""
    cases = []
    for module in (test_link_rules,):
        for case in module.CASES:
            if case[2] in VALUE_CODES:
                cases.append((case[2], HEAD + textwrap.dedent(case[1]).lstrip("\n")))
    assert {code for code, _ in cases} == VALUE_CODES
    return cases


@pytest.mark.parametrize(("code", "design"), _value_cases(),
                         ids=[f"{c}-{i}" for i, (c, _) in enumerate(_value_cases())])
def test_a_value_both_ends_need_is_set_in_one_click(window: MainWindow, tmp_path: Path,
                                                    code: str, design: str) -> None:
    _open(window, tmp_path, design)
    problem = next(p for p in window.document.problems if p.code == code)
    _click_problem(window, code)
    bar = window.problems_fix
    assert bar.label.text().startswith("Fix: Set "), bar.label.text()
    QTest.mouseClick(bar.button, LEFT)
    QApplication.processEvents()
    if bar.menu is not None and bar.menu.isVisible():  # a choice: the first option
        first = bar.menu.actions()[0]
        assert first.text().startswith("Set ")
        QTest.mouseClick(bar.menu, LEFT, NONE, bar.menu.actionGeometry(first).center())
        QApplication.processEvents()
    stack = window.document.undo_stack
    assert stack.count() == 1, stack.undoText()
    assert problem not in window.document.problems
    assert not any(p.code == code and p.path == problem.path for p in window.document.problems)
    stack.undo()
    assert any(p.code == code for p in window.document.problems)


def test_an_mtu_smaller_on_the_path_is_set_from_checks(qtbot, window: MainWindow,  # type: ignore[no-untyped-def]
                                                       tmp_path: Path) -> None:
    _open(window, tmp_path, HEAD + textwrap.dedent(CHECK_DESIGNS["an MTU smaller on the way"])
          .lstrip("\n"))
    checks = window.checks
    qtbot.waitUntil(lambda: bool(checks.result.get("pairs")), timeout=5000)
    pair = next(p for p in checks.result["pairs"]
                if "MTU of the rest of its path" in str(p["predicted"].get("fix")))
    _click_cell(qtbot, window, pair["source"], pair["predicted"]["disposition"],
                target=pair["target"])
    key = str(pair["predicted"]["fix"]).split()[1]
    assert checks.fix_bar.label.text() == f"Fix: Set MTU 1500 on {key}"
    _apply(checks.fix_bar)
    assert window.document.get(("interfaces", key, "mtu")) == 1500
    assert window.document.undo_stack.count() == 1


def test_the_status_log_and_exports_say_problems_the_designers_way(window: MainWindow,
                                                                   tmp_path: Path) -> None:
    """A backend's refusal (InvalidTopology) in the log and status bar, and the shell-script
    export's refusal, carry the designer's sentence, not the file's."""
    from netwright.backend.topology.problems import TopologyError
    from netwright.gui.canvas.export import ExportError, shell_script_text

    _open(window, tmp_path, DOWN)
    problem = next(p for p in window.document.problems if p.code == "route-link-down")
    assert "set 'state: up' on eb2" in problem.message
    window._on_backend_failed("Apply", TopologyError([problem]))
    QApplication.processEvents()
    said = window.log.toPlainText().splitlines()[-1]
    assert said.startswith("Apply failed: ") and "set eb2's State to up" in said, said
    assert not yaml_speak(window.statusBar().currentMessage())
    with pytest.raises(ExportError) as refused:
        shell_script_text(window.document)
    assert "set eb2's State to up" in str(refused.value) and not yaml_speak(str(refused.value))


@pytest.mark.parametrize(("design", "source", "target", "label", "path", "value"), [
    ("the host as a router, forwarding not in the design", "a", "10.2.0.2",
     "Turn IPv4 forwarding on for the host", ("host", "forwarding", "ipv4"), True),
    ("routers whose design turns forwarding off, by the field and by a sysctl", "c",
     "10.3.0.2", "Turn IPv4 forwarding on in s (its sysctl net.ipv4.ip_forward to 1)",
     ("namespaces", "s", "sysctls", "net.ipv4.ip_forward"), "1"),
], ids=["host", "sysctl"])
def test_forwarding_is_turned_on_where_the_design_keeps_it(  # noqa: PLR0917 - one per column
        qtbot, window: MainWindow, tmp_path: Path, design: str, source: str, target: str,  # type: ignore[no-untyped-def]
        label: str, path: tuple[str, ...], value: object) -> None:
    _open(window, tmp_path, HEAD + textwrap.dedent(CHECK_DESIGNS[design]).lstrip("\n"))
    _click_cell(qtbot, window, source, "not_forwarded", target=target)
    checks = window.checks
    assert checks.fix_bar.label.text() == f"Fix: {label}"
    assert not yaml_speak(checks.explanation.toPlainText()), checks.explanation.toPlainText()
    _apply(checks.fix_bar)
    assert window.document.get(path) == value
    assert window.document.undo_stack.count() == 1
    assert not any(p.code == "forwarding-conflict" for p in window.document.problems)
