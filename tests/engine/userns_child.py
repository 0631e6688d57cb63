"""The engine as "root" of an unprivileged user + network + mount namespace (the lab daemon).

Run by test_userns.py as: unshare --user --map-root-user --net --mount python userns_child.py
STATE_DIR SEED_FILE. Builds the lab, applies the seed, probes, destroys; prints one JSON line.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

from netwright.backend.engine import Engine, Target
from netwright.backend.lab import LAB_OUTSIDE_ADDRESS, build_lab, destroy_lab
from netwright.backend.topology import load_topology


def ping(netns: str, address: str) -> bool:
    return subprocess.run(["ip", "netns", "exec", netns, "ping", "-c1", "-W1", address],
                          capture_output=True, check=False).returncode == 0


async def main() -> dict[str, object]:
    state_dir, seed_file = Path(sys.argv[1]), sys.argv[2]
    seed = load_topology(seed_file)[1]
    await build_lab(seed, state_dir=state_dir)
    engine = Engine(state_dir, Target.lab())
    await engine.apply(seed)
    second_plan = await engine.plan(seed)
    status = await engine.status("seed")
    result = {
        "netns": sorted(p.name for p in Path("/run/netns").iterdir()),
        "child_to_child": ping("lab-net1", "192.168.31.6"),
        "child_to_gateway": ping("lab-net1", "192.168.31.1"),
        "host_to_outside": ping("nwlab-host", LAB_OUTSIDE_ADDRESS),
        "second_plan_empty": second_plan.empty,
        "status_ok": status.ok,
    }
    await destroy_lab(state_dir=state_dir)
    result["after_destroy"] = sorted(p.name for p in Path("/run/netns").iterdir())
    return result


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main())))
