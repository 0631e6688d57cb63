"""Show in file: the design's YAML, scrolled to an item's entry and highlighted.

The text is the document as it would be saved now (an unsaved or edited design included), so
what is shown is what the file will say; the entry is found under its section (``interfaces``,
``namespaces`` or ``host: nics``) by its key.
"""

from __future__ import annotations

import re

from PySide6.QtGui import QColor, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

SECTIONS = {"interface": "interfaces", "namespace": "namespaces", "nic": "nics"}


def entry_line(text: str, section: str, key: str) -> int:
    """The 0-based line of ``key:`` under ``section:`` in ``text``, or -1."""
    lines = text.splitlines()
    inside = -1
    for number, line in enumerate(lines):
        indent = len(line) - len(line.lstrip())
        if re.match(rf"\s*{re.escape(section)}:\s*(#.*)?$", line):
            inside = indent
            continue
        if inside >= 0 and line.strip() and indent <= inside:
            inside = -1
        if inside >= 0 and re.match(rf"\s*[\"']?{re.escape(key)}[\"']?:", line):
            return number
    return -1


class SourceDialog(QDialog):
    """Read-only YAML of the design with one entry highlighted."""

    def __init__(self, text: str, title: str, line: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(title)
        layout = QVBoxLayout(self)
        where = f"line {line + 1}" if line >= 0 else "not found in the text"
        self.where = QLabel(f"{title}: {where}")
        layout.addWidget(self.where)
        self.text = QPlainTextEdit(text)
        self.text.setReadOnly(True)
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        layout.addWidget(self.text)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)
        self.resize(560, 520)
        self.line = line
        if line >= 0:
            block = self.text.document().findBlockByNumber(line)
            cursor = QTextCursor(block)
            self.text.setTextCursor(cursor)
            mark = QTextEdit.ExtraSelection()
            fmt = QTextCharFormat()
            fmt.setBackground(QColor(255, 214, 102, 120))
            fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
            mark.format = fmt
            mark.cursor = cursor
            self.text.setExtraSelections([mark])
            self.text.centerCursor()
