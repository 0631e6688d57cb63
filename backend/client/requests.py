"""What both clients send: the match rules they subscribe with, and apply's options.

Shared by the asyncio client (client.py) and the blocking one (oneshot.py), so the two
cannot ask for different things. Imports dbus-fast only when an option is built, and then
only its protocol modules (``load_dbus_fast``), never its bus.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.lazy_init import load_dbus_fast
from netwright.backend.service import names

#: Calls that need an administrator's password wait for the person to type it.
CALL_TIMEOUT_SECONDS = 330.0

#: The backend's job signals (sent to the connection that started the job, API 1.2).
SIGNAL_MATCH = f"type='signal',sender='{names.BUS_NAME}',interface='{names.INTERFACE}'"

#: The bus tells a client when the backend's name changes owner (it stopped, or started).
OWNER_MATCH = (f"type='signal',sender='org.freedesktop.DBus',interface='org.freedesktop.DBus',"
               f"member='NameOwnerChanged',arg0='{names.BUS_NAME}'")

#: The first API version whose Apply takes the 'source-file' option.
SOURCE_FILE_API = (1, 7)

#: The first API version with StartMeasure (a measurement as a job that Cancel stops).
MEASURE_JOB_API = (1, 8)

#: The first API version with the Target property (the host a backend manages).
TARGET_API = (1, 18)

#: The first API version with the Stopping property (the backend has begun to stop).
STOPPING_API = (1, 20)


def older_target(lab: bool) -> str:
    """The target of a backend older than TARGET_API: a lab manages the lab host, a system
    netwrightd then (almost always) this machine."""
    return "lab" if lab else "host"


def api_version(text: str) -> tuple[int, ...]:
    """The backend's Version property as (major, minor); (1, 0) if it cannot be read."""
    try:
        return tuple(int(part) for part in text.split(".")[:2])
    except ValueError:
        return (1, 0)


def apply_options(confirm: bool, confirm_seconds: int | None, source_file: str
                  ) -> dict[str, Any]:
    """Apply's a{sv}: ``confirm`` the plan was accepted, ``confirm_seconds`` the trial
    window (the backend's default when None), ``source_file`` the design's path (only for
    a backend at SOURCE_FILE_API or later: the caller decides, "" leaves it out)."""
    load_dbus_fast()
    from dbus_fast.signature import Variant

    options = {"confirm": Variant("b", True)} if confirm else {}
    if confirm_seconds is not None:
        options["confirm-seconds"] = Variant("u", confirm_seconds)
    if source_file:
        options["source-file"] = Variant("s", source_file)
    return options
