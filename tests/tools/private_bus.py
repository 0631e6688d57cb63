"""A private system bus for tests: dbus-daemon configured like Debian's system bus.

The config repeats the default-deny policy of /usr/share/dbus-1/system.conf, includes the
distribution's system.d (polkitd's and NetworkManager's own bus policies come from there) and
a private directory holding a copy of the project's bus policy, so the tests exercise the file
that ships. The machine's own system bus socket is never used. The service tests and the
NetworkManager tests each start their daemon their own way; the configuration is this one.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

SYSTEM_BUS_CONFIG = """\
<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
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


def write_system_bus_config(run_dir: Path,
                            project_policy: Path | None) -> tuple[Path, Path]:
    """Write the bus's config (with a copy of ``project_policy`` unless None) into
    ``run_dir``; return the config file and the socket the bus will listen on."""
    policy_dir = run_dir / "system.d"
    policy_dir.mkdir(mode=0o755)
    if project_policy is not None:
        shutil.copy(project_policy, policy_dir / project_policy.name)
    socket = run_dir / "system_bus_socket"
    config = run_dir / "system-bus.conf"
    config.write_text(SYSTEM_BUS_CONFIG.format(socket=socket, policy_dir=policy_dir))
    return config, socket


def name_has_owner(address: str, name: str) -> bool:
    """Ask the bus itself (dbus-send, no Python client involved)."""
    result = subprocess.run(
        ["dbus-send", f"--bus={address}", "--print-reply", "--dest=org.freedesktop.DBus",
         "/org/freedesktop/DBus", "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
        capture_output=True, text=True, check=False, timeout=10,
    )
    return "boolean true" in result.stdout
