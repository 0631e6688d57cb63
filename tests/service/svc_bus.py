"""A private system bus for the tests, configured like Debian's plus the project's policy.

The config repeats the default-deny policy of /usr/share/dbus-1/system.conf, includes the
distribution's system.d (polkitd's own bus policy comes from there) and a private directory
holding a copy of packaging/dbus/io.netwright.Backend1.conf, so the tests exercise the file
that ships. The machine's own system bus socket is never used.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from svc_processes import Started, start, wait_until

REPO = Path(__file__).resolve().parents[2]
PROJECT_POLICY = REPO / "packaging" / "dbus" / "io.netwright.Backend1.conf"

_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <auth>EXTERNAL</auth>
  <listen>unix:path={socket}</listen>
  <policy context="default">
    <allow user="*"/>
    <deny own="*"/>
    <deny send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Introspectable"/>
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Properties"/>
    <deny send_destination="org.freedesktop.DBus" send_interface="org.freedesktop.DBus"
          send_member="UpdateActivationEnvironment"/>
  </policy>
  <policy user="root">
    <allow send_destination="org.freedesktop.DBus"
           send_interface="org.freedesktop.DBus.Monitoring"/>
  </policy>
  <includedir>/usr/share/dbus-1/system.d</includedir>
  <includedir>{policy_dir}</includedir>
</busconfig>
"""


def start_system_bus(run_dir: Path) -> tuple[Started, str]:
    """Start dbus-daemon on ``run_dir/system_bus_socket``; return it and its address."""
    policy_dir = run_dir / "system.d"
    policy_dir.mkdir(mode=0o755)
    shutil.copy(PROJECT_POLICY, policy_dir / PROJECT_POLICY.name)
    socket = run_dir / "system_bus_socket"
    config = run_dir / "system-bus.conf"
    config.write_text(_CONFIG.format(socket=socket, policy_dir=policy_dir))
    bus = start("dbus-daemon", ["dbus-daemon", f"--config-file={config}", "--nofork",
                                "--nopidfile"], run_dir)
    address = f"unix:path={socket}"
    wait_until(socket.exists, 10, "the bus socket", bus)
    return bus, address


def name_has_owner(address: str, name: str) -> bool:
    """Ask the bus itself (dbus-send, no Python client involved)."""
    result = subprocess.run(
        ["dbus-send", f"--bus={address}", "--print-reply", "--dest=org.freedesktop.DBus",
         "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
        capture_output=True, text=True, check=False, timeout=10,
    )
    return "boolean true" in result.stdout
