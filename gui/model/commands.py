"""One QUndoCommand per user action (Qt's undoframework pattern).

Each command is built with the edits its action makes (see ``edits``) and only ever
``push()``ed: ``redo()`` does the first execution too. The document returns the inverse of
every application, so ``undo()`` is the same code as ``redo()`` run with the inverse edits.
Moves merge (``id()``/``mergeWith()``) while they belong to one drag, so a drag is one step.
"""

from __future__ import annotations

from PySide6.QtGui import QUndoCommand

from netwright.gui.model.document import Edit, TopologyDocument

MOVE_COMMAND_ID = 0x4E57  # "NW"


class EditsCommand(QUndoCommand):
    """Applies a list of edits; undo applies their inverse."""

    def __init__(self, document: TopologyDocument, text: str, edits: list[Edit]) -> None:
        super().__init__(text)
        self.document = document
        self._forward = list(edits)
        self._backward: list[Edit] = []

    def redo(self) -> None:
        self._backward = self.document.apply(self._forward)

    def undo(self) -> None:
        self._forward = self.document.apply(self._backward)

    def edit_count(self) -> int:
        return len(self._forward)


class CreateCommand(EditsCommand):
    """A palette item dropped on the canvas (a veth pair is one command)."""

    def __init__(self, document: TopologyDocument, kind: str, keys: list[str],
                 edits: list[Edit]) -> None:
        label = "veth pair" if kind == "veth" else kind
        super().__init__(document, f"Create {label} {', '.join(keys)}", edits)
        self.keys = keys


class DeleteCommand(EditsCommand):
    def __init__(self, document: TopologyDocument, names: list[str], edits: list[Edit]) -> None:
        shown = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
        super().__init__(document, f"Delete {shown}", edits)


class WireCommand(EditsCommand):
    def __init__(self, document: TopologyDocument, a: str, b: str, edits: list[Edit]) -> None:
        super().__init__(document, f"Connect {a} to {b}", edits)


class ReparentCommand(EditsCommand):
    def __init__(self, document: TopologyDocument, key: str, namespace: str | None,
                 edits: list[Edit]) -> None:
        super().__init__(document, f"Move {key} to {namespace or 'the host'}", edits)


class SetFieldCommand(EditsCommand):
    """An inspector edit of one field (or one table, such as a namespace's routes)."""

    def __init__(self, document: TopologyDocument, label: str, edits: list[Edit]) -> None:
        super().__init__(document, f"Change {label}", edits)


class RenameCommand(EditsCommand):
    def __init__(self, document: TopologyDocument, old: str, new: str, edits: list[Edit]) -> None:
        super().__init__(document, f"Rename {old} to {new}", edits)


class PasteCommand(EditsCommand):
    def __init__(self, document: TopologyDocument, keys: list[str], edits: list[Edit]) -> None:
        super().__init__(document, f"Paste {len(keys)} item{'s' if len(keys) != 1 else ''}", edits)
        self.keys = keys


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


class ChangeKindCommand(EditsCommand):
    """ipvlan ↔ macvlan, keeping addresses and parent (a menu entry, or a fix)."""

    def __init__(self, document: TopologyDocument, key: str, kind: str, mode: str,
                 edits: list[Edit]) -> None:
        super().__init__(document, f"Change {key} to {kind} {mode}", edits)


class FixCommand(EditsCommand):
    """A problem's or a check cell's "Apply fix": its edits as one step."""

    def __init__(self, document: TopologyDocument, label: str, edits: list[Edit]) -> None:
        super().__init__(document, f"Fix: {label}", edits)
