"""What an empty canvas says: what to drag where, and the shipped examples to start from.

A panel floating over the middle of the canvas while the design has nothing in it (no
namespace, NIC or interface) and disappears as soon as it has, or while something is dragged
over it, so a drop from the palette always lands on the canvas underneath. It is a child of
the view, not of its viewport: the view scrolls its viewport's children with the scene, and
as the window took its size (the view centring the empty host frame) the panel was carried
half out of a 1024×700 canvas.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtGui import QDragEnterEvent, QKeyEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractScrollArea,
    QApplication,
    QFrame,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from netwright.gui.docks.wrap_button import WrapButton
from netwright.gui.model.files import example_summary, examples

STEPS = (
    "<b>Start a design</b><br>"
    "1. Drag a <b>Namespace</b> from the Palette onto the canvas (a <b>Host NIC</b> stands"
    " for one of this machine's network cards).<br>"
    "2. Drag a <b>veth pair</b>, <b>ipvlan</b>, <b>macvlan</b>, <b>vlan</b> or <b>vxlan</b>"
    " into a namespace; a <b>Bridge</b> goes on the host.<br>"
    "3. Drag from a port's dot to another port, bridge or NIC to wire them; the Inspector"
    " edits what is selected.<br>"
    "Or drop a topology file (.yaml) here."
)
LEFT = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
WIDTH = 690
"""The panel's width where the canvas has room: each example on one line."""


class WelcomePanel(QFrame):
    """The empty canvas's hint, with one button per shipped example."""

    def __init__(self, view: QAbstractScrollArea, open_example: Callable[[Path], None],
                 open_file: Callable[[], None]) -> None:
        super().__init__(view)
        self._canvas = view.viewport()
        self.setObjectName("welcome")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setAcceptDrops(True)
        # in a scroll area: on a short canvas (1024×700 with the bottom panel open) the
        # panel was taller than the canvas, and its last examples, "Open the live host"
        # and "Open a file…" were cut off below it, out of the mouse's reach
        self.content = QWidget()
        self.scroller = QScrollArea(self)
        self.scroller.setWidget(self.content)  # sized by _centre: its lines wrap to its width
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(self.scroller)
        self.column = layout = QVBoxLayout(self.content)
        layout.setContentsMargins(18, 14, 18, 14)
        steps = QLabel(STEPS)
        steps.setWordWrap(True)
        steps.setTextFormat(Qt.TextFormat.RichText)
        layout.addWidget(steps)
        layout.addSpacing(6)
        layout.addWidget(QLabel("<b>Open an example…</b>"))
        self.example_buttons: dict[str, WrapButton] = {}
        for path in examples():
            # a line wider than a small canvas wraps (a plain button is as wide as its text)
            button = WrapButton(f"{path.stem} — {example_summary(path)}", alignment=LEFT)
            button.setFlat(True)
            button.setCursor(Qt.CursorShape.PointingHandCursor)
            button.clicked.connect(lambda _c=False, p=path: open_example(p))
            layout.addWidget(button)
            self.example_buttons[path.stem] = button
        if not self.example_buttons:
            layout.addWidget(QLabel("(no examples are installed)"))
        other = QPushButton("Open a file…")
        other.clicked.connect(open_file)
        layout.addWidget(other, alignment=Qt.AlignmentFlag.AlignLeft)
        self._canvas.installEventFilter(self)
        self._wanted = True

    def set_wanted(self, wanted: bool) -> None:
        """Shown only while the design is empty."""
        self._wanted = wanted
        focus = QApplication.focusWidget()
        if not wanted and focus is not None and self.isAncestorOf(focus):
            # the clicked example's button hides with the panel: the keys go to the canvas,
            # not to the next field in line (Inspector › Topology name, its text selected)
            view = self.parentWidget()
            if view is not None:
                view.setFocus(Qt.FocusReason.OtherFocusReason)
        self.setVisible(wanted)
        if wanted:
            self._centre()

    def follow_the_canvas_in_tab_order(self) -> None:
        """Tab from the empty canvas goes to the examples and the buttons below them, top to
        bottom, then on to the Palette. Made after the window's docks, the panel's buttons
        came last in the tab chain: 22 presses from the canvas, past the whole Inspector and
        every bottom dock (call again after a button is added)."""
        previous: QWidget | None = self.parentWidget()
        for index in range(self.column.count()):
            item = self.column.itemAt(index)
            widget = item.widget() if item is not None else None
            if previous is not None and isinstance(widget, QAbstractButton):
                QWidget.setTabOrder(previous, widget)
                previous = widget

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 (Qt override)
        """Enter on an example (or button) opens it, as Space does: a push button outside a
        dialog ignores Enter, so the keyboard's natural key did nothing here."""
        focus = QApplication.focusWidget()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and \
                isinstance(focus, QAbstractButton) and self.isAncestorOf(focus):
            focus.click()
            return
        super().keyPressEvent(event)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802
        if event.type() == QEvent.Type.Resize and self._wanted:
            self._centre()
        elif event.type() == QEvent.Type.DragLeave and self._wanted:
            self.show()  # the drag went elsewhere: the canvas is still empty
        return False

    def _centre(self) -> None:
        """In the middle of the viewport (its place in the view: the view's frame, a banner
        above it)."""
        canvas = self._canvas.geometry()
        frame = 2 * self.frameWidth()
        width = min(max(self.content.sizeHint().width() + frame, WIDTH),
                    max(200, canvas.width() - 40))
        room = max(120, canvas.height() - 20)
        inner = width - frame
        needed = self._content_height(inner)
        if needed + frame > room:  # it scrolls: its lines wrap beside the scroll bar
            inner -= self.scroller.verticalScrollBar().sizeHint().width()
            needed = self._content_height(inner)
        self.content.resize(inner, needed)
        self.resize(width, min(needed + frame, room))
        self.move(canvas.x() + max(0, (canvas.width() - self.width()) // 2),
                  canvas.y() + max(0, (canvas.height() - self.height()) // 2))
        self.raise_()

    def _content_height(self, width: int) -> int:
        content = self.content
        return content.heightForWidth(width) if content.hasHeightForWidth() \
            else content.sizeHint().height()

    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        """Step aside for a drag: the drop belongs to the canvas underneath."""
        self.hide()
        event.ignore()
