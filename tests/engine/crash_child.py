"""Run an apply or destroy that stops dead at step K, for the crash tests to kill -9.

    python crash_child.py apply|destroy STATE_DIR TOPOLOGY_FILE K READY_FILE

At step K it writes READY_FILE (the text of the step) and sleeps; the test then kills it
with SIGKILL, so nothing in this process gets to clean up.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from netwright.backend.engine import Engine, Step, Target
from netwright.backend.topology import load_topology


def main() -> None:
    operation, state_dir, topology_file, k, ready = sys.argv[1:6]
    stop_at = int(k)

    def fault(index: int, step: Step) -> None:
        if index == stop_at:
            Path(ready).write_text(step.text)
            time.sleep(3600)

    engine = Engine(Path(state_dir), Target.host(), fault=fault)
    topology = load_topology(topology_file)[1]
    if operation == "apply":
        asyncio.run(engine.apply(topology))
    else:
        asyncio.run(engine.destroy(topology.name))
    Path(ready).write_text("finished")


if __name__ == "__main__":
    main()
