"""Exported pictures leave out the problem badges unless asked for (issue #15 item 16)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QColor, QImage

from netwright.gui.canvas.export import render_png, render_svg
from netwright.gui.window.main import MainWindow


def _badge_pixels(image: QImage, colours: set[int]) -> int:
    return sum(1 for x in range(image.width()) for y in range(0, image.height(), 2)
               if image.pixel(x, y) & 0xFFFFFF in colours)


def test_png_and_svg_exports_have_badges_only_when_asked(window: MainWindow, seed: Path,
                                                         tmp_path: Path) -> None:
    assert window.open_path(seed)
    severities = {p.severity for p in window.document.problems}
    assert severities, "the seed should carry a warning to show"
    theme = window.scene.theme
    colours = {QColor(theme.warning).rgb() & 0xFFFFFF, QColor(theme.error).rgb() & 0xFFFFFF}
    plain, marked = tmp_path / "plain.png", tmp_path / "marked.png"
    render_png(window.scene, plain, scale=1.0)
    render_png(window.scene, marked, scale=1.0, badges=True)
    assert _badge_pixels(QImage(str(plain)), colours) == 0
    assert _badge_pixels(QImage(str(marked)), colours) > 20
    names = {QColor(theme.warning).name(), QColor(theme.error).name()}
    render_svg(window.scene, tmp_path / "plain.svg")
    render_svg(window.scene, tmp_path / "marked.svg", badges=True)
    assert not any(n in (tmp_path / "plain.svg").read_text() for n in names)
    assert any(n in (tmp_path / "marked.svg").read_text() for n in names)
    # the canvas itself still shows them
    assert any(item.badge for item in window.scene._keyed_items())
