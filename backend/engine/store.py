"""State files, journals and locks of the deployments on one target.

``<state_dir>/<target.key>/<topology>.json`` records what is deployed (the topology as
applied, and the generation of the apply that wrote it); ``.journal`` marks an operation in
progress; ``.trial`` a change awaiting confirmation; ``.lock`` is flock'ed by whoever applies
or destroys that topology.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from netwright.backend.engine.target import Target
from netwright.backend.outcomes.errors import BusyError
from netwright.backend.topology.document import atomic_write
from netwright.backend.topology.model import Topology


def topology_json(topology: Topology) -> dict[str, Any]:
    return topology.model_dump(mode="json", by_alias=True, exclude_none=True)


@dataclass(frozen=True)
class Record:
    topology: Topology
    generation: str


class Store:
    def __init__(self, state_dir: Path, target: Target) -> None:
        self.dir = Path(state_dir) / target.key
        self._held: set[str] = set()

    def ensure(self) -> None:
        self.dir.mkdir(parents=True, exist_ok=True, mode=0o700)

    def state_path(self, name: str) -> Path:
        return self.dir / f"{name}.json"

    def journal_path(self, name: str) -> Path:
        return self.dir / f"{name}.journal"

    def trial_path(self, name: str) -> Path:
        return self.dir / f"{name}.trial"

    def load(self, name: str) -> Record | None:
        try:
            data = json.loads(self.state_path(name).read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        return Record(Topology.model_validate(data["topology"]), str(data.get("generation", "")))

    def save(self, topology: Topology, generation: str) -> None:
        self.ensure()
        text = json.dumps({"topology": topology_json(topology), "generation": generation},
                          indent=1)
        atomic_write(self.state_path(topology.name), text + "\n")

    def remove(self, name: str) -> None:
        self.state_path(name).unlink(missing_ok=True)

    def names(self) -> list[str]:
        if not self.dir.is_dir():
            return []
        return sorted(p.stem for p in self.dir.glob("*.json"))

    def journals(self) -> list[str]:
        if not self.dir.is_dir():
            return []
        return sorted(p.stem for p in self.dir.glob("*.journal"))

    def trials(self) -> list[str]:
        """Topologies whose last apply awaits confirmation (netwright.backend.engine.trial)."""
        if not self.dir.is_dir():
            return []
        return sorted(p.stem for p in self.dir.glob("*.trial"))

    @contextlib.contextmanager
    def lock(self, name: str) -> Iterator[None]:
        """Exclusive per topology; BusyError at once if someone else holds it.

        Re-entrant within this Store: an apply holds it across its NetworkManager part and
        its own, and a revert holds it across the apply of the previous design.
        """
        if name in self._held:
            yield
            return
        self.ensure()
        fd = os.open(self.dir / f"{name}.lock", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise BusyError(
                    f"topology {name} is being applied or destroyed by another process;"
                    " wait for it to finish and try again") from None
            self._held.add(name)
            try:
                yield
            finally:
                self._held.discard(name)
        finally:
            os.close(fd)
