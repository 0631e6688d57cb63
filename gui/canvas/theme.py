"""Colours of the canvas, derived from the system palette so light and dark desktops both work.

Kinds keep one hue each in both palettes (a bridge is always the same blue); only lightness
changes, so a screenshot from a dark desktop still reads like the documentation.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtGui import QColor, QGuiApplication, QPalette

KIND_HUES = {
    "namespace": 210, "nic": 30, "bridge": 200, "veth": 140, "ipvlan": 280, "macvlan": 320,
    "vlan": 50, "vxlan": 170, "dummy": 0,
}
RELATION_HUES = {"peer": 140, "master": 200, "parent": 280, "dev": 170}


@dataclass(frozen=True)
class Theme:
    dark: bool
    background: QColor
    grid: QColor
    text: QColor
    muted: QColor
    frame: QColor
    box: QColor
    box_edge: QColor
    selection: QColor
    error: QColor
    warning: QColor
    reachable: QColor
    unreachable: QColor

    def kind(self, kind: str) -> QColor:
        """The fill of an interface of ``kind``."""
        hue = KIND_HUES.get(kind, 0)
        saturation = 0 if kind not in KIND_HUES or kind == "dummy" else 150
        return QColor.fromHsl(hue, saturation, 95 if self.dark else 200)

    def kind_edge(self, kind: str) -> QColor:
        hue = KIND_HUES.get(kind, 0)
        return QColor.fromHsl(hue, 160 if kind in KIND_HUES else 0, 170 if self.dark else 90)

    def relation(self, relation: str) -> QColor:
        hue = RELATION_HUES.get(relation, 0)
        return QColor.fromHsl(hue, 170, 160 if self.dark else 95)


def is_dark(palette: QPalette) -> bool:
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def make_theme(dark: bool) -> Theme:
    if dark:
        return Theme(
            dark=True, background=QColor(0x23, 0x26, 0x2b), grid=QColor(0x33, 0x37, 0x3e),
            text=QColor(0xe8, 0xea, 0xed), muted=QColor(0x9a, 0xa0, 0xa6),
            frame=QColor(0x5f, 0x67, 0x70), box=QColor(0x2e, 0x33, 0x3a),
            box_edge=QColor(0x70, 0x7a, 0x86), selection=QColor(0x4d, 0xa3, 0xff),
            error=QColor(0xff, 0x5c, 0x5c), warning=QColor(0xf0, 0xb4, 0x29),
            reachable=QColor(0x3f, 0xc2, 0x6b), unreachable=QColor(0xff, 0x5c, 0x5c),
        )
    return Theme(
        dark=False, background=QColor(0xfa, 0xfb, 0xfc), grid=QColor(0xe3, 0xe6, 0xea),
        text=QColor(0x1f, 0x23, 0x28), muted=QColor(0x65, 0x6d, 0x76),
        frame=QColor(0x8c, 0x95, 0x9f), box=QColor(0xff, 0xff, 0xff),
        box_edge=QColor(0x9a, 0xa4, 0xae), selection=QColor(0x1a, 0x73, 0xe8),
        error=QColor(0xd9, 0x30, 0x25), warning=QColor(0xe3, 0x8d, 0x00),
        reachable=QColor(0x1e, 0x8e, 0x3e), unreachable=QColor(0xd9, 0x30, 0x25),
    )


def current_theme() -> Theme:
    """The theme matching the application's palette right now."""
    app = QGuiApplication.instance()
    palette = app.palette() if isinstance(app, QGuiApplication) else QPalette()
    return make_theme(is_dark(palette))
