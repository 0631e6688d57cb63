"""examples/persistent-bridge.yaml, applied as written, on a host run by a real NetworkManager.

``persist: true`` on the bridge makes it a NetworkManager profile (the keyfile is what survives
a reboot); the veth into the namespace stays runtime and is plugged into NetworkManager's
bridge. Read back from the keyfile, the kernel and nmcli; destroy leaves no profile behind.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from designs import netwright_profiles
from nm_harness import Harness

from netwright.backend.engine import Engine
from netwright.backend.topology import load_topology

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "persistent-bridge.yaml"


async def test_the_persistent_bridge_example(harness: Harness, engine: Engine) -> None:
    _document, topology = load_topology(EXAMPLE)
    assert [key for key, link in topology.interfaces.items() if link.persist] == ["br-lab"]

    await engine.apply(topology)
    keyfile = harness.nm.keyfile_dir / "netwright-lab-bridge-br-lab.nmconnection"
    assert "10.60.0.1/24" in keyfile.read_text()
    harness.nm.wait_for(lambda: harness.nm.device_state("br-lab") == "connected", "br-lab up")
    assert harness.nm.addresses("br-lab") == ["10.60.0.1/24"]
    assert harness.nm.links()["app-host"].get("master") == "br-lab"
    assert harness.nm.device_state("app-host") == "unmanaged"  # the runtime part stays ours
    ping = subprocess.run(["ip", "netns", "exec", "nme-app", "ping", "-c1", "-W2", "10.60.0.1"],
                          capture_output=True, text=True, check=False, timeout=30)
    assert ping.returncode == 0, ping.stdout + ping.stderr
    assert (await engine.plan(topology)).empty

    await engine.destroy("lab-bridge")
    assert not keyfile.exists()
    assert "br-lab" not in harness.nm.links()
    assert netwright_profiles(harness) == []
