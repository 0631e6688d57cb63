"""The open topology as a Qt object: the single source of truth of the designer.

The contract's ``Document`` holds the round-trip YAML tree; this wrapper adds what a window
needs around it: signals when the meaning or the layout changes, the live list of problems,
an undo stack whose clean state is the "modified" mark, and one primitive, ``apply(edits)``,
through which every change passes. ``apply`` returns the edits that undo it, so undo commands
never need to know how a change was made, and an undone edit puts the very same YAML nodes
back where they were (comments and key order included).
"""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtGui import QUndoStack
from ruamel.yaml.comments import CommentedMap, CommentedSeq

from netwright.backend.topology.document import Document, _to_tree
from netwright.backend.topology.fastload import load_nodes
from netwright.backend.topology.marks import locate_node, plain_text
from netwright.backend.topology.problems import PathPart, Problem, TopologyError
from netwright.backend.topology.yamltree import locate, parse_yaml
from netwright.gui.model.preview import quick_data
from netwright.gui.model.schema_line import moved_schema_line
from netwright.gui.model.snapshot import Snapshot, take_snapshot

READ_DELAY_MS = 150  # let the first frame of a big file be painted before reading it fully
READ_POLL_MS = 20  # how often the GUI thread looks whether the full read is done
# The most objects (namespaces and interfaces) a design may have for its problems to be
# placed by its current text after each change: 150 emit and read in ~25 ms.
PLACED_NOW_MOST = 150


class _Delete:
    """Marker value: the edit removes the key or item at its path."""

    def __repr__(self) -> str:
        return "DELETE"


DELETE: Any = _Delete()


@dataclass(frozen=True)
class Edit:
    """One change at ``path``: set ``value`` (or remove it when value is DELETE).

    ``index`` re-inserts a key at its old position in its mapping, so undo restores the key
    order of the file byte for byte.
    """

    path: tuple[PathPart, ...]
    value: Any = DELETE
    index: int | None = None


def is_layout_path(path: Sequence[PathPart]) -> bool:
    return bool(path) and path[0] == "layout"


class TopologyDocument(QObject):
    """An open topology file with undo, problems and change signals."""

    content_changed = Signal()  # the network meaning changed (problems are already updated)
    layout_changed = Signal(list)  # keys whose canvas position changed
    problems_changed = Signal(list)
    file_changed = Signal(str)  # the file name (empty for an unsaved new document)
    modified_changed = Signal(bool)
    replaced = Signal()  # a different document was loaded (New, Open)
    reading_changed = Signal(bool)  # the round-trip parse of a big (editable) file runs
    load_failed = Signal(object)  # the TopologyError of a file the round-trip read rejects
    selection_wanted = Signal(list, list)  # keys, wires: an undo step's items to select

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.undo_stack = QUndoStack(self)
        self.undo_stack.cleanChanged.connect(self._on_clean_changed)
        self._doc = Document.new("untitled")
        self._written_empty: frozenset[tuple[PathPart, ...]] = frozenset()
        # Where an unsaved text was read from (an example): its schema modeline is relative
        # to that folder until the first save gives the document a file of its own.
        self._origin = ""
        # Set by the canvas, which knows how big boxes are: the layout edits that keep the
        # boxes an applied change made taller (a port added) off their neighbours, given the
        # snapshot from before the change. Undo commands add them to their own step.
        self.make_room: Callable[[Snapshot], list[Edit]] | None = None
        self._problems: list[Problem] = []
        # Whether the tree was edited since it was read or saved: its positions (ruamel's, of
        # the text as read) then no longer say the lines of any file, and none are shown.
        self._edited = False
        # The current text and libyaml's nodes of it (``_placed_now``): None until asked
        # after a change, () when the design is too large to read it again on every change.
        self._current: tuple[str, tuple[Any, Any] | None] | tuple[()] | None = None
        self._current_tree: Any = None  # the round-trip parser's tree of it, when needed
        self._snapshot: Snapshot = take_snapshot(self._doc.tree)
        self._generation = 0
        self._reader: threading.Thread | None = None
        self._reading = False
        self._journal: list[tuple[list[Edit], list[Edit]]] | None = None
        self._read_done = threading.Event()
        self._read_holder: dict[str, object] = {}
        # The reading thread touches no Qt object (a signal emitted from it could outlive a
        # closed window and crash the event loop): timers owned by this document start it
        # and collect its result, and die with the document.
        self._read_generation = 0
        self._start_timer = QTimer(self)
        self._start_timer.setSingleShot(True)
        self._start_timer.setInterval(READ_DELAY_MS)
        self._start_timer.timeout.connect(self._start_reader)
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(READ_POLL_MS)
        self._poll_timer.timeout.connect(self._collect_reader)
        self._refresh_problems()

    def _on_clean_changed(self, clean: bool) -> None:
        self.modified_changed.emit(not clean)

    # -- files ----------------------------------------------------------------------------

    @property
    def file(self) -> str:
        return self._doc.file

    @property
    def contract(self) -> Document:
        """The contract's document (read it; change it only through ``apply``)."""
        return self._doc

    def is_modified(self) -> bool:
        return not self.undo_stack.isClean()

    def new(self, name: str = "untitled") -> None:
        self._replace(Document.new(name))

    def load_text(self, text: str, file: str = "", origin: str = "") -> None:
        """Replace the document with parsed text (raises TopologyError on a syntax error).
        ``origin``: the file an unsaved text is a copy of (an example), so that the first
        save still reaches the schema its modeline names relative to that file."""
        document = Document.from_text(text, file)
        self._replace(document)
        self._origin = origin

    def load_data(self, data: dict[str, Any]) -> None:
        """Replace the document with plain data the program made (the live host), without
        the round-trip parser: there is no text whose comments must survive."""
        self._replace(Document(tree=_to_tree(data)))

    def open(self, path: str | Path) -> None:
        """Open a file; a YAML syntax error raises TopologyError and keeps the current one."""
        self._replace(Document.from_file(path))

    def open_progressively(self, path: str | Path) -> None:
        """Open ``path``; a big file is drawn and editable from a quick read at once (see
        ``preview``) while the round-trip document is parsed in a thread (``is_reading``).

        A file the round-trip parser still rejects ends in ``load_failed`` with the contract's
        error (its problems) and an empty document.
        """
        try:
            text = Path(path).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            self.open(path)  # the contract words the error
            return
        data = quick_data(text)
        if data is None:
            self._replace(Document.from_text(text, str(path)))
            return
        if self._journal is not None:
            self._stop_reading()
        self._generation += 1
        generation = self._generation
        # Editable at once: a tree of the quick read. Edits made on it are journalled and
        # replayed onto the round-trip document when it arrives (``_adopt``).
        self._doc = Document(tree=_to_tree(data), file=str(path))
        self._note_written()
        self._journal = []
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._snapshot = take_snapshot(self._doc.tree)
        self._problems = []
        self.problems_changed.emit([])
        self.replaced.emit()
        self.file_changed.emit(str(path))
        self.modified_changed.emit(False)
        done = threading.Event()
        holder: dict[str, object] = {}

        def read() -> None:
            try:
                document = Document.from_text(text, str(path))
                result: object = (document, located_problems(document))
            except TopologyError as exc:
                result = exc
            holder["result"] = result
            done.set()

        self._read_done, self._read_holder = done, holder
        self._read_generation = generation
        self._set_reading(True)
        # Start reading once the first frame is on screen: the reader holds the GIL most of
        # the time, and painting (Python paint() calls) would wait for it.
        self._reader = threading.Thread(target=read, name="netwright-open", daemon=True)
        self._start_timer.start()

    def _start_reader(self) -> None:
        if self._reader is not None:
            self._reader.start()
            self._reader = None
            self._poll_timer.start()

    def _collect_reader(self) -> None:
        """On the GUI thread: take the reading thread's result once it is there."""
        if self._read_done.is_set():
            self._poll_timer.stop()
            self._on_parsed(self._read_generation, self._read_holder["result"])

    def is_reading(self) -> bool:
        """True while the round-trip document of a big file is still being parsed (the
        design is editable meanwhile; Problems have no line numbers until it is done)."""
        return self._journal is not None

    def finish_reading(self) -> None:
        """Wait for the round-trip document and take it (a save needs it: comments)."""
        if self._journal is None:
            return
        self._start_reader()
        self._read_done.wait()
        self._adopt(self._read_holder["result"])

    def _on_parsed(self, generation: int, result: object) -> None:
        if generation != self._generation or self._journal is None:
            return  # another file was opened meanwhile, or a save took it already
        self._adopt(result)

    def _adopt(self, result: object) -> None:
        """Swap in the round-trip document, replaying what was edited while it was read.

        Each journal entry holds the very list objects the undo commands hold; the inverse
        edits are recomputed on the round-trip tree in place, so an undo after the swap puts
        back the file's own nodes, comments included."""
        journal = self._stop_reading()
        if not isinstance(result, tuple):
            self._replace(Document.new("untitled"))
            self.load_failed.emit(result)
            return
        document, problems = result
        self._doc = document
        self._note_written()  # the file's own tree, before what was edited meanwhile
        for edits, inverse in journal:
            replayed = [self._apply_one(edit) for edit in edits]
            replayed.reverse()
            inverse[:] = replayed
        self._snapshot = take_snapshot(document.tree)
        if journal:
            self._refresh_problems()
            self.content_changed.emit()
        else:
            self._problems = list(problems)
            self.problems_changed.emit(self.problems)

    def _stop_reading(self) -> list[tuple[list[Edit], list[Edit]]]:
        journal, self._journal = self._journal or [], None
        self._generation += 1  # a result still on its way is stale now
        self._start_timer.stop()
        self._poll_timer.stop()
        self._set_reading(False)
        return journal

    def _set_reading(self, reading: bool) -> None:
        if reading != self._reading:
            self._reading = reading
            self.reading_changed.emit(reading)

    def save(self, path: str | Path | None = None) -> None:
        """Save through the contract (comments and untouched bytes survive); marks clean."""
        self.finish_reading()
        target = str(path) if path else self._doc.file
        if not target:
            raise TopologyError([Problem("error", "no-file", (), "choose a file name to save to")])
        kept = self._doc.text
        source = self._doc.file or self._origin
        if source:  # Save As elsewhere: a relative schema modeline must still reach it
            self._doc.text = moved_schema_line(kept, source, target)
        try:
            self._doc.save(target)
        except OSError as exc:
            self._doc.text = kept
            raise TopologyError([Problem(
                "error", "unwritable", (), f"cannot write {target}: {exc.strerror or exc}",
                0, 0, target,
            )]) from None
        # Read the positions again from the text just written: what was drawn or moved
        # since the file was read has its own line in the file now (a design drawn from
        # nothing had none, and every problem of it said "line 1").
        self._doc = Document.from_text(self._doc.text, self._doc.file)
        self._note_written()
        self._edited = False
        self._refresh_problems()
        self.undo_stack.setClean()
        self.file_changed.emit(self._doc.file)

    def render(self) -> str:
        """The text a save would write now."""
        self.finish_reading()
        return self._doc.render()

    def _replace(self, document: Document) -> None:
        if self._journal is not None:
            self._stop_reading()
        self._doc, self._origin = document, ""
        self._note_written()
        self._edited = False
        self.undo_stack.clear()
        self.undo_stack.setClean()
        self._snapshot = take_snapshot(self._doc.tree)
        self._refresh_problems()
        self.replaced.emit()
        self.file_changed.emit(self._doc.file)
        self.modified_changed.emit(False)

    def _note_written(self) -> None:
        """Remember the sections the file (as read or saved) writes empty (``host: {}``)."""
        self._written_empty = frozenset(_empty_sections(self._doc.tree, ()))

    def written_empty(self, path: Sequence[PathPart]) -> bool:
        """Whether the file, as last read or saved, writes ``path`` as an empty mapping or
        list: an edit that empties it again keeps it so (``host: {}`` was removed with
        the host's last chain)."""
        return tuple(path) in self._written_empty

    # -- reading --------------------------------------------------------------------------

    def get(self, path: Sequence[PathPart], default: Any = None) -> Any:
        return self._doc.get(path, default)

    @property
    def snapshot(self) -> Snapshot:
        """Plain-data view of the tree for the canvas; tolerant of invalid files."""
        return self._snapshot

    @property
    def problems(self) -> list[Problem]:
        return list(self._problems)

    def _refresh_problems(self) -> None:
        self._current = None
        self._problems = [self.placed(p) for p in located_problems(self._doc)]
        self.problems_changed.emit(self.problems)

    def placed(self, problem: Problem, at_key: bool = False) -> Problem:
        """``problem`` at its line in the text as it is now (the text a save would write).
        Once the design was edited, the tree's own positions are those of the text as read
        (stale, or none for what an edit added): the current text is read again for them
        (``_placed_now``); a design too large for that to be quick shows no line."""
        if problem.line and not self._edited:
            return problem
        if self._edited:
            line, column = self._placed_now(problem, at_key)
            return problem.located(line, column, self._doc.file)
        try:
            line, column = locate(self._doc.tree, problem.path, at_key)
        except (KeyError, TypeError, AttributeError, IndexError):
            line, column = 0, 0
        return problem.located(line, column, self._doc.file)

    def _placed_now(self, problem: Problem, at_key: bool) -> tuple[int, int]:
        """Line and column of ``problem`` in the current text, (0, 0) if unknown. The text
        is emitted and read (libyaml's marks, else the round-trip parser) once per change,
        only when there is a problem to place and the design is small enough for it to take
        a few tens of milliseconds (emitting 1,000 objects takes a quarter of a second)."""
        if self._current is None:
            self._current, self._current_tree = self._read_current(), None
        if not self._current:
            return 0, 0
        text, nodes = self._current
        if nodes is not None:
            found = locate_node(nodes[1], nodes[0], problem.path, at_key)
            if found is not None:
                return found
        try:
            if self._current_tree is None:  # what libyaml does not place as ruamel does
                self._current_tree = parse_yaml(text)[0]
            return locate(self._current_tree, problem.path, at_key)
        except (TopologyError, KeyError, TypeError, AttributeError, IndexError):
            return 0, 0

    def _read_current(self) -> tuple[str, tuple[Any, Any] | None] | tuple[()]:
        snapshot = self._snapshot
        if len(snapshot.namespaces) + len(snapshot.interfaces) > PLACED_NOW_MOST:
            return ()
        text = self._doc.render()
        return text, (load_nodes(text) if plain_text(text) else None)

    # -- editing --------------------------------------------------------------------------

    def apply(self, edits: Iterable[Edit]) -> list[Edit]:
        """Apply edits in order; return the edits that revert them (already in undo order)."""
        self._edited = True
        self._current = None  # its lines move with any edit, a layout's too
        inverse: list[Edit] = []
        layout_keys: list[str] = []
        whole_layout = False  # the layout section itself came or went (an Undo of a first move)
        content = False
        before = self._snapshot.layout
        edits = edits if isinstance(edits, list) else list(edits)
        if self._journal is not None:  # the very list objects: see _adopt
            self._journal.append((edits, inverse))
        for edit in edits:
            inverse.append(self._apply_one(edit))
            if is_layout_path(edit.path):
                if len(edit.path) > 1:
                    layout_keys.append(str(edit.path[1]))
                else:
                    whole_layout = True
            else:
                content = True
        inverse.reverse()
        self._snapshot = take_snapshot(self._doc.tree)
        if whole_layout:  # every key it held before or holds now: each may have moved
            layout_keys += sorted((set(before) | set(self._snapshot.layout)) - set(layout_keys))
        if content:
            self._refresh_problems()
            self.content_changed.emit()
        if layout_keys:
            self.layout_changed.emit(layout_keys)
        return inverse

    def trial(self, edits: Iterable[Edit]) -> list[Problem]:
        """The problems the document would have after ``edits``, without keeping them.

        The inspector uses this to refuse a value before it becomes an undo step: the edits
        are applied silently to the live tree, validated, and reverted.
        """
        inverse = [self._apply_one(edit) for edit in edits]
        try:
            return [problem for problem, _ in _raw_problems(self._doc)]
        finally:
            for edit in reversed(inverse):
                self._apply_one(edit)

    def _apply_one(self, edit: Edit) -> Edit:
        path = edit.path
        if not path:
            raise ValueError("an edit needs a path")
        missing_from = self._first_missing(path[:-1])
        if missing_from is not None:
            if edit.value is DELETE:
                return Edit(path, DELETE)  # nothing there to delete
            prefix = path[: missing_from + 1]
            holder = self._doc.get(prefix[:-1])
            old, position = DELETE, None
            if isinstance(holder, dict) and prefix[-1] in holder:  # present but null
                old, position = holder[prefix[-1]], list(holder).index(prefix[-1])
            self._doc.set(path, _to_node(edit.value))
            if position is None and len(prefix) == 1:
                self._before_layout(prefix[0])
            return Edit(prefix, old, position)
        container = self._doc.get(path[:-1])
        key = path[-1]
        if isinstance(container, dict):
            return self._apply_in_mapping(container, path, edit)
        if isinstance(container, list) and isinstance(key, int):
            return self._apply_in_sequence(container, path, edit)
        raise ValueError(f"cannot edit {path!r}: its container is not a mapping or a list")

    def _before_layout(self, section: PathPart) -> None:
        """A top-level section just made (the first namespace drawn after a bridge) goes
        before ``layout``, so the file says what the network is and then how it is drawn; it
        went after it, the positions in the middle of the network's meaning."""
        tree = self._doc.tree
        if section == "layout" or not isinstance(tree, CommentedMap) or "layout" not in tree:
            return
        value = tree.pop(section)
        tree.insert(list(tree).index("layout"), section, value)

    def _first_missing(self, path: Sequence[PathPart]) -> int | None:
        node = self._doc.tree
        for depth, part in enumerate(path):
            present = (isinstance(node, dict) and node.get(part) is not None) or (
                isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
            )
            if not present:
                return depth
            node = node[part]
        return None

    @staticmethod
    def _apply_in_mapping(
        container: dict[Any, Any], path: tuple[PathPart, ...], edit: Edit
    ) -> Edit:
        key = path[-1]
        keys = list(container)
        if key in container:
            old, position = container[key], keys.index(key)
            if edit.value is DELETE:
                del container[key]
            else:
                container[key] = _styled_like(old, edit.value)
            return Edit(path, old, position)
        if edit.value is DELETE:
            return Edit(path, DELETE)
        value = _to_node(edit.value)
        if isinstance(container, CommentedMap) and edit.index is not None:
            container.insert(min(edit.index, len(keys)), key, value)
        else:
            if isinstance(container, CommentedMap) and not keys:
                container.fa.set_block_style()
            container[key] = value
        return Edit(path, DELETE)

    @staticmethod
    def _apply_in_sequence(container: list[Any], path: tuple[PathPart, ...], edit: Edit) -> Edit:
        index = int(path[-1])
        if edit.value is DELETE:
            if not 0 <= index < len(container):
                return Edit(path, DELETE)
            comment = _item_comment(container, index)
            old = container.pop(index)
            if comment is not None and isinstance(old, CommentedMap | CommentedSeq):
                old._netwright_comment = comment  # type: ignore[union-attr]
            return Edit(path, old, index)
        if edit.index is not None or index >= len(container):
            at = min(index, len(container))
            node = _to_node(edit.value)
            container.insert(at, node)
            comment = getattr(node, "_netwright_comment", None)
            if comment is not None and isinstance(container, CommentedSeq):
                container.ca.items[at] = comment  # an item taken out comes back with its comment
            return Edit(path, DELETE)
        old = container[index]
        container[index] = _styled_like(old, edit.value)
        # put back in its place, not inserted beside what replaced it: an inverse with an
        # index inserts, and a trial or an undo of a NAT entry's new type left both entries
        return Edit(path, old)


def _item_comment(container: list[Any], index: int) -> Any:
    """The comment ruamel keeps for a sequence item on the sequence itself (``- {…}  # ssh``):
    it travels with the item when the item is taken out and put back (a move, an undo)."""
    if isinstance(container, CommentedSeq):
        return container.ca.items.get(index)
    return None


def _empty_sections(node: Any, path: tuple[PathPart, ...]) -> Iterable[tuple[PathPart, ...]]:
    """The paths of the empty mappings and lists in ``node``."""
    if isinstance(node, dict):
        items: Iterable[tuple[PathPart, Any]] = node.items()
    elif isinstance(node, list):
        items = enumerate(node)
    else:
        return
    if not node and path:
        yield path
    for key, value in items:
        if isinstance(value, dict | list):
            yield from _empty_sections(value, (*path, key))


def located_problems(document: Document) -> list[Problem]:
    """``Document.problems()``, tolerant of nodes the GUI added since the file was read.

    The contract's ``locate`` raises KeyError for a key that has no line information yet
    (added by an edit, not read from the text); such problems get line 0 ("unknown") here
    instead of crashing the window. Reported to the contract's owner.
    """
    located: list[Problem] = []
    for problem, at_key in _raw_problems(document):
        try:
            line, column = locate(document.tree, problem.path, at_key)
        except (KeyError, TypeError, AttributeError, IndexError):
            line, column = 0, 0
        located.append(problem.located(line, column, document.file))
    return located


def _raw_problems(document: Document) -> list[tuple[Problem, bool]]:
    try:
        return document._raw_problems()
    except TopologyError as exc:
        return [(p, False) for p in exc.problems]


def _to_node(value: Any) -> Any:
    """Plain dicts and lists become round-trip nodes; small leaf mappings stay on one line."""
    if isinstance(value, CommentedMap | CommentedSeq):
        return value
    if isinstance(value, dict):
        node = CommentedMap()
        for key, item in value.items():
            node[key] = _to_node(item)
        if all(not isinstance(v, dict | list) for v in value.values()):
            node.fa.set_flow_style()
        return node
    if isinstance(value, list | tuple):
        seq = CommentedSeq()
        seq.extend(_to_node(item) for item in value)
        if all(not isinstance(v, dict | list) for v in value):
            seq.fa.set_flow_style()
        return seq
    return value


def _styled_like(old: Any, value: Any) -> Any:
    """A replacement keeps the flow or block style of the node it replaces."""
    node = _to_node(value)
    if node is value:
        return node
    old_flow = getattr(getattr(old, "fa", None), "flow_style", lambda: None)()
    if isinstance(node, CommentedMap | CommentedSeq) and old_flow is not None:
        with contextlib.suppress(AttributeError):
            if old_flow:
                node.fa.set_flow_style()
            else:
                node.fa.set_block_style()
    return node
