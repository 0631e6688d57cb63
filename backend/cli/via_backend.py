"""`netwright plan|apply|destroy|status|list` through a backend (the default path).

The same commands and output as the direct path (``--local``, backend/cli/cmd_engine.py),
but the work is done by netwrightd (polkit decides, no root needed here) or, with ``--lab``
or when no system backend answers, by the user's lab backend, started on demand.

The file is read here but validated by the backend, which checks every text it receives in
full anyway; its problems come back with line and column and are placed in the file here. So
this path loads neither the model (pydantic) nor the YAML parsers, let alone the engine.
The system's netwrightd is asked with blocking calls (client/oneshot.py, no asyncio); the asyncio
client is taken only when it does not answer (then the lab) or with ``--lab``.
Ctrl+C during an apply, destroy or revert cancels the backend's job and waits for its end
(an apply rolls back), as with ``--local``: a job outlives the connection that started it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING

from netwright.backend.cli.terminal import (
    TerminalProgress,
    confirm_window,
    fit_to_terminal,
    refuse_unconfirmed_apply,
    report_applied,
    report_destroyed,
    report_kept,
    report_list,
    report_restored,
    say_if_lab,
    settle_trial,
    show,
    show_all,
    subject_name,
)
from netwright.backend.record import replace
from netwright.backend.service.errors import BackendUnavailableError
from netwright.backend.topology.problems import TopologyError
from netwright.backend.topology.source import STDIN, file_label, in_file, read_topology_text

if TYPE_CHECKING:
    from netwright.backend.client.client import BackendClient

EXIT_OK = 0
EXIT_NOT_OK = 1
EXIT_USAGE = 2

Command = Callable[["BackendClient", argparse.Namespace], Awaitable[int]]


def run_via_service(args: argparse.Namespace) -> int:
    """Run ``args.command`` on a backend: the lab with ``--lab``, else the system's (or a lab).

    The system's netwrightd is asked through blocking calls (oneshot.py: no asyncio); only
    when it does not answer does the asyncio client look for it again, or for the lab.
    """
    command = _COMMANDS[args.command]
    if not args.lab:
        answered = _run_blocking(args, command)
        if answered is not None:
            return answered
    return run_with_backend(args, command)


def _run_blocking(args: argparse.Namespace, command: Command) -> int | None:
    """The command's exit status from the system's netwrightd, or None if none answers."""
    from netwright.backend.client.oneshot import SystemBackend

    try:
        backend = SystemBackend.connect()
    except BackendUnavailableError:
        return None  # the asyncio path decides: a lab, or the reason none is there
    with backend:
        try:
            return backend.run(command(backend, args))  # type: ignore[arg-type]
        except BackendUnavailableError:
            if backend.asked_for_work:
                raise  # a job was asked for: never ask another backend to do it again
            return None


def run_with_backend(args: argparse.Namespace, command: Command) -> int:
    """Run ``command`` on the backend ``args`` asks for, as every backend command does."""
    from netwright.backend.cli.stop_signal import run

    return run(_with_backend(args, command))  # a stop signal cancels it as Ctrl+C does


async def _with_backend(args: argparse.Namespace, command: Command) -> int:
    from netwright.backend.client.connecting import connect

    client = await connect(lab=True if getattr(args, "lab", False) else None)
    try:
        say_if_lab(client, quiet=getattr(args, "json", False))
        return await command(client, args)
    finally:
        client.close()


@contextlib.contextmanager
def _problems_in(path: str) -> Iterator[None]:
    """The backend's TopologyError, its problems placed in ``path`` (FILE:LINE:COL)."""
    try:
        yield
    except TopologyError as exc:
        raise in_file(exc, path) from None


async def _plan(client: BackendClient, args: argparse.Namespace) -> int:
    text = read_topology_text(args.subject)
    with _problems_in(args.subject):
        plan = await client.plan(text)
    show(plan.in_file(file_label(args.subject)), args.json)
    return EXIT_OK


async def _apply(client: BackendClient, args: argparse.Namespace) -> int:
    text = read_topology_text(args.subject)
    with _problems_in(args.subject):
        plan = (await client.plan(text)).in_file(file_label(args.subject))
    if not args.json:
        print(fit_to_terminal(plan.render()))
    refused = refuse_unconfirmed_apply(args.yes or plan.empty)
    if refused is not None:
        return refused
    progress = TerminalProgress(not args.json)
    try:
        result = await client.apply(text, progress=progress, confirm=True,  # plan accepted
                                    source_file=_source_file(args.subject),
                                    stop_on_interrupt=True, **confirm_window(args))
    finally:
        progress.close()
    report_applied(replace(result, plan=result.plan.in_file(file_label(args.subject))),
                   args.json)
    name = result.plan.topology
    return await settle_trial(name, result.awaiting_confirmation, args.json,
                              lambda: client.confirm(name), lambda: client.revert(name))


def _source_file(subject: str) -> str:
    """The design file an apply records as its source: none for standard input."""
    return "" if subject == STDIN else os.path.abspath(subject)


async def _confirm(client: BackendClient, args: argparse.Namespace) -> int:
    name = subject_name(args.subject)
    await client.confirm(name)
    report_kept(name, args.json)
    return EXIT_OK


async def _revert(client: BackendClient, args: argparse.Namespace) -> int:
    name = subject_name(args.subject)
    progress = TerminalProgress(not args.json)
    try:
        result = await client.revert(name, progress, stop_on_interrupt=True)
    finally:
        progress.close()
    report_restored(name, result, args.json, removed=result.removed)
    return EXIT_OK


async def _destroy(client: BackendClient, args: argparse.Namespace) -> int:
    name = subject_name(args.subject)
    progress = TerminalProgress(not args.json)
    try:
        result = await client.destroy(name, progress=progress, stop_on_interrupt=True)
    finally:
        progress.close()
    report_destroyed(name, result, args.json)
    return EXIT_OK


async def _status(client: BackendClient, args: argparse.Namespace) -> int:
    if args.subject is None:  # every deployment, as `list` names them
        statuses = {name: await client.status(name) for name in await client.deployments()}
        show_all(statuses, await client.target(), args.json)
        return EXIT_OK if all(s.ok for s in statuses.values()) else EXIT_NOT_OK
    status = await client.status(subject_name(args.subject))
    show(status, args.json)
    return EXIT_OK if status.ok else EXIT_NOT_OK


async def _list(client: BackendClient, args: argparse.Namespace) -> int:
    report_list(await client.deployment_sources(), await client.target(), args.json)
    return EXIT_OK


_COMMANDS: dict[str, Command] = {
    "plan": _plan, "apply": _apply, "destroy": _destroy, "status": _status, "list": _list,
    "confirm": _confirm, "revert": _revert,
}
