"""Files: save → reopen → identical, every example opens and renders, closing asks, drops
of .yaml files open them, recent files, and the exports."""

from __future__ import annotations

import gc
import subprocess
from pathlib import Path

import pytest
from gestures import drop_mime
from PySide6.QtCore import QMimeData, QPointF, QSettings, QTimer, QUrl
from PySide6.QtGui import QImage
from PySide6.QtWidgets import QApplication, QMessageBox
from pytestqt.qtbot import QtBot

from netwright.backend.topology.document import Document
from netwright.gui.canvas.export import (
    render_png,
    render_svg,
    shell_script_function,
    write_shell_script,
)
from netwright.gui.model.files import examples
from netwright.gui.window.main import MainWindow

EXAMPLES = examples()


def test_examples_are_found() -> None:
    assert any(p.name == "seed-ipvlan-l2.yaml" for p in EXAMPLES)


def test_save_then_reopen_gives_the_same_document(window: MainWindow, seed: Path,
                                                  tmp_path: Path) -> None:
    window.open_path(seed)
    window.create_at("namespace", None, QPointF(400, 160))
    window.inspector.show_key("ipvlan2")
    window.inspector.commit("mtu", "1400")
    assert window.isWindowModified()
    target = tmp_path / "edited.yaml"
    assert window._save_to(str(target))
    assert not window.isWindowModified()
    assert window.windowTitle().startswith("edited.yaml")
    saved = target.read_text()
    assert "# The seed: two namespaces" in saved  # the hand-written comments survive
    assert saved.splitlines()[1:9] == seed.read_text().splitlines()[1:9]  # [0]: the modeline,
    # rewritten to reach the schema from tmp_path (test_document)
    snapshot = window.document.snapshot
    assert window.open_path(target)
    assert window.document.render() == saved
    assert window.document.snapshot == snapshot
    assert Document.from_file(target).topology().interfaces["ipvlan2"].mtu == 1400


@pytest.mark.parametrize("example", EXAMPLES, ids=[p.stem for p in EXAMPLES])
def test_each_example_opens_and_renders(window: MainWindow, example: Path,
                                        tmp_path: Path) -> None:
    assert window.open_path(example)
    snapshot = window.document.snapshot
    assert set(window.scene.nodes) == set(snapshot.placed_keys())
    for key in snapshot.interfaces:
        assert window.scene.item_for(key) is not None, key
    image_path = tmp_path / f"{example.stem}.png"
    size = render_png(window.scene, image_path)
    image = QImage(str(image_path))
    assert image.width() == size.width() and image.height() > 100
    colours = {image.pixel(x, y) for x in range(0, image.width(), 7)
               for y in range(0, image.height(), 7)}
    assert len(colours) > 10, "the rendering is blank"
    assert not window.isWindowModified()


def _answer_next_box(button: QMessageBox.StandardButton, seen: list[str]) -> None:
    def press() -> None:
        box = QApplication.activeModalWidget()
        if isinstance(box, QMessageBox):
            seen.append(box.text())
            box.button(button).click()
        else:
            QTimer.singleShot(20, press)
    QTimer.singleShot(20, press)


def test_closing_with_unsaved_changes_asks(window: MainWindow, seed: Path) -> None:
    window.open_path(seed)
    window.create_at("namespace", None, QPointF(0, 400))
    seen: list[str] = []
    _answer_next_box(QMessageBox.StandardButton.Cancel, seen)
    assert not window.close()
    assert seen == ["seed-ipvlan-l2.yaml has unsaved changes. Save them?"]
    assert window.isVisible()
    _answer_next_box(QMessageBox.StandardButton.Discard, seen)
    assert window.close()
    assert len(seen) == 2


def test_closing_twice_is_quiet(qtbot: QtBot, settings: QSettings,
                                recwarn: pytest.WarningsRecorder) -> None:
    """Qt sends a close event each time a window never shown is closed: the second is a
    no-op, not a failed disconnect of the selection handler."""
    # only this test's warnings: garbage an earlier test left (a lab test's bus socket, shut
    # down after its event loop had closed) may be collected here and warn as it goes
    gc.collect()
    recwarn.clear()
    window = MainWindow(settings)
    qtbot.addWidget(window)
    assert window.close()
    assert window.close()
    assert [str(w.message) for w in recwarn] == []


def test_dropping_a_yaml_file_opens_it(window: MainWindow, seed: Path) -> None:
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(seed))])
    assert drop_mime(window.view, mime, QPointF(0, 0))
    assert window.document.file == str(seed)
    assert "net1" in window.scene.nodes


def test_recent_files_and_new_from_example(window: MainWindow, seed: Path,
                                           tmp_path: Path) -> None:
    copy = tmp_path / "copy.yaml"
    copy.write_text(seed.read_text())
    window.open_path(seed)
    window.open_path(copy)
    assert window.recent.paths()[:2] == [str(copy.resolve()), str(seed.resolve())]
    window.new_from_example(seed)
    assert window.document.file == ""
    assert window.windowTitle().startswith("Untitled")
    assert "net1" in window.document.snapshot.namespaces
    window.file_new()
    assert not window.document.snapshot.namespaces


def test_opening_a_broken_file_keeps_the_current_one(window: MainWindow, seed: Path,
                                                     tmp_path: Path) -> None:
    window.open_path(seed)
    broken = tmp_path / "broken.yaml"
    broken.write_text("netwright: 1\nname: [unclosed\n")
    assert not window.open_path(broken)
    assert window.document.file == str(seed)
    assert "not valid YAML" in window.statusBar().currentMessage()


def test_export_svg_and_shell_script(window: MainWindow, seed: Path, tmp_path: Path,
                                     qtbot: QtBot) -> None:
    window.open_path(seed)
    svg = tmp_path / "seed.svg"
    render_svg(window.scene, svg)
    text = svg.read_text()
    assert text.lstrip().startswith("<?xml") and "<svg" in text and "ipvlan1" in text
    if shell_script_function() is None:
        pytest.skip("the shell-script exporter (backend/export) is not installed")
    script = tmp_path / "seed.sh"
    write_shell_script(window.document, script)
    body = script.read_text()
    assert "ip netns add net1" in body and "type ipvlan" in body
    assert subprocess.run(["sh", "-n", str(script)], check=False).returncode == 0


def _big_topology(namespaces: int) -> str:
    lines = ["netwright: 1", "name: big", "host:", "  nics:", "    eth0:",
             "      addresses: [10.0.0.1/16]", "namespaces:"]
    lines += [f"  ns{i}: {{}}  # rack {i // 40}" for i in range(namespaces)]
    lines.append("interfaces:")
    for i in range(namespaces):
        lines += [f"  mv{i}:", "    kind: macvlan", "    parent: eth0", "    mode: bridge",
                  f"    namespace: ns{i}", f"    addresses: [10.0.{i // 250 + 1}.{i % 250 + 2}/16]"]
    return "\n".join(lines) + "\n"


def test_a_big_file_is_editable_at_once_and_keeps_its_comments(
        window: MainWindow, tmp_path: Path, qtbot: QtBot) -> None:
    """Edited while the round-trip parse still runs: the edits are replayed onto the
    round-trip document, so the saved text keeps the file's comments, and an undo after the
    swap puts back the file's own node (its comment too)."""
    yaml = pytest.importorskip("yaml", reason="PyYAML (libyaml) is what draws big files early")
    assert yaml.__with_libyaml__
    path = tmp_path / "big.yaml"
    text = _big_topology(600)
    path.write_text(text)
    assert len(text) > 64 * 1024
    assert window.open_path(path)
    assert window.document.is_reading()
    assert len(window.scene.nodes) == 601
    assert window.view.isEnabled()
    assert window.create_at("namespace", None, QPointF(0, 0)) == ["net1"]
    window.scene.select_keys(["ns7"])
    window.delete_selection()
    assert "ns7" not in window.scene.nodes and window.document.is_reading()
    qtbot.waitUntil(lambda: not window.document.is_reading(), timeout=30_000)
    rendered = window.document.render()
    assert "  net1: {}" in rendered and "ns7:" not in rendered
    assert "  ns8: {}  # rack 0" in rendered  # comments kept: the round-trip document
    stack = window.document.undo_stack
    assert stack.count() == 2
    stack.undo()
    assert "  ns7: {}  # rack 0" in window.document.render()
    stack.undo()
    assert window.document.render() == text


def test_unsaved_changes_are_discarded_with_alt_d(window: MainWindow, seed: Path) -> None:
    """Alt+D did nothing in "Save them?" (Qt's standard buttons carry no mnemonic), and the
    Return pressed next took the default, Save, which wrote over the opened file."""
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    window.open_path(seed)
    before = seed.read_text()
    window.create_at("namespace", None, QPointF(0, 400))
    seen: list[str] = []

    def press() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(20, press)
            return
        seen.append(box.text())
        box.activateWindow()  # as the window manager makes a new dialog the active window
        QApplication.processEvents()
        QTest.keyClick(box, Qt.Key.Key_D, Qt.KeyboardModifier.AltModifier)
        QTimer.singleShot(1000, lambda: give_up(box))  # a mnemonic clicks after a moment

    def give_up(box: QMessageBox) -> None:
        from shiboken6 import isValid

        if isValid(box) and box.isVisible():  # Alt+D did nothing: close it, and fail
            seen.append("Alt+D did nothing")
            box.button(QMessageBox.StandardButton.Cancel).click()

    QTimer.singleShot(20, press)
    assert window.maybe_save(), seen
    assert seen == ["seed-ipvlan-l2.yaml has unsaved changes. Save them?"]
    assert seed.read_text() == before
