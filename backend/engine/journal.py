"""The journal: intent written (and fsynced) before each batch of steps runs.

One file per running apply/destroy, ``<topology>.journal`` next to the state file. Its first
line says what to return to if the process dies (the previous topology for an apply, nothing
for a destroy); the following lines are the intents, for people reading a post-mortem, and
the links each batch creates: the kernel takes a new link's group in the create message but
its alias (our marker) only in a second one, so after a crash in between only this record
says that an unmarked link was ours (``observe.owns``). The file is removed when the
operation finished (or was rolled back). Finding one at start means an operation was
interrupted: recovery converges back to the recorded goal, appending what it creates.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

Where = str | None  # as netwright.backend.engine.desired.Where (no import: a leaf module)


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class Journal:
    def __init__(self, path: Path, fd: int) -> None:
        self.path = path
        self._fd = fd
        self.creates: set[tuple[Where, str]] = set()
        """(where, name) of every link this operation (or the one it resumes) created."""
        self._syncing: threading.Thread | None = None
        self._sync_error: OSError | None = None

    @classmethod
    def begin(cls, path: Path, header: dict[str, Any]) -> Journal:
        """Create the journal with its header. The header is durable (the file and its
        directory fsynced) before the first ``intent`` returns, which is before the first
        step runs; the syncs run in a helper thread meanwhile, so the observation and the
        plan before that step do not wait for the disk."""
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        journal = cls(path, fd)
        journal._write(header, durable=False)
        journal._syncing = threading.Thread(target=journal._sync_header,
                                            name="netwright-journal")
        journal._syncing.start()
        return journal

    def _sync_header(self) -> None:
        try:
            os.fsync(self._fd)
            _fsync_dir(self.path.parent)
        except OSError as exc:
            self._sync_error = exc

    def durable(self) -> None:
        """Wait until the header is on disk (raises the sync's error, if any)."""
        if self._syncing is not None:
            self._syncing.join()
            self._syncing = None
            if self._sync_error is not None:
                raise self._sync_error

    @classmethod
    def resume(cls, path: Path) -> Journal:
        """Continue the journal of an interrupted operation (recovery): what it created is
        known, and what recovery creates is appended."""
        records = _records(path)
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CLOEXEC)
        journal = cls(path, fd)
        if path.stat().st_size and not path.read_bytes().endswith(b"\n"):
            os.write(fd, b"\n")  # a record torn by the crash stays a line of its own
        for record in records:
            journal.creates.update(_creates(record))
        return journal

    def _write(self, record: dict[str, Any], *, durable: bool = True) -> None:
        if durable:
            self.durable()
        os.write(self._fd, (json.dumps(record, separators=(",", ":")) + "\n").encode())
        if durable:
            os.fsync(self._fd)

    def intent(self, texts: list[str], creates: Iterable[tuple[Where, str]] = ()) -> None:
        """Before a batch runs: its steps, and the links it creates.

        Only the header and the creates decide a recovery, so only a record with creates
        is fsynced before its batch runs; the texts alone are for people (a destroy, which
        creates nothing, then costs no fsync per batch)."""
        made = sorted(set(creates), key=lambda c: (c[0] or "", c[1]))
        self.creates.update(made)
        self.durable()  # the header first, whatever this record is
        self._write({"intent": texts, **({"creates": made} if made else {})},
                    durable=bool(made))

    def close(self) -> None:
        """Stop writing, leaving the journal for the next recovery."""
        if self._syncing is not None:
            self._syncing.join()
        os.close(self._fd)

    def finish(self) -> None:
        """The operation is complete (or fully rolled back): remove the journal.

        The removal is not fsynced: a journal that comes back after a crash only makes the
        next start converge once more to where the kernel already is (recovery is
        idempotent, and a committed apply is recognised by its generation)."""
        if self._syncing is not None:
            self._syncing.join()
        os.close(self._fd)
        self.path.unlink(missing_ok=True)


def _records(path: Path) -> list[dict[str, Any]]:
    """Every whole record of a journal (a torn last line is skipped: its batch never ran)."""
    out: list[dict[str, Any]] = []
    try:
        lines = path.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return out
    for line in lines:
        try:
            record = json.loads(line)
        except ValueError:
            continue
        if isinstance(record, dict):
            out.append(record)
    return out


def _creates(record: dict[str, Any]) -> set[tuple[Where, str]]:
    out: set[tuple[Where, str]] = set()
    for entry in record.get("creates") or []:
        if (isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], str)
                and (entry[0] is None or isinstance(entry[0], str))):
            out.add((entry[0], entry[1]))
    return out


def read_header(path: Path) -> dict[str, Any] | None:
    """The first record of a journal, or None if it is empty or torn (nothing ran then)."""
    try:
        with path.open(encoding="utf-8") as handle:
            first = handle.readline()
        header = json.loads(first)
    except (OSError, ValueError):
        return None
    return header if isinstance(header, dict) else None
