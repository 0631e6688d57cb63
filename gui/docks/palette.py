"""The palette: what can be drawn, dragged onto the canvas (or double-clicked to add).

Where the window is narrow the palette's dock is a strip of icons: below ``COMPACT_BELOW``
pixels of width the entries show their icons only, centred, and say their names in their
tooltips (the names stay the items' texts, for the keyboard's type-ahead and for screen
readers). Dragged wider, the palette shows its names again. Dragging, double-click and
Enter add in both forms.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QSize, Qt, Signal
from PySide6.QtGui import QColor, QDrag, QIcon, QKeyEvent, QPainter, QPixmap, QResizeEvent
from PySide6.QtWidgets import (
    QListWidget,
    QListWidgetItem,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from netwright.gui.canvas.focus_ring import FocusRing
from netwright.gui.canvas.scene import kind_mime
from netwright.gui.canvas.theme import Theme
from netwright.gui.model.edits import PALETTE_KINDS

LABELS = {
    "namespace": ("Namespace", "a network namespace (ip netns add)"),
    "nic": ("Host NIC", "a NIC the host already has: referenced, never changed"),
    "bridge": ("Bridge", "a software switch; drag ports onto it"),
    "veth": ("veth pair", "two ends of a virtual cable"),
    "ipvlan": ("ipvlan", "a child sharing its parent's MAC (modes l2, l3, l3s)"),
    "macvlan": ("macvlan", "a child with its own MAC on its parent"),
    "vlan": ("vlan", "an 802.1Q tagged child of its parent"),
    "vxlan": ("vxlan", "an overlay tunnel to a remote end"),
}


def kind_icon(theme: Theme, kind: str, size: int = 22) -> QIcon:
    pixmap = QPixmap(size * 2, size * 2)
    pixmap.setDevicePixelRatio(2.0)
    pixmap.fill(QColor(0, 0, 0, 0))
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(theme.kind_edge(kind))
    painter.setBrush(theme.kind(kind))
    if kind == "namespace":
        painter.drawRoundedRect(2, 3, size - 4, size - 6, 3, 3)
    elif kind == "nic":
        painter.drawRect(2, 6, size - 4, size - 12)
    elif kind == "veth":
        painter.drawEllipse(2, 7, 8, 8)
        painter.drawEllipse(size - 10, 7, 8, 8)
        painter.drawLine(10, 11, size - 10, 11)
    else:
        painter.drawRoundedRect(2, 6, size - 4, size - 12, 4, 4)
    painter.end()
    return QIcon(pixmap)


COMPACT_BELOW = 120
"""Narrower than this (in pixels), the palette shows icons only."""

ICON = 22


class _IconsOnly(QStyledItemDelegate):
    """Paints an entry as its icon alone, centred, while the palette is compact."""

    def __init__(self, palette: Palette) -> None:
        super().__init__(palette)
        self.palette = palette

    def initStyleOption(self, option: QStyleOptionViewItem,  # noqa: N802 (Qt's name)
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        if self.palette.compact:
            option.text = ""
            option.features &= ~QStyleOptionViewItem.ViewItemFeature.HasDisplay
            option.decorationPosition = QStyleOptionViewItem.Position.Top
            option.decorationAlignment = Qt.AlignmentFlag.AlignCenter


class Palette(QListWidget):
    """Drag an entry to the canvas; double-click adds it at the centre of the view."""

    add_requested = Signal(str)

    def __init__(self, theme: Theme, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.compact = False
        self.setDragEnabled(True)
        self.setIconSize(QSize(ICON, ICON))
        self.setSpacing(1)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)  # Tab reaches it; Enter adds
        self.setAccessibleName("Palette")  # read with its entry; the dock's title is no name
        self.setItemDelegate(_IconsOnly(self))
        self.setMinimumWidth(ICON + 16)
        for kind in PALETTE_KINDS:
            label, tip = LABELS[kind]
            item = QListWidgetItem(kind_icon(theme, kind), label)
            item.setData(Qt.ItemDataRole.UserRole, kind)
            item.setToolTip(f"{label}: {tip}\nDrag it onto the canvas; a double-click or"
                            " Enter adds one")
            self.addItem(item)
        self.setCurrentRow(0)
        # the current entry is highlighted whether the list has the keys or not: Tab to it
        # showed nothing, so it wears the canvas's ring while it has them
        self.focus_ring = FocusRing(self)
        self.itemDoubleClicked.connect(
            lambda item: self.add_requested.emit(item.data(Qt.ItemDataRole.UserRole)))

    def set_theme(self, theme: Theme) -> None:
        """Follow a light/dark palette switch: each entry's icon in the theme's kind colours,
        as the canvas draws the kind."""
        for row in range(self.count()):
            item = self.item(row)
            item.setIcon(kind_icon(theme, item.data(Qt.ItemDataRole.UserRole)))

    def set_compact(self, compact: bool) -> None:
        """Icons only (``True``) or icons with names."""
        if compact != self.compact:
            self.compact = compact
            self.scheduleDelayedItemsLayout()
            self.viewport().update()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        self.set_compact(event.size().width() < COMPACT_BELOW)
        super().resizeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802
        """Enter adds the current entry, as a double-click does (the palette by keyboard)."""
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.add_requested.emit(item.data(Qt.ItemDataRole.UserRole))
            event.accept()
            return
        super().keyPressEvent(event)

    def startDrag(self, supported: Qt.DropAction) -> None:  # noqa: N802
        item = self.currentItem()
        if item is None:
            return
        drag = QDrag(self)
        drag.setMimeData(kind_mime(item.data(Qt.ItemDataRole.UserRole)))
        drag.setPixmap(item.icon().pixmap(22, 22))
        drag.exec(Qt.DropAction.CopyAction)
