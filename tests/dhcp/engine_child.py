"""A backend process for the crash test: apply a topology with the real engine (its DHCP
clients start and take leases), report, then wait to be killed with SIGKILL.

Usage: engine_child.py STATE_DIR TOPOLOGY_FILE
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from netwright.backend.engine import Engine, Target
from netwright.backend.topology import parse_topology


def main() -> None:
    state_dir, topology_file = Path(sys.argv[1]), Path(sys.argv[2])
    topology = parse_topology(topology_file.read_text())
    engine = Engine(state_dir, Target.lab())
    asyncio.run(engine.apply(topology))
    print("leased " + " ".join(sorted(engine.dhcp.leases(topology.name))), flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main()
