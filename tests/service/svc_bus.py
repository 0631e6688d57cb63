"""The service tests' private system bus (tests/tools/private_bus.py), with the project's
bus policy from packaging/dbus (the .deb test points PROJECT_POLICY at the installed copy)."""

from __future__ import annotations

from pathlib import Path

from svc_processes import Started, start, wait_until

from tests.tools.private_bus import name_has_owner, write_system_bus_config

__all__ = ["PROJECT_POLICY", "name_has_owner", "start_system_bus"]

REPO = Path(__file__).resolve().parents[2]
PROJECT_POLICY = REPO / "packaging" / "dbus" / "io.netwright.Backend1.conf"


def start_system_bus(run_dir: Path) -> tuple[Started, str]:
    """Start dbus-daemon on ``run_dir/system_bus_socket``; return it and its address."""
    config, socket = write_system_bus_config(run_dir, PROJECT_POLICY)
    bus = start("dbus-daemon", ["dbus-daemon", f"--config-file={config}", "--nofork",
                                "--nopidfile"], run_dir)
    address = f"unix:path={socket}"
    wait_until(socket.exists, 10, "the bus socket", bus)
    return bus, address
