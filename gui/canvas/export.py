"""Export the canvas as PNG or SVG, and the topology as a shell script of ip(8) commands."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtSvg import QSvgGenerator

from netwright.backend.topology.problems import NetwrightError, Problem, TopologyError
from netwright.backend.topology.source import atomic_write
from netwright.gui.canvas.scene import TopologyScene
from netwright.gui.model.document import TopologyDocument
from netwright.gui.model.wording import designer_message


class ExportError(NetwrightError):
    """An export that could not be written or made; the message says why."""


def _scene_rect(scene: TopologyScene) -> QRectF:
    scene.update_frame()
    return scene.frame.rect().adjusted(-16, -16, 16, 16)


def render_png(scene: TopologyScene, path: str | Path, scale: float = 2.0,
               badges: bool = False) -> QSize:
    """Render the whole canvas (not just the visible part) at ``scale`` pixels per unit;
    problem badges only when ``badges`` is asked for."""
    rect = _scene_rect(scene)
    size = QSize(max(1, int(rect.width() * scale)), max(1, int(rect.height() * scale)))
    image = QImage(size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(scene.theme.background)
    painter = QPainter(image)
    painter.setRenderHints(QPainter.RenderHint.Antialiasing | QPainter.RenderHint.TextAntialiasing)
    scene.clearSelection()
    with scene.full_detail(badges):
        scene.render(painter, QRectF(0, 0, size.width(), size.height()), rect,
                     Qt.AspectRatioMode.KeepAspectRatio)
    painter.end()
    # PySide6 takes the format as a str and refuses bytes, which its stub asks for
    if not image.save(str(path), "PNG"):  # type: ignore[call-overload]
        raise ExportError(f"could not write the image {path}: check the folder exists and is"
                          " writable")
    return size


def render_svg(scene: TopologyScene, path: str | Path, title: str = "Netwright topology",
               badges: bool = False) -> None:
    """The whole canvas as an SVG drawing; problem badges only when ``badges``."""
    rect = _scene_rect(scene)
    generator = QSvgGenerator()
    generator.setFileName(str(path))
    generator.setSize(QSize(int(rect.width()), int(rect.height())))
    generator.setViewBox(QRectF(0, 0, rect.width(), rect.height()))
    generator.setTitle(title)
    generator.setDescription("Drawn with Netwright")
    painter = QPainter()
    if not painter.begin(generator):
        raise ExportError(f"could not write the drawing {path}: check the folder is writable")
    painter.fillRect(QRectF(0, 0, rect.width(), rect.height()), scene.theme.background)
    scene.clearSelection()
    with scene.full_detail(badges):
        scene.render(painter, QRectF(0, 0, rect.width(), rect.height()), rect)
    painter.end()


def shell_script_function() -> Callable[[Any], str] | None:
    """The lead's ``netwright.backend.export.ip_commands.shell_script``, if installed."""
    try:
        module = importlib.import_module("netwright.backend.export.ip_commands")
    except ImportError:
        return None
    function = getattr(module, "shell_script", None)
    return function if callable(function) else None


def shell_script_text(document: TopologyDocument) -> str:
    """The topology as ip(8) commands (``netwright export --format sh``)."""
    function = shell_script_function()
    if function is None:
        raise ExportError("this Netwright has no shell-script exporter installed")
    try:
        topology = document.contract.topology()
    except TopologyError as exc:
        errors = [p for p in exc.problems if p.severity == "error"]
        first = designer_message(errors[0]) if errors else str(exc)
        raise ExportError(f"fix the errors in the Problems list first ({len(errors)}): {first}")\
            from None
    return function(topology)


def write_shell_script(document: TopologyDocument, path: str | Path) -> None:
    text = shell_script_text(document)
    try:
        atomic_write(Path(path), text)
        Path(path).chmod(0o755)
    except OSError as exc:
        raise TopologyError([Problem("error", "unwritable", (),
                                     f"cannot write {path}: {exc.strerror or exc}")]) from None
