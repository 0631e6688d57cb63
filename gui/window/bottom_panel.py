"""The bottom docks as one panel that opens and closes, as VS Code's panel does.

Problems, Plan / Log, Checks and Leases (and the live host's Compare) share the bottom dock
area. On a short window they took a quarter of its height from the canvas, so the panel
starts closed there (below ``OPEN_FROM`` pixels of height) and open on a tall one; a choice
the user made (the status bar's button, View ▸ Bottom Panel, Ctrl+J) is remembered in the
settings and wins next time. The status bar's button always says how many errors and
warnings the design has, red when there are errors, so a closed panel hides nothing
silently; and the panel opens by itself on the dock that has something the user must see
(``reveal``): an apply's log, a check's results, a failure.

The panel is whatever docks sit in the bottom area, docked: a dock the user moved there
belongs to it, one moved away does not. Closing hides them and remembers which were shown
and which tab was on top; opening shows them again in their tab group.

The keys follow the user's Ctrl+J (and View › Bottom Panel): opening puts the keyboard
focus in the dock on top, where it was last in it (else its first field), and closing with
the focus inside gives it back to the canvas (the status bar's button does that too). Qt alone
left it on a hidden tab bar, where no key did anything and nothing showed where the keys
went. A ``reveal`` leaves the focus where it is: the user did not ask.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QDockWidget, QMainWindow, QStyle, QToolButton, QWidget

OPEN_FROM = 820
"""A window at least this tall (in pixels) starts with the panel open."""

SETTING = "window/bottom-panel"
"""The user's last choice: "open" or "closed" (none yet: the window's height decides)."""


def problem_words(errors: int, warnings: int) -> str:
    """The status bar button's words.

    >>> problem_words(2, 1), problem_words(0, 4), problem_words(0, 0)
    ('2 errors, 1 warning', '4 warnings', 'No problems')
    """
    parts = [f"{count} {word}{'s' * (count != 1)}"
             for count, word in ((errors, "error"), (warnings, "warning")) if count]
    return ", ".join(parts) or "No problems"


class BottomPanel(QObject):
    """Opens, closes and reveals the docks of ``window``'s bottom area.

    ``first`` is the dock the status bar's button shows (Problems); ``default`` the docks an
    opening shows when none were shown before; ``fit`` sizes the panel after it opens.
    """

    def __init__(self, window: QMainWindow, settings: QSettings, first: QDockWidget,
                 default: list[QDockWidget], fit: Callable[[], None]) -> None:
        super().__init__(window)
        self.window = window
        self.settings = settings
        self.first = first
        self.default = list(default)
        self.fit = fit
        self._shown: list[QDockWidget] = []  # what was shown when the panel closed
        self._current: QDockWidget | None = None  # and which tab was on top
        self._started = False
        self._revealed_early = False  # something to see before the window was first shown
        self.action = QAction("Bottom &Panel", window)
        self.action.setCheckable(True)
        self.action.setShortcut(QKeySequence("Ctrl+J"))
        self.action.setStatusTip("show Problems, Plan / Log, Checks and Leases with the keys"
                                 " in them, or hide them (the keys go back to the canvas)")
        self.action.triggered.connect(lambda checked: self.choose(bool(checked)))
        window.addAction(self.action)
        self.button = QToolButton()
        self.button.setObjectName("bottom-panel-button")
        self.button.setCheckable(True)
        self.button.setAutoRaise(True)
        self.button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.button.setIconSize(QSize(14, 14))  # no taller than the status bar's words
        self.button.clicked.connect(lambda _checked: self.show_problems_or_close())
        for dock in default:
            self.watch(dock)
        self.set_problem_counts(0, 0)

    # -- what the panel is ----------------------------------------------------------------

    def docks(self) -> list[QDockWidget]:
        """The docks of the bottom area, docked (not floating)."""
        bottom = Qt.DockWidgetArea.BottomDockWidgetArea
        return [dock for dock in self.window.findChildren(QDockWidget)
                if self.window.dockWidgetArea(dock) == bottom and not dock.isFloating()]

    def is_open(self) -> bool:
        return any(not dock.isHidden() for dock in self.docks())

    def current(self) -> QDockWidget | None:
        """The dock whose tab is on top, if the panel is open."""
        shown = [dock for dock in self.docks() if not dock.isHidden()]
        on_top = [dock for dock in shown if not dock.visibleRegion().isEmpty()]
        return next(iter(on_top or shown), None)

    def watch(self, dock: QDockWidget) -> None:
        """Keep the action and the button checked as the panel is shown or hidden (by a
        dock's own toggle in View too)."""
        dock.visibilityChanged.connect(lambda _visible: self._sync())
        dock.dockLocationChanged.connect(lambda _area: self._sync())

    # -- opening and closing --------------------------------------------------------------

    def start(self, height: int) -> None:
        """Once, as the window is first shown: the user's last choice, else open on a tall
        window and closed on a short one."""
        if self._started:
            return
        self._started = True
        choice = self.settings.value(SETTING, "")
        wanted = choice == "open" if choice in ("open", "closed") else height >= OPEN_FROM
        # ``netwright FILE`` opens the file before the window shows: its errors stay in sight
        wanted = wanted or self._revealed_early
        if wanted != self.is_open():  # the docks as restored may say otherwise
            self.open() if wanted else self.close()

    def open(self, dock: QDockWidget | None = None) -> None:
        """Show the panel as it was when it closed, ``dock`` (else the tab then on top)
        on top."""
        if not self.is_open():
            for shown in self._shown or self.default:
                shown.show()
            self.fit()
        target = dock or self._current
        if target is not None:
            target.show()
            target.raise_()
        self._sync()

    def close(self) -> None:
        """Hide the panel's docks, remembering which were shown and which was on top."""
        shown = [dock for dock in self.docks() if not dock.isHidden()]
        if shown:
            self._current = self.current()
            self._shown = shown
        for dock in shown:
            dock.hide()
        self._sync()

    def reveal(self, dock: QDockWidget) -> None:
        """Something in ``dock`` the user must see: open the panel (if closed) with it on
        top. The user's choice is not changed: the panel opened for this one thing."""
        self._revealed_early = self._revealed_early or not self._started
        self.open(dock)

    def front(self) -> QDockWidget | None:
        """What the user looks at in the panel now (None: it is closed), to be given back
        by ``withdraw`` after a ``reveal`` of something for a while."""
        return self.current() if self.is_open() else None

    def withdraw(self, dock: QDockWidget, front: QDockWidget | None) -> None:
        """``dock`` is no longer needed: hide it and give the panel back as it was before
        it was revealed, ``front`` on top (None: the panel was closed, so close it). Hiding
        a tab alone put whichever tab Qt picks on top (the Leases, the last one)."""
        dock.hide()
        if front is None:
            self.close()
        elif not front.isHidden():  # still shown: the user did not close it meanwhile
            front.raise_()
        self._sync()

    # -- the user's choices ---------------------------------------------------------------

    def choose(self, wanted: bool, dock: QDockWidget | None = None, keys: bool = True) -> None:
        """The user opens (``dock`` on top) or closes the panel (the View entry, Ctrl+J, the
        button); remembered. The keys follow (see the module's opening); opening takes them
        only if ``keys`` (the button is clicked: the pointer, not the keys, went there)."""
        had_keys = self._has_keys()
        self.open(dock) if wanted else self.close()
        self.settings.setValue(SETTING, "open" if wanted else "closed")
        if wanted and keys:
            self._give_keys(dock or self._current or self.current())
        elif had_keys and (canvas := self.window.centralWidget()) is not None:
            canvas.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def show_problems_or_close(self) -> None:
        """The status bar's button: Problems on top, or the panel closed when Problems was
        already on top."""
        self.choose(not (self.is_open() and self.current() is self.first), self.first, keys=False)

    def _has_keys(self) -> bool:
        """Whether the keyboard focus is in one of the panel's docks."""
        focus = QApplication.focusWidget()
        return focus is not None and any(dock.isAncestorOf(focus) for dock in self.docks())

    @staticmethod
    def _give_keys(dock: QDockWidget | None) -> None:
        """The focus into ``dock``: where it last was in it, else its first field."""
        inside = dock.widget() if dock is not None else None
        if inside is None:
            return
        last = inside.focusWidget()
        target = last if last is not None and last.isVisible() else None
        field: QWidget | None = inside
        while target is None and field is not None:  # the first a Tab reaches: the chain's order
            if (field is inside or inside.isAncestorOf(field)) and field.isVisible() and \
                    field.isEnabled() and field.focusPolicy() & Qt.FocusPolicy.TabFocus:
                target = field
            field = field.nextInFocusChain()
            if field is inside:
                break
        if target is None:
            return
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    # -- the status bar's button ----------------------------------------------------------

    def set_problem_counts(self, errors: int, warnings: int) -> None:
        words = problem_words(errors, warnings)
        style = self.button.style()
        icon = (QStyle.StandardPixmap.SP_MessageBoxCritical if errors else
                QStyle.StandardPixmap.SP_MessageBoxWarning if warnings else
                QStyle.StandardPixmap.SP_DialogApplyButton)
        self.button.setIcon(style.standardIcon(icon))
        self.button.setText(words)
        self.button.setStyleSheet("QToolButton { color: #c62828; font-weight: bold; }"
                                  if errors else "")
        self.button.setToolTip(f"{words}: click to show the Problems list, again to close"
                               " the panel (Ctrl+J shows or hides the panel)")

    def _sync(self) -> None:
        shown = self.is_open()
        self.action.setChecked(shown)
        self.button.setChecked(shown and self.current() is self.first)
