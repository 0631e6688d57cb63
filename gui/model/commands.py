"""One QUndoCommand per user action (Qt's undoframework pattern).

Each command is built with the edits its action makes (see ``edits``) and only ever
``push()``ed: ``redo()`` does the first execution too. The document returns the inverse of
every application, so ``undo()`` is the same code as ``redo()`` run with the inverse edits.
Moves merge (``id()``/``mergeWith()``) while they belong to one drag, so a drag is one step.
A change that makes a box taller moves its neighbours out of its way in the same step
(``TopologyDocument.make_room``).

A command that adds or removes items also says what is selected after it, both ways (as any
editor does): Undo of a Delete selects what came back, Redo of it leaves nothing selected,
Undo of a Paste gives back the selection from before it. So does a fix: what it changed is
selected, so the inspector shows the change. The document announces it
(``selection_wanted``); the canvas selects.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from netwright.backend.count_words import counted
from netwright.gui.model.document import Edit, TopologyDocument
from netwright.gui.model.edits import Wire

Selection = tuple[list[str], list[Wire]]
"""What the canvas selects: item keys and wires."""
NOTHING: Selection = ([], [])

MOVE_COMMAND_ID = 0x4E57  # "NW"


class EditsCommand(QUndoCommand):
    """Applies a list of edits; undo applies their inverse."""

    def __init__(self, document: TopologyDocument, text: str, edits: list[Edit]) -> None:
        super().__init__(text)
        self.document = document
        self._forward = list(edits)
        self._backward: list[Edit] = []
        self._made_room = False
        # what is selected after redo() and after undo(); None: the selection is left alone
        self.selected_after_redo: Selection | None = None
        self.selected_after_undo: Selection | None = None

    def redo(self) -> None:
        before = self.document.snapshot
        self._backward = self.document.apply(self._forward)
        if not self._made_room:  # the first execution: room for boxes it made taller
            self._made_room = True
            room = self.document.make_room(before) if self.document.make_room else []
            if room:
                self._backward = self.document.apply(room) + self._backward
                self._forward = self._forward + room
        self._select(self.selected_after_redo)

    def undo(self) -> None:
        self._forward = self.document.apply(self._backward)
        self._select(self.selected_after_undo)

    def _select(self, selection: Selection | None) -> None:
        if selection is not None:
            self.document.selection_wanted.emit(list(selection[0]), list(selection[1]))


class CreateCommand(EditsCommand):
    """A palette item dropped on the canvas (a veth pair is one command): the new item is
    selected; undone, what was selected before (``before``)."""

    def __init__(self, document: TopologyDocument, kind: str, keys: list[str],
                 edits: list[Edit], before: Selection = NOTHING) -> None:
        label = "veth pair" if kind == "veth" else kind
        super().__init__(document, f"Create {label} {', '.join(keys)}", edits)
        self.keys = keys
        self.selected_after_redo = (keys[:1], [])
        self.selected_after_undo = before


class DeleteCommand(EditsCommand):
    """The selection deleted (``selected``: it, which Undo selects again)."""

    def __init__(self, document: TopologyDocument, names: list[str], edits: list[Edit],
                 selected: Selection = NOTHING) -> None:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        super().__init__(document, f"Delete {shown}", edits)
        self.selected_after_redo = NOTHING
        self.selected_after_undo = selected


class WireCommand(EditsCommand):
    def __init__(self, document: TopologyDocument, a: str, b: str, edits: list[Edit]) -> None:
        super().__init__(document, f"Connect {a} to {b}", edits)


class ReparentCommand(EditsCommand):
    def __init__(self, document: TopologyDocument, key: str, namespace: str | None,
                 edits: list[Edit]) -> None:
        super().__init__(document, f"Move {key} to {namespace or 'the host'}", edits)


class JoinBridgeCommand(EditsCommand):
    """An interface dropped on a host bridge's box: it becomes one of the bridge's ports."""

    def __init__(self, document: TopologyDocument, key: str, bridge: str,
                 edits: list[Edit]) -> None:
        super().__init__(document, f"Make {key} a port of {bridge}", edits)


class SetFieldCommand(EditsCommand):
    """An inspector edit of one field (or one table, such as a namespace's routes)."""

    def __init__(self, document: TopologyDocument, label: str, edits: list[Edit]) -> None:
        super().__init__(document, f"Change {label}", edits)


class RenameCommand(EditsCommand):
    def __init__(self, document: TopologyDocument, old: str, new: str, edits: list[Edit]) -> None:
        super().__init__(document, f"Rename {old} to {new}", edits)


class PasteCommand(EditsCommand):
    """The copies of what was copied (``shown``, default every key made) are selected, so
    one pasted namespace is in the inspector; undone, what was selected before
    (``before``)."""

    def __init__(self, document: TopologyDocument, keys: list[str], edits: list[Edit],
                 before: Selection = NOTHING, shown: list[str] | None = None) -> None:
        super().__init__(document, f"Paste {counted(len(keys), 'item')}", edits)
        self.keys = keys
        self.selected_after_redo = (keys if shown is None else shown, [])
        self.selected_after_undo = before


class LayoutCommand(EditsCommand):
    """Automatic layout: every position it sets, undone in one step."""

    def __init__(self, document: TopologyDocument, edits: list[Edit]) -> None:
        super().__init__(document, "Arrange automatically", edits)


class MoveCommand(EditsCommand):
    """Items dragged on the canvas. Successive moves of one drag merge into one step."""

    def __init__(self, document: TopologyDocument, drag: int, edits: list[Edit]) -> None:
        keys = sorted({str(edit.path[1]) for edit in edits})
        shown = keys[0] if len(keys) == 1 else f"{len(keys)} items"
        super().__init__(document, f"Move {shown}", edits)
        self.drag = drag
        self.keys = keys

    def id(self) -> int:
        return MOVE_COMMAND_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 (Qt override)
        if not isinstance(other, MoveCommand) or other.drag != self.drag or other.keys != self.keys:
            return False
        # The first command's inverse already restores the positions before the drag; the
        # merged command's forward edits are the latest positions.
        self._forward = other._forward
        return True


class FillCommand(EditsCommand):
    """An interface's address and its namespace's default route filled from its parent: one
    step, so one undo takes back exactly what the fill added."""

    def __init__(self, document: TopologyDocument, key: str, parent: str, what: str,
                 edits: list[Edit]) -> None:
        super().__init__(document, f"Fill {key} from {parent} ({what})", edits)
        self.key = key


class DuplicateCommand(EditsCommand):
    """A right-click Duplicate: the copy under fresh keys and free addresses, one step."""

    def __init__(self, document: TopologyDocument, key: str, keys: list[str],
                 edits: list[Edit]) -> None:
        super().__init__(document, f"Duplicate {key}", edits)
        self.keys = keys
        self.selected_after_redo = (keys[:1], [])  # the copy (of a namespace: its box)
        self.selected_after_undo = ([key], [])


class ChangeKindCommand(EditsCommand):
    """ipvlan ↔ macvlan, keeping addresses and parent (a menu entry, or a fix)."""

    def __init__(self, document: TopologyDocument, key: str, kind: str, mode: str,
                 edits: list[Edit]) -> None:
        super().__init__(document, f"Change {key} to {kind} {mode}", edits)


class FixCommand(EditsCommand):
    """A problem's or a check cell's "Apply fix": its edits as one step. The items it
    changes (``fixed``: the namespace a route was added to; none for the host's own
    settings, which the design's form shows) are selected; undone, what was selected
    before (``before``)."""

    def __init__(self, document: TopologyDocument, label: str, edits: list[Edit],
                 fixed: list[str], before: Selection = NOTHING) -> None:
        super().__init__(document, f"Fix: {label}", edits)
        self.selected_after_redo = (fixed, [])
        self.selected_after_undo = before
