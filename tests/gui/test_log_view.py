"""The Plan/Log dock follows its newest line, even after the person scrolled up."""

from __future__ import annotations

from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow


def test_the_newest_line_is_in_view(window: MainWindow) -> None:
    window.log_dock.raise_()
    log = window.log
    for step in range(1, 201):
        log.appendPlainText(f"  [{step}/200] create something {step}")
    QApplication.processEvents()
    bar = log.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == bar.maximum()
    bar.setValue(0)  # reading the first steps
    window._on_backend_failed("Apply", RuntimeError("create ipvlan1: the kernel has no ipvlan"))
    QApplication.processEvents()
    assert bar.value() == bar.maximum()
    bottom = log.cursorForPosition(log.viewport().rect().bottomLeft()).block()
    assert bottom.blockNumber() >= log.document().blockCount() - 2
    assert "Apply failed" in log.toPlainText().splitlines()[-1]


def test_a_check_of_an_undeployed_design_says_what_to_do(window: MainWindow) -> None:
    from netwright.backend.outcomes.errors import NotDeployed

    window._on_backend_failed("Check", NotDeployed("topology seed is not deployed on the lab host"))
    last = window.log.toPlainText().splitlines()[-1]
    assert last.startswith("Check failed: topology seed is not deployed on the lab host"), last
    assert "Apply it (Ctrl+F5), then Check" in last, last
