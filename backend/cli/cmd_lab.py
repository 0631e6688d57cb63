"""`netwright lab start|stop|status`: this user's lab backend (no root, no polkit).

Other commands start the lab by themselves when they need it (``--lab``, or when no system
backend answers); these are for looking at it and for stopping it, which removes everything
deployed in it (the lab's namespaces live only as long as its backend).
"""

from __future__ import annotations

import argparse
import os
import signal
import time
from typing import Any

EXIT_OK = 0
EXIT_NOT_RUNNING = 1


def register(subparsers: Any) -> None:
    lab = subparsers.add_parser("lab", help="start, stop or show this user's lab backend",
                                description="This user's lab backend: an emulated host network"
                                " in private namespaces, no root needed.")
    actions = lab.add_subparsers(dest="lab_action", metavar="ACTION", required=True)
    actions.add_parser("start", help="start the lab (if it is not running)").set_defaults(
        func=_start)
    actions.add_parser("stop", help="stop the lab; everything deployed in it goes").set_defaults(
        func=_stop)
    actions.add_parser("status", help="is the lab running, and what is deployed in it"
                       ).set_defaults(func=_status)


def _start(args: argparse.Namespace) -> int:
    import asyncio  # here, not at the top: `netwright --help` stays fast

    from netwright.backend.client import connect_lab

    async def start() -> list[str]:
        client = await connect_lab(start=True)
        try:
            return await client.deployments()
        finally:
            client.close()

    deployed = asyncio.run(start())
    print(f"the lab is running ({len(deployed)} deployment(s))")
    return EXIT_OK


def _stop(args: argparse.Namespace) -> int:
    from netwright.backend.service.lab import running_lab_pid

    pid = running_lab_pid()
    if pid is None:
        print("no lab is running")
        return EXIT_NOT_RUNNING
    os.kill(pid, signal.SIGTERM)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and os.path.exists(f"/proc/{pid}"):
        time.sleep(0.05)
    print("the lab is stopped")
    return EXIT_OK


def _status(args: argparse.Namespace) -> int:
    import asyncio  # here, not at the top: `netwright --help` stays fast

    from netwright.backend.client import connect_lab
    from netwright.backend.service.errors import BackendUnavailableError
    from netwright.backend.service.lab import lab_address, running_lab_pid

    async def deployments() -> list[str]:
        client = await connect_lab(start=False)
        try:
            return await client.deployments()
        finally:
            client.close()

    try:
        names = asyncio.run(deployments())
    except BackendUnavailableError:
        print("no lab is running")
        return EXIT_NOT_RUNNING
    print(f"the lab is running (pid {running_lab_pid()}, {lab_address()})")
    for name in names:
        print(f"  {name}")
    return EXIT_OK
