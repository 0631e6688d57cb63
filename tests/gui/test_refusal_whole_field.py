"""A refused value's sentence under an Inspector field is shown whole on a 1024×700 screen:
the label under the field ("'1' is not a percentage: write it with %, e.g. 1% or 0.5%")
wrapped to four lines in the field's column and was given the height of two, its first and
last lines cut in half."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QLineEdit

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("size", [(1024, 700), (1600, 1000)])
@pytest.mark.parametrize(("field", "typed"), [("impairment.loss", "1"),
                                              ("impairment.rate", "fast"),
                                              ("addresses", "172.17.0.300/16")])
def test_a_refusal_under_a_field_is_shown_whole(
        started: Any, size: tuple[int, int], field: str, typed: str) -> None:
    window = started(*size, EXAMPLES / "docker-bridge.yaml")
    window.scene.select_keys(["c1-eth0"])
    QApplication.processEvents()
    editor = window.inspector.editors[field]
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.selectAll()
    QTest.keyClicks(editor, typed)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    error = window.inspector.errors[field]
    assert error.isVisible() and error.text()
    needed = error.heightForWidth(error.width())
    assert error.height() >= needed, (error.text(), error.width(), error.height(), needed)
