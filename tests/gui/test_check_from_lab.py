"""Check from address… in the Checks dock, against a real lab backend: right-click a row (its
header, or one of its cells), pick one of the source's addresses, and the row is measured
again with every probe sent from it; the other rows stay as measured.

Namespace a holds 10.9.0.1 and 10.8.0.1 on one link to b, which has no route to 10.8.0.0/24:
from 10.9.0.1 b answers, from 10.8.0.1 its reply has nowhere to go, predicted and measured.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from gestures import menu_entries, right_click, right_click_cell
from lab_waits import idle, until
from PySide6.QtCore import QPoint

from netwright.gui.docks.checks import CheckMatrix
from netwright.gui.window.main import MainWindow

DESIGN = """\
netwright: 1
name: guifrom
namespaces: {a: {}, b: {}}
interfaces:
  a0: {kind: veth, peer: b0, namespace: a, addresses: [10.9.0.1/24, 10.8.0.1/24]}
  b0: {kind: veth, peer: a0, namespace: b, addresses: [10.9.0.2/24]}
"""


def _pick(menu, text: str) -> None:  # type: ignore[no-untyped-def]
    """Pick an entry as ``choose`` does, without its processEvents: the check the entry
    starts becomes a task of the event loop, which the test then runs (``idle``)."""
    action = next(a for a in menu.actions() if a.text() == text)
    menu.hide()
    action.trigger()


def _right_click_row(matrix: CheckMatrix, source: str) -> None:
    header = matrix.verticalHeader()
    row = next(r for r in range(matrix.rowCount())
               if matrix.source(r) == source)
    point = QPoint(header.width() // 2,
                   header.sectionViewportPosition(row) + header.sectionSize(row) // 2)
    right_click(header, point)


def _row(window: MainWindow, source: str) -> dict[str, dict]:  # type: ignore[type-arg]
    return {str(p.get("target")): p for p in window.checks.result.get("pairs", [])
            if p.get("source") == source}


def test_check_a_row_from_a_chosen_address(window: MainWindow, own_lab: Path, tmp_path: Path,
                                           loop: asyncio.AbstractEventLoop) -> None:
    design = tmp_path / "guifrom.yaml"
    design.write_text(DESIGN)
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    assert window.open_path(design)
    loop.run_until_complete(idle(window))
    until(loop, lambda: window.checks.matrix.rowCount() == 2, timeout=10)  # the predictions

    _right_click_row(window.checks.matrix, "a")  # before Apply: offered, not yet possible
    assert menu_entries(window.row_menu) == ["Check from 10.9.0.1 (a0)",
                                            "Check from 10.8.0.1 (a0)"]
    assert not any(a.isEnabled() for a in window.row_menu.actions())  # type: ignore[union-attr]

    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    assert window.deploy_label.text() == "deployed", window.log.toPlainText()
    window.check_action.trigger()
    loop.run_until_complete(idle(window))
    before_b = _row(window, "b")
    assert _row(window, "a")["10.9.0.2"]["observed"]["verdict"] == "reachable"

    _right_click_row(window.checks.matrix, "a")
    _pick(window.row_menu, "Check from 10.8.0.1 (a0)")
    loop.run_until_complete(idle(window))
    row = _row(window, "a")["10.9.0.2"]
    assert row.get("sent_from") == "10.8.0.1", window.log.toPlainText()
    assert row["predicted"]["verdict"] == row["observed"]["verdict"] == "unreachable"
    assert "10.8.0.1" in row["predicted"]["reason"]
    assert _row(window, "b") == before_b  # the other row stays as measured
    assert "Check: a's row, sent from 10.8.0.1" in window.log.toPlainText()
    assert window.checks.matrix.currentRow() == 0  # the dock opened on that row
    assert "sent from 10.8.0.1" in window.checks.explanation.toHtml()
    assert window.checks.heading.text().endswith("Sent a's row from 10.8.0.1.")

    right_click_cell(window.checks.matrix, "a", "b/")  # a cell offers the same
    assert "Check from 10.9.0.1 (a0)" in menu_entries(window.checks_menu)
    _pick(window.checks_menu, "Check from 10.9.0.1 (a0)")
    loop.run_until_complete(idle(window))
    row = _row(window, "a")["10.9.0.2"]
    assert row["sent_from"] == "10.9.0.1"
    assert row["predicted"]["verdict"] == row["observed"]["verdict"] == "reachable"


TWINS = """\
netwright: 1
name: guitwins
namespaces: {a: {}, b: {}, c: {}, d: {}}
interfaces:
  a0: {kind: veth, peer: b0, namespace: a, addresses: [10.7.0.1/24]}
  b0: {kind: veth, peer: a0, namespace: b, addresses: [10.7.0.2/24]}
  c0: {kind: veth, peer: d0, namespace: c, addresses: [10.7.0.1/24]}
  d0: {kind: veth, peer: c0, namespace: d, addresses: [10.7.0.3/24]}
"""


def test_an_address_two_places_hold_is_sent_from_the_row_asked(
        window: MainWindow, own_lab: Path, tmp_path: Path, loop: asyncio.AbstractEventLoop
) -> None:
    """a and c both hold 10.7.0.1 (two isolated links): c's row sent from it is c's, not a's
    (the address alone would mean the first place holding it, and c's row would empty)."""
    design = tmp_path / "guitwins.yaml"
    design.write_text(TWINS)
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    assert window.open_path(design)
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    assert window.deploy_label.text() == "deployed", window.log.toPlainText()
    window.check_action.trigger()
    loop.run_until_complete(idle(window))
    before_a = _row(window, "a")

    _right_click_row(window.checks.matrix, "c")
    _pick(window.row_menu, "Check from 10.7.0.1 (c0)")
    loop.run_until_complete(idle(window))
    row = _row(window, "c")
    assert row["10.7.0.3"].get("sent_from") == "10.7.0.1", window.log.toPlainText()
    assert row["10.7.0.3"]["observed"]["verdict"] == "reachable"
    assert _row(window, "a") == before_a
