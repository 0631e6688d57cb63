"""A stand-in backend process for the crash tests: start the clients, report, wait to be killed.

Usage: backend_child.py STATE_DIR TOPOLOGY_FILE
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path

from netwright.backend.dhcp import DhcpClients
from netwright.backend.engine import Target
from netwright.backend.topology import parse_topology


def main() -> None:
    state_dir, topology_file = Path(sys.argv[1]), Path(sys.argv[2])
    topology = parse_topology(topology_file.read_text())
    clients = DhcpClients(state_dir, Target.lab())
    clients.start(topology)
    leases = asyncio.run(clients.wait_for_leases(topology, 15))
    print("leased " + " ".join(sorted(leases)), flush=True)
    time.sleep(600)


if __name__ == "__main__":
    main()
