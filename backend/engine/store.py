"""State files, journals and locks of the deployments on one target.

``<state_dir>/<target.key>/<topology>.json`` records what is deployed (the topology as
applied, the generation of the apply that wrote it, and its source: file, user, host, time;
files from before sources were recorded have none, read as unknown); ``.journal`` marks an
operation in progress; ``.trial`` a change awaiting confirmation, ``.ended`` how the last one
ended undone (until the next apply or destroy of the name); ``.lock`` is flock'ed by
whoever applies or destroys that topology, and exists only while it does (so a name that is
not deployed leaves nothing behind, not even after a destroy of a topology that never existed).
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from netwright.backend.clipped import clipped
from netwright.backend.engine.target import Target
from netwright.backend.outcomes.errors import BusyError, NotDeployed
from netwright.backend.outcomes.provenance import Provenance
from netwright.backend.record import record
from netwright.backend.topology.fields import check_identifier
from netwright.backend.topology.model import Topology
from netwright.backend.topology.source import atomic_write


def topology_json(topology: Topology) -> dict[str, Any]:
    return topology.model_dump(mode="json", by_alias=True, exclude_none=True)


@record(frozen=True)
class Record:
    topology: Topology
    generation: str
    source: Provenance | None = None


#: Validated records kept for the whole process (netwrightd makes a new Engine, so a new
#: Store, for every call): the same file (path, inode, mtime, size) is validated once.
KEEP_RECORDS = 32


class _Records:
    """Records by the identity of the file they were read from, shared by every Store."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.by_file: OrderedDict[tuple[str, int, int, int], Record] = OrderedDict()

    def get(self, key: tuple[str, int, int, int]) -> Record | None:
        with self.lock:
            return self.by_file.get(key)

    def put(self, key: tuple[str, int, int, int], record: Record) -> None:
        with self.lock:
            self.by_file[key] = record
            self.by_file.move_to_end(key)
            while len(self.by_file) > KEEP_RECORDS:
                self.by_file.popitem(last=False)


_RECORDS = _Records()


class Store:
    def __init__(self, state_dir: Path, target: Target) -> None:
        self.dir = Path(state_dir) / target.key
        self._held: set[str] = set()

    def ensure(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def _path(self, name: str, suffix: str) -> Path:
        """The file ``<name><suffix>``; a name outside the topology name grammar (a caller's
        "../x", a name ending in a newline) never becomes a path."""
        try:
            check_identifier(name)
        except ValueError:
            raise NotDeployed(f"{clipped(name)!r} is not a valid topology name, so no topology of"
                              " that name is deployed") from None
        return self.dir / f"{name}{suffix}"

    def state_path(self, name: str) -> Path:
        return self._path(name, ".json")

    def journal_path(self, name: str) -> Path:
        return self._path(name, ".journal")

    def trial_path(self, name: str) -> Path:
        return self._path(name, ".trial")

    def ended_path(self, name: str) -> Path:
        return self._path(name, ".ended")

    def lock_path(self, name: str) -> Path:
        return self._path(name, ".lock")

    def load(self, name: str) -> Record | None:
        """The deployment's record; the same file (path, inode, mtime, size: ``save`` always
        writes a new inode) is validated once per process, not at every look."""
        path = self.state_path(name)
        try:
            with path.open("rb") as handle:
                info = os.fstat(handle.fileno())
                key = (str(path), info.st_ino, info.st_mtime_ns, info.st_size)
                cached = _RECORDS.get(key)
                if cached is not None:
                    return cached
                data = json.loads(handle.read().decode("utf-8"))
        except FileNotFoundError:
            return None
        record = Record(Topology.model_validate(data["topology"]),
                        str(data.get("generation", "")), Provenance.from_json(data.get("source")))
        _RECORDS.put(key, record)
        return record

    def save(self, topology: Topology, generation: str,
             source: Provenance | None = None) -> None:
        self.ensure()
        data: dict[str, Any] = {"topology": topology_json(topology), "generation": generation}
        if source is not None:
            data["source"] = source.to_json()
        path = self.state_path(topology.name)
        atomic_write(path, json.dumps(data, indent=1) + "\n")
        info = path.stat()  # what was just written needs no validation when read back
        _RECORDS.put((str(path), info.st_ino, info.st_mtime_ns, info.st_size),
                     Record(topology, generation, source))

    def remove(self, name: str) -> None:
        self.state_path(name).unlink(missing_ok=True)
        self.origins_path(name).unlink(missing_ok=True)

    def origins_path(self, name: str) -> Path:
        return self._path(name, ".origins")

    def load_origins(self, name: str) -> dict[str, str]:
        """Host settings as they were before the topology first changed them (by key)."""
        try:
            data = json.loads(self.origins_path(name).read_text(encoding="utf-8"))
        except (FileNotFoundError, ValueError):
            return {}
        return {str(k): str(v) for k, v in data.items()} if isinstance(data, dict) else {}

    def record_origins(self, name: str, values: dict[str, str]) -> None:
        """Record values of keys not recorded yet (written and fsync'd before the change)."""
        origins = self.load_origins(name)
        fresh = {k: v for k, v in values.items() if k not in origins}
        if fresh:
            self.ensure()
            atomic_write(self.origins_path(name), json.dumps(origins | fresh, indent=1) + "\n")

    def forget_origins(self, name: str, keys: set[str]) -> None:
        origins = self.load_origins(name)
        kept = {k: v for k, v in origins.items() if k not in keys}
        if kept == origins:
            return
        if kept:
            atomic_write(self.origins_path(name), json.dumps(kept, indent=1) + "\n")
        else:
            self.origins_path(name).unlink(missing_ok=True)

    def _stems(self, suffix: str) -> list[str]:
        """Names with a ``<name><suffix>`` file; files whose name no topology can have (left
        by hand, or by a version that let "nl\\n" through) are not deployments."""
        if not self.dir.is_dir():
            return []
        return sorted(p.stem for p in self.dir.glob(f"*{suffix}") if _valid(p.stem))

    def names(self) -> list[str]:
        return self._stems(".json")

    def saved_at(self, name: str) -> float | None:
        """When the deployment of ``name`` was last recorded (Unix time; None: not deployed)."""
        try:
            return self.state_path(name).stat().st_mtime
        except OSError:
            return None

    def journals(self) -> list[str]:
        return self._stems(".journal")

    def trials(self) -> list[str]:
        """Topologies whose last apply awaits confirmation (netwright.backend.engine.trial)."""
        return self._stems(".trial")

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Exclusive per topology; BusyError at once if someone else holds it.

        Re-entrant within this Store: an apply holds it across its NetworkManager part and
        its own, and a revert holds it across the apply of the previous design. The lock file
        is removed on release, still locked (see ``_acquire`` for why that is safe).
        """
        if name in self._held:
            yield
            return
        path = self.lock_path(name)
        self.ensure()
        fd = _acquire(path, name)
        self._held.add(name)
        try:
            yield
        finally:
            self._held.discard(name)
            try:
                path.unlink(missing_ok=True)
            finally:
                os.close(fd)

    def refuse_if_changing(self, name: str) -> None:
        """BusyError if an apply or destroy of ``name`` runs right now (in another process,
        or another job of this daemon): its journal is there and its lock is held. What the
        kernel holds meanwhile is half made, so nothing read from it says anything yet (a
        link it created and has not marked looks like someone else's)."""
        if name in self._held or not self.journal_path(name).exists():
            return
        with self.lock(name):  # BusyError while it runs; a crashed one is recover()'s
            pass

    def remove_stale_locks(self) -> None:
        """Remove lock files nobody holds (left by versions that kept one per name ever
        used); one held by a running apply or destroy stays."""
        if not self.dir.is_dir():
            return
        for path in self.dir.glob("*.lock"):
            if not _valid(path.stem):
                continue
            try:
                with self.lock(path.stem):
                    pass
            except BusyError:
                continue


def _valid(name: str) -> bool:
    try:
        check_identifier(name)
    except ValueError:
        return False
    return True


def _acquire(path: Path, name: str) -> int:
    """flock ``path`` without waiting; the locked descriptor.

    The holder removes the file when it releases, so the file this process opened may have
    been unlinked between its open and its flock: then the lock it got guards nothing, and
    it tries again on the file that is at ``path`` now (created afresh if none).
    """
    while True:
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            raise BusyError(
                f"topology {name} is being applied or destroyed by another process;"
                " wait for it to finish and try again") from None
        try:
            held, current = os.fstat(fd), os.stat(path)
            if (held.st_dev, held.st_ino) == (current.st_dev, current.st_ino):
                return fd
        except FileNotFoundError:
            pass
        os.close(fd)
