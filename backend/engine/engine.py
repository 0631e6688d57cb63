"""The engine: observe the kernel, plan, apply with rollback, destroy, report status."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from pathlib import Path

from netwright.backend.engine.results import ApplyResult, Deployment, Plan, Status
from netwright.backend.engine.target import Target
from netwright.backend.topology.model import Topology

DEFAULT_STATE_DIR = Path("/var/lib/netwright")

Progress = Callable[[int, int, str], None]
"""progress(done, total, text): called after each batch of steps."""


def default_state_dir() -> Path:
    """``$NETWRIGHT_STATE_DIR`` if set, else /var/lib/netwright."""
    return Path(os.environ.get("NETWRIGHT_STATE_DIR") or DEFAULT_STATE_DIR)


class Engine:
    """Applies topologies to one target, recording ownership under ``state_dir``."""

    def __init__(self, state_dir: Path, target: Target) -> None:
        self.state_dir = Path(state_dir)
        self.target = target

    async def plan(self, topology: Topology) -> Plan:
        raise NotImplementedError

    async def apply(self, topology: Topology, *, progress: Progress | None = None,
                    cancel: asyncio.Event | None = None) -> ApplyResult:
        raise NotImplementedError

    async def destroy(self, name: str, *, progress: Progress | None = None,
                      cancel: asyncio.Event | None = None) -> ApplyResult:
        raise NotImplementedError

    async def status(self, name_or_topology: str | Topology) -> Status:
        raise NotImplementedError

    async def deployments(self) -> list[str]:
        raise NotImplementedError

    async def deployment(self, name: str) -> Deployment:
        raise NotImplementedError

    async def recover(self) -> list[str]:
        raise NotImplementedError
