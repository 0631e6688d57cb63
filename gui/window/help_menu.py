"""The Help menu: the shipped examples, the file format, the keyboard shortcuts, and About
(the versions of Netwright and what it runs on, and the backend in use).

Everything shown is read from where it lives (the examples' own descriptions, the window's
actions and their shortcuts, the installed packages' metadata, ``dot -V``), so the help
cannot drift from the program.
"""

from __future__ import annotations

import html
import importlib.metadata
import platform
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

from PySide6 import __version__ as pyside_version
from PySide6.QtCore import Qt, qVersion
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QDialog, QMainWindow, QMenu, QMessageBox, QTextBrowser, QVBoxLayout

from netwright.gui.model.files import example_summary, examples

FORMAT_TEXT = """<h3>Topology files</h3>
<p>A topology is a YAML file with <code>netwright: 1</code> at the top. Interfaces are keyed by
an id, which is also the kernel name unless <code>name:</code> says otherwise. Host NICs are
referenced under <code>host.nics</code>, never created, changed or deleted. Canvas positions
live apart, under <code>layout</code>, and have no network meaning.</p>
<p>Relations: <code>peer</code> (the other end of a veth pair), <code>master</code> (the
bridge a port belongs to), <code>parent</code> (the NIC or interface an ipvlan, macvlan or vlan
sits on), <code>dev</code> and <code>remote</code> (a vxlan's underlay and the address it sends
to). Addresses are written <code>10.0.0.2/24</code>, or <code>dhcp</code>. Comments and key
order survive every save.</p>
<p><code>netwright validate FILE</code> lists problems with line and column;
<code>netwright schema</code> prints the JSON Schema for editors.</p>"""
FORMAT_EXAMPLE = "seed-ipvlan-l2-default"  # shown whole under the words above


def format_text() -> str:
    """The words on the format, and a shipped example as it is written."""
    shipped = {path.stem: path for path in examples()}
    path = shipped.get(FORMAT_EXAMPLE) or next(iter(shipped.values()), None)
    if path is None:
        return FORMAT_TEXT
    try:
        sample = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return FORMAT_TEXT
    return (f"{FORMAT_TEXT}<p>The example {html.escape(path.name)}:</p>"
            f"<pre>{html.escape(sample)}</pre>")


def _version(package: str) -> str:
    try:
        return importlib.metadata.version(package)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def dot_version() -> str:
    """Graphviz's version as ``dot -V`` reports it, or why there is none."""
    program = shutil.which("dot")
    if program is None:
        return "not installed (Arrange Automatically needs the graphviz package)"
    try:
        done = subprocess.run([program, "-V"], capture_output=True, text=True, timeout=5,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"could not be asked ({exc})"
    words = (done.stderr or done.stdout).strip()
    return words.removeprefix("dot - ") or "unknown"


def about_text(backend: str) -> str:
    rows = [("Netwright", _version("netwright")), ("Backend", backend),
            ("Python", platform.python_version()), ("Qt", qVersion()),
            ("PySide6", pyside_version), ("Graphviz", dot_version()),
            ("pyroute2", _version("pyroute2")), ("dbus-fast", _version("dbus-fast")),
            ("pydantic", _version("pydantic")), ("ruamel.yaml", _version("ruamel.yaml"))]
    table = "".join(f"<tr><td><b>{html.escape(k)}</b></td><td>{html.escape(v)}</td></tr>"
                    for k, v in rows)
    return ("<p>Netwright designs, applies and checks Linux virtual networks.</p>"
            f"<table cellspacing='6'>{table}</table>")


# Qt's standard bindings add the dedicated keys of multimedia and office keyboards (a key
# labelled "Redo", "Open", "Save"...): they stay bound, for whoever has one, but the help
# lists the keys on an ordinary keyboard, where a row "Redo: Ctrl+Shift+Z, Redo" read as if
# "Redo" were a key everyone had. Qt numbers those keys from Key_Back to Key_MediaLast.
_DEDICATED_KEYS = range(Qt.Key.Key_Back.value, Qt.Key.Key_MediaLast.value + 1)


def _on_every_keyboard(sequence: QKeySequence) -> bool:
    """Whether every key of ``sequence`` is on an ordinary keyboard."""
    # Qt's QKeySequence::operator[], which PySide6 has and its stub does not declare
    return all(sequence[i].key().value not in _DEDICATED_KEYS  # type: ignore[index]
               for i in range(sequence.count()))


def shortcut_rows(window: QMainWindow) -> list[tuple[str, str]]:
    """(action, shortcuts) for every action of the window that has a shortcut, A to Z; only
    the keys of an ordinary keyboard are named (see ``_DEDICATED_KEYS``)."""
    rows: dict[str, str] = {}
    for action in window.findChildren(QAction):
        keys = [k.toString(QKeySequence.SequenceFormat.NativeText) for k in action.shortcuts()
                if _on_every_keyboard(k)]
        shown = ", ".join(k for k in keys if k)
        name = action.text().replace("&", "").rstrip("…").strip()
        if shown and name:
            rows[name] = shown
    return sorted(rows.items(), key=lambda row: row[0].lower())


def _text_dialog(parent: QMainWindow, title: str, body: str) -> QDialog:
    dialog = QDialog(parent)
    dialog.setWindowTitle(title)
    view = QTextBrowser(dialog)
    view.setHtml(body)
    layout = QVBoxLayout(dialog)
    layout.addWidget(view)
    dialog.resize(620, 520)
    return dialog


class HelpMenu(QMenu):
    """Help → Examples, File Format, Keyboard Shortcuts, About Netwright."""

    def __init__(self, window: QMainWindow, open_example: Callable[[Path], None],
                 backend: Callable[[], str]) -> None:
        super().__init__("&Help", window)
        self.window_ = window
        self.backend = backend
        self.examples_menu = self.addMenu("&Examples")
        for path in examples():
            action = self.examples_menu.addAction(f"{path.stem} — {example_summary(path)}")
            action.triggered.connect(lambda _c=False, p=path: open_example(p))
        self.format_action = self.addAction("The &File Format…", self.show_format)
        self.shortcuts_action = self.addAction("&Keyboard Shortcuts…", self.show_shortcuts)
        self.shortcuts_action.setShortcut(QKeySequence("Ctrl+/"))
        self.addSeparator()
        self.about_action = self.addAction("&About Netwright…", self.show_about)
        self.dialog: QDialog | None = None

    def show_format(self) -> QDialog:
        return self._show(_text_dialog(self.window_, "The topology file format", format_text()))

    def show_shortcuts(self) -> QDialog:
        rows = "".join(f"<tr><td>{html.escape(name)}</td><td><b>{html.escape(keys)}</b></td>"
                       "</tr>" for name, keys in shortcut_rows(self.window_))
        body = (f"<h3>Keyboard shortcuts</h3><table cellspacing='4'>{rows}</table>"
                "<p>On the canvas: Ctrl+wheel zooms, the middle button or Space+drag pans,"
                " arrow keys nudge the selection.</p>")
        return self._show(_text_dialog(self.window_, "Keyboard shortcuts", body))

    def show_about(self) -> QDialog:
        box = QMessageBox(QMessageBox.Icon.NoIcon, "About Netwright",
                          about_text(self.backend()), QMessageBox.StandardButton.Close,
                          self.window_)
        box.setWindowIcon(self.window_.windowIcon())
        return self._show(box)

    def _show(self, dialog: QDialog) -> QDialog:
        self.dialog = dialog
        dialog.setModal(False)
        dialog.show()
        return dialog
