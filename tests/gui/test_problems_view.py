"""The Problems dock: model paths (no "(line 1)") for unsaved designs, whole sentences."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QApplication

from netwright.gui.window.main import MainWindow


def _rows(window: MainWindow) -> list[tuple[str, str]]:
    view = window.problems
    return [(view.topLevelItem(i).text(1), view.topLevelItem(i).text(2))
            for i in range(view.topLevelItemCount())]


def test_an_unsaved_design_names_model_paths_not_lines(window: MainWindow, seed: Path) -> None:
    window.new_from_example(seed)  # the example's text, unsaved
    rows = _rows(window)
    assert rows and all("(line" not in where for where, _text in rows), rows
    assert "namespaces.net1" in [where for where, _text in rows]
    assert window.open_path(seed)  # a file: its lines help
    assert any("(line" in where for where, _text in _rows(window))


def test_long_sentences_wrap_and_show_whole_in_the_tooltip(window: MainWindow,
                                                           seed: Path) -> None:
    window.resize(1024, 700)
    assert window.open_path(seed)
    window.problems_dock.raise_()
    QApplication.processEvents()
    view = window.problems
    longest = max(range(view.topLevelItemCount()),
                  key=lambda i: len(view.topLevelItem(i).text(2)))
    item = view.topLevelItem(longest)
    text = item.text(2)
    assert view.fontMetrics().horizontalAdvance(text) > view.columnWidth(2)  # needs wrapping
    lines = view.visualItemRect(item).height() / view.fontMetrics().height()
    assert lines >= 1.9, lines
    assert text.replace("'", "&#x27;") in item.toolTip(2) or text in item.toolTip(2)
