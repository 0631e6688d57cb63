"""`netwright export --format nmcli`: the `nmcli connection add` commands for the persistent part.

On distributions where NetworkManager owns the host's configuration, an administrator may want
the persistent objects as plain nmcli commands (to review, keep in a provisioning script, or run
where Netwright is not installed). The commands are generated from the very profiles
``netwright apply`` writes (``netwright.backend.nm.profiles``), with the same connection id and
UUID, so Netwright recognises and adopts the profiles afterwards. nmcli cannot set user-data,
so the id prefix and UUID are the marks. Runtime objects (not persistent, or in namespaces)
are listed as comments: ``netwright apply`` creates those.

Example::

    >>> from netwright.backend.topology import parse_topology
    >>> t = parse_topology("netwright: 1\\nname: lab\\ninterfaces:\\n"
    ...                    "  br0: {kind: bridge, persist: true, addresses: [10.0.0.1/24]}\\n")
    >>> print(nmcli_script(t).splitlines()[4])
    nmcli connection add type bridge con-name netwright-lab-br0 ifname br0 \\
"""

from __future__ import annotations

import shlex
from typing import Any

from dbus_fast import Variant

from netwright.backend.nm.profiles import Profile, build_profile, persistent_keys
from netwright.backend.topology.model import Topology

_MODE_NAMES = {
    "macvlan": {1: "vepa", 2: "bridge", 3: "private", 4: "passthru", 5: "source"},
    "ipvlan": {1: "l2", 2: "l3", 3: "l3s"},
}
_SECTION_ALIASES = {"802-3-ethernet": "ethernet"}
_KEY_ALIASES = {"assigned-mac-address": "cloned-mac-address"}  # the D-Bus name vs nmcli's
_HANDLED = {("connection", "type"), ("connection", "id"), ("connection", "interface-name")}


def _text(section: str, key: str, value: Variant) -> str:
    plain: Any = value.value
    if key == "mode" and section in _MODE_NAMES:
        return _MODE_NAMES[section][plain]
    if isinstance(plain, bool):
        return "yes" if plain else "no"
    return str(plain)


def profile_arguments(profile: Profile) -> list[str]:
    """``nmcli connection add`` arguments for one profile (user-data left out)."""
    conn = profile["connection"]
    args = ["type", conn["type"].value, "con-name", conn["id"].value,
            "ifname", conn["interface-name"].value]
    for section, values in profile.items():
        if section == "user":
            continue
        name = _SECTION_ALIASES.get(section, section)
        for key, value in values.items():
            if (section, key) in _HANDLED:
                continue
            if key == "address-data":
                text = ",".join(f"{a['address'].value}/{a['prefix'].value}" for a in value.value)
                args += [f"{name}.addresses", text]
            else:
                args += [f"{name}.{_KEY_ALIASES.get(key, key)}", _text(section, key, value)]
    return args


def _wrap(argv: list[str]) -> str:
    """One command, continued over lines two arguments (a property and its value) at a time."""
    head = shlex.join(argv[:9])
    pairs = [shlex.join(argv[i:i + 2]) for i in range(9, len(argv), 2)]
    return " \\\n    ".join([head, *pairs])


def nmcli_script(topology: Topology) -> str:
    """A POSIX shell script of nmcli commands that make NetworkManager keep the persistent
    objects of ``topology`` (the same profiles ``netwright apply`` writes)."""
    keys = persistent_keys(topology)
    lines = [
        "#!/bin/sh",
        f"# Topology {topology.name}: the persistent part as NetworkManager profiles,"
        " exported by netwright export --format nmcli.",
        "# Profiles keep their netwright-<topology>-<key> id and UUID so Netwright adopts them.",
        "set -e",
    ]
    runtime = [k for k in topology.interfaces if k not in keys]
    if not keys:
        lines.append("# Nothing is marked persist: true, so there is no profile to add.")
    for key in keys:
        profile = build_profile(topology, key)
        argv = ["nmcli", "connection", "add", *profile_arguments(profile)]
        lines.append(_wrap(argv))
        if topology.interfaces[key].state == "up":
            pid = profile["connection"]["id"].value
            lines.append(shlex.join(["nmcli", "connection", "up", pid]))
    if runtime:
        lines.append("# Runtime objects, created by `netwright apply` (NetworkManager does not"
                     " keep them): " + ", ".join(runtime))
    return "\n".join(lines) + "\n"
