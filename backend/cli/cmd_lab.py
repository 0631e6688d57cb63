"""`netwright lab start|stop|status`: this user's lab backend (no root, no polkit).

Other commands start the lab by themselves when they need it (``--lab``, or when no system
backend answers); these are for looking at it and for stopping it, which removes everything
deployed in it (the lab's namespaces live only as long as its backend). A lab that holds no
deployment stops by itself once no client has used it for a while (backend/service/idle.py).
"""

from __future__ import annotations

import argparse
import math
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netwright.backend.count_words import counted

if TYPE_CHECKING:
    from netwright.backend.outcomes.provenance import Provenance

EXIT_OK = 0
EXIT_NOT_RUNNING = 1
#: How long `lab stop` waits for the lab to end by default.
STOP_SECONDS = 60.0
#: The longest `lab stop --wait` takes: a lab removes its deployments in seconds, so a wait
#: beyond an hour is a typo, not a plan.
MAX_STOP_SECONDS = 3600.0
#: How long `lab stop` asks the lab what it holds before stopping it anyway.
HELD_SECONDS = 2.0


def register(subparsers: Any) -> None:
    lab = subparsers.add_parser("lab", help="start, stop or show this user's lab backend",
                                description="This user's lab backend: an emulated host network"
                                " in private namespaces, no root needed.")
    actions = lab.add_subparsers(dest="lab_action", metavar="ACTION", required=True)
    actions.add_parser("start", help="start the lab (if it is not running)").set_defaults(
        func=_start)
    stop = actions.add_parser("stop", help="stop the lab; everything deployed in it goes")
    stop.add_argument("--wait", type=_wait_seconds, default=STOP_SECONDS, metavar="SECONDS",
                      help="how long to wait for it to end, 0 (ask it to stop and return) to"
                      f" {MAX_STOP_SECONDS:g} (default %(default)g s: it removes what is"
                      " deployed in it first)")
    stop.set_defaults(func=_stop)
    actions.add_parser("status", help="is the lab running, and what is deployed in it"
                       ).set_defaults(func=_status)


def _wait_seconds(text: str) -> float:
    """``--wait``: seconds from 0 to MAX_STOP_SECONDS; a negative, endless or absurd wait is
    refused with the range rather than taken as "do not wait" or "wait forever"."""
    try:
        seconds = float(text)
    except ValueError:
        seconds = math.nan
    if not 0 <= seconds <= MAX_STOP_SECONDS:  # NaN fails both comparisons
        raise argparse.ArgumentTypeError(
            f"{text!r} is not a wait: give the seconds to wait for the lab to end, from 0 (do"
            f" not wait) to {MAX_STOP_SECONDS:g} (an hour)")
    return seconds


def _start(args: argparse.Namespace) -> int:
    import asyncio  # here, not at the top: `netwright --help` stays fast

    from netwright.backend.cli.terminal import say_notices
    from netwright.backend.client import connect_lab

    async def start() -> list[str]:
        client = await connect_lab(start=True)
        say_notices(client)
        try:
            # a stopping lab still answers List: it is not "running" (it ends in a moment,
            # with all it holds), so wait for its end and start a new one
            stopping, began = running_lab_pid(), time.monotonic()
            if await client.leave_stopping_lab():
                print(f"the lab{f' (pid {stopping})' if stopping else ''} was stopping:"
                      f" waited {time.monotonic() - began:.0f} s for it to end, and started"
                      " a new one")
            return await client.deployments()
        finally:
            client.close()

    from netwright.backend.service.lab import lab_idle_seconds, running_lab_pid

    deployed = asyncio.run(start())
    print(f"the lab is running ({counted(len(deployed), 'deployment')})")
    pid = running_lab_pid()
    idle = lab_idle_seconds(pid) if pid else 0
    if idle:
        print(f"while nothing is deployed in it, it stops by itself {idle:.0f} s after its last"
              " client leaves")
    return EXIT_OK


def _usable_lab_dir() -> Path:
    """The user's lab directory; a directory the lab cannot have is said so (labdir.py's
    sentence, exit 1), never taken for "no lab is running"."""
    from netwright.backend.service.errors import BackendUnavailableError
    from netwright.backend.service.labdir import LabUnavailableError, lab_dir

    try:
        return lab_dir()
    except LabUnavailableError as exc:
        raise BackendUnavailableError(str(exc)) from None


def _stop(args: argparse.Namespace) -> int:
    from netwright.backend.service.lab import running_lab_pid, stop_running_lab

    directory = _usable_lab_dir()
    asked = running_lab_pid(directory)
    held = _held(directory) if asked is not None else []
    if not stop_running_lab(directory, args.wait):
        print("no lab is running")
        return EXIT_NOT_RUNNING
    pid = running_lab_pid(directory)
    if pid is not None and pid == asked:  # not gone within the wait: not "stopped"
        print(f"the lab (pid {pid}) was asked to stop but still runs after {args.wait:g} s;"
              f" it may still be removing what is deployed in it (see"
              f" {directory / 'lab.log'}): wait and run netwright lab status, or kill {pid}")
        return EXIT_NOT_RUNNING
    print("the lab is stopped" + (f"; it held {', '.join(held)}, which ended with it" if held
                                  else ""))
    if pid is not None:  # a command the stopping lab refused started it (client.py)
        print(f"a new lab (pid {pid}) has started since, for a command that came meanwhile")
    return EXIT_OK


def _held(directory: Path) -> list[str]:
    """What the running lab holds, so that stop can say what ended with it; [] when its
    bus does not answer within HELD_SECONDS (stop works all the same)."""
    import asyncio  # here, not at the top: `netwright --help` stays fast

    from netwright.backend.client import connect_lab
    from netwright.backend.topology.problems import NetwrightError

    async def ask() -> list[str]:
        client = await connect_lab(start=False)
        try:
            return list(await client.deployments())
        finally:
            client.close()

    try:
        return asyncio.run(asyncio.wait_for(ask(), HELD_SECONDS))
    except (NetwrightError, OSError, TimeoutError):
        return []


def _status(args: argparse.Namespace) -> int:
    import asyncio  # here, not at the top: `netwright --help` stays fast

    from netwright.backend.client import connect_lab
    from netwright.backend.service.errors import BackendUnavailableError, OutdatedBackendError
    from netwright.backend.service.lab import (
        lab_address,
        lab_idle_seconds,
        lab_started_at,
        lab_unit,
        running_lab_pid,
    )

    async def deployments() -> tuple[dict[str, float], dict[str, Provenance | None]]:
        client = await connect_lab(start=False)
        try:
            return await client.applied_times(), await client.deployment_sources()
        finally:
            client.close()

    directory = _usable_lab_dir()
    try:
        held, sources = asyncio.run(deployments())
    except OutdatedBackendError as exc:  # older than Netwright's files: it says what next
        print(f"the lab is running (pid {running_lab_pid(directory)}), but {exc}")
        return EXIT_OK
    except BackendUnavailableError:
        pid = running_lab_pid(directory)
        if pid is None:
            print("no lab is running")
        else:  # the process is there (lab stop would stop it): not "no lab"
            print(f"the lab process (pid {pid}) is running, but its bus"
                  f" ({directory / 'bus'}) does not answer: it may be starting or stopping"
                  f" (see {directory / 'lab.log'}); netwright lab stop ends it")
        return EXIT_NOT_RUNNING
    pid = running_lab_pid(directory)
    started = lab_started_at(directory)
    since = f", since {_when(started)}" if started else ""
    print(f"the lab is running (pid {pid}{since}, {lab_address(directory)})")
    unit = lab_unit(pid) if pid else None
    print(f"  as the systemd user unit {unit} (systemctl --user status {unit})" if unit
          else "  as a plain process (no systemd user manager answered when it started)")
    idle = lab_idle_seconds(pid) if pid else 0
    if held:
        print("  it keeps running while it holds a deployment; netwright lab stop removes"
              " them all")
        for name, applied in held.items():
            print(f"  {name}  deployed{_source(sources.get(name))}, last applied"
                  f" {_when(applied)}")
    elif idle:
        print(f"  it holds nothing and stops by itself {idle:.0f} s after its last client"
              " leaves")
    else:
        print("  it holds nothing (it was started not to stop by itself)")
    return EXIT_OK


def _source(source: Provenance | None) -> str:
    """" from /home/alice/seed.yaml by alice" (what the apply recorded; its time is the
    "last applied" that follows), or "" when nothing was recorded."""
    from netwright.backend.record import replace

    words = replace(source, time=0.0).words() if source is not None else ""
    return f" {words}" if words else ""


def _when(moment: float) -> str:
    """A local time of day, and how long ago."""
    ago = max(0.0, time.time() - moment)
    span = f"{ago:.0f} s" if ago < 120 else f"{ago / 60:.0f} min" if ago < 7200 else (
        f"{ago / 3600:.0f} h")
    return f"{time.strftime('%H:%M:%S', time.localtime(moment))} ({span} ago)"
