"""Run an apply or destroy that stops dead at step K, for the crash tests to kill -9.

    python crash_child.py apply|destroy|apply-unmarked STATE_DIR TOPOLOGY_FILE K READY_FILE [USER]

At step K it writes READY_FILE (the text of the step) and sleeps; the test then kills it
with SIGKILL, so nothing in this process gets to clean up. ``apply-unmarked`` stops instead
right after the kernel created the first batch of links and before they are marked (their
alias is set by a second message): the window a crash leaves unmarked links in. ``USER``:
who applies or destroys (the source, as the CLI and netwrightd give it; none by default).
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from netwright.backend.engine import Engine, Step, Target
from netwright.backend.outcomes.provenance import applied_now
from netwright.backend.topology import load_topology


def main() -> None:
    operation, state_dir, topology_file, k, ready = sys.argv[1:6]
    stop_at = int(k)
    user = sys.argv[6] if len(sys.argv) > 6 else None

    def fault(index: int, step: Step) -> None:
        if index == stop_at:
            Path(ready).write_text(step.text)
            time.sleep(3600)

    if operation == "apply-unmarked":
        from netwright.backend.engine import ops

        def stall(self: ops.LinkCreate, kernel: object) -> list[object]:
            Path(ready).write_text("created, not marked")
            time.sleep(3600)
            return []

        ops.LinkCreate.followups = stall  # type: ignore[assignment,method-assign]
        operation = "apply"
    engine = Engine(Path(state_dir), Target.host(), fault=fault if stop_at >= 0 else None)
    topology = load_topology(topology_file)[1]
    if operation == "apply":
        source = applied_now(str(Path(topology_file).resolve()), user) if user else None
        asyncio.run(engine.apply(topology, source=source))
    else:
        asyncio.run(engine.destroy(topology.name,
                                   source=applied_now("", user) if user else None))
    Path(ready).write_text("finished")


if __name__ == "__main__":
    main()
