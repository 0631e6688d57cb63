"""`netwright plan|apply|destroy|status|list`: through netwrightd, or directly with --local.

By default the commands go to a backend (backend/cli/via_backend.py): netwrightd on the system
bus, where polkit decides, or the user's lab backend when none answers. ``--local`` runs the
engine in this process; it needs root and says so clearly otherwise. ``--lab`` targets the
lab host instead of the real machine (``apply --lab`` builds the lab first; destroying the
last lab deployment removes the lab).
"""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netwright.backend.cli.argparser import Parser
from netwright.backend.cli.terminal import (
    TerminalProgress,
    confirm_window,
    fit_to_terminal,
    names_a_file,
    read_topology,
    read_topology_warned,
    refuse_unconfirmed_apply,
    report_applied,
    report_destroyed,
    report_kept,
    report_list,
    report_restored,
    settle_trial,
    show,
    show_all,
    subject_name,
)
from netwright.backend.outcomes.target_words import target_words
from netwright.backend.record import replace
from netwright.backend.topology.source import STDIN, file_label

if TYPE_CHECKING:
    from netwright.backend.engine.trial import Ended
    from netwright.backend.lab import LabPrepared
    from netwright.backend.topology.model import Topology

EXIT_OK = 0
EXIT_NOT_OK = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    common = Parser(add_help=False)
    common.add_argument("--local", action="store_true",
                        help="run the engine in this process (root) instead of via the service")
    common.add_argument("--lab", action="store_true",
                        help="target the lab host (an emulated network) instead of this machine")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("--state-dir", metavar="DIR", type=Path,
                        help="where deployments are recorded (default $NETWRIGHT_STATE_DIR or"
                        " /var/lib/netwright)")
    commands = [
        ("plan", "show what apply would change", "FILE", _plan),
        ("apply", "make the network match a topology file", "FILE", _apply),
        ("destroy", "remove everything a deployed topology created", "NAME|FILE", _destroy),
        ("status", "compare a deployment with the kernel (every deployment without NAME)",
         "NAME|FILE", _status),
        ("list", "list deployed topologies", None, _list),
        ("confirm", "keep the change an apply left on trial (it touched the default route's"
         " device)", "NAME|FILE", _confirm),
        ("revert", "restore, now, the configuration from before the apply on trial",
         "NAME|FILE", _revert),
    ]
    for name, help_text, subject, func in commands:
        parser = subparsers.add_parser(name, parents=[common], help=help_text,
                                       description=help_text[0].upper() + help_text[1:] + ".")
        if subject:
            parser.add_argument("subject", metavar=subject,
                                nargs="?" if name == "status" else None)
        if name == "apply":
            parser.add_argument("--yes", "-y", action="store_true",
                                help="apply without asking")
            parser.add_argument("--confirm-seconds", type=int, metavar="N",
                                help="a change to the device of the host's default route is"
                                " kept only if confirmed within N seconds (5 to 600; default"
                                " 60)")
        if name == "destroy":  # scripts pass --yes to apply and destroy alike
            parser.add_argument("--yes", "-y", action="store_true",
                                help="accepted as apply's: destroy never asks (it removes"
                                " only what the deployment made)")
        parser.set_defaults(func=lambda args, f=func: _run(args, f))


def _run(args: argparse.Namespace, func: Any) -> int:
    if not args.local:
        # The default: netwrightd decides through polkit (or the user's lab backend).
        from netwright.backend.cli.via_backend import run_via_service

        return run_via_service(args)
    import asyncio  # here, not at the top: `netwright --help` and the backend path stay fast

    from netwright.backend.engine.engine import require_root

    require_root()
    try:
        _say_finished(asyncio.run(_engine(args).finish_interrupted()))
        if func not in (_confirm, _revert):  # those say it in their own words
            _say_expired(asyncio.run(_engine(args).end_expired_trials()))
        return int(asyncio.run(func(args)))
    except KeyboardInterrupt:
        # the journal says what was interrupted: roll it back now rather than at the next run
        print("netwright: interrupted; rolling back what was done", file=sys.stderr)
        try:
            finished = asyncio.run(_engine(args).finish_interrupted())
        except KeyboardInterrupt:
            raise KeyboardInterrupt("interrupted again, so the rollback stopped half-way; the"
                                    " next netwright command (with --local) finishes it"
                                    ) from None
        raise KeyboardInterrupt("; ".join(_finished_text(name, operation)
                                          for name, operation in finished)) from None


def _finished_text(name: str, operation: str) -> str:
    if operation == "destroy":
        return f"finished the interrupted destroy of {name}: {name} is not deployed"
    return f"rolled back the interrupted apply of {name}: what it had changed is undone"


def _say_finished(interrupted: list[tuple[str, str]]) -> None:
    """With --local the command is the backend: it finishes what an interrupted or killed
    command left in its journal before doing anything else, and says so rather than
    changing the network unseen."""
    for name, operation in interrupted:
        print(f"netwright: {_finished_text(name, operation)} (an earlier command stopped"
              " half-way)", file=sys.stderr)


def _say_expired(ended: list[Ended]) -> None:
    """With --local the command is the backend: the first one run after a trial's window
    ended restores the previous configuration (or removes a first apply), and says so
    rather than doing it unseen."""
    for each in ended:
        print(f"netwright: {each.words()}", file=sys.stderr)


def _engine(args: argparse.Namespace) -> Any:
    from netwright.backend.engine import Engine, Target, default_state_dir

    state_dir = args.state_dir or default_state_dir()
    return Engine(state_dir, Target.lab() if args.lab else Target.host())


def _load(path: str) -> Topology:
    return read_topology(path)


def _name_of(subject: str) -> str | Topology:
    if names_a_file(subject):
        return _load(subject)
    return subject


async def _plan(args: argparse.Namespace) -> int:
    topology, warnings = read_topology_warned(args.subject)
    async with _lab_for(args, topology) as lab:
        plan = await _engine(args).plan(topology)
    plan = replace(plan, notes=[*plan.notes, *lab.notes])
    show(plan.with_warnings(warnings).in_file(file_label(args.subject)), args.json)
    return EXIT_OK


@contextlib.asynccontextmanager
async def _lab_for(args: argparse.Namespace, topology: Topology) -> AsyncIterator[LabPrepared]:
    """With --lab, the lab host has ``topology``'s NICs in the block, which gets the lab's
    notes for the plan; a refusal raised there takes them back (so does the block's
    ``take_back``): a refused design leaves no NIC."""
    from netwright.backend.engine import Target
    from netwright.backend.lab import LabPrepared, build_lab_for

    async def nothing() -> None:
        return None

    if not args.lab:
        yield LabPrepared([], nothing)
        return
    lab = await build_lab_for(topology, Target.lab(), state_dir=args.state_dir)
    async with lab.taken_back_on_refusal():
        yield lab


async def _apply(args: argparse.Namespace) -> int:
    topology, warnings = read_topology_warned(args.subject)
    async with _lab_for(args, topology) as lab:
        engine = _engine(args)
        plan = (await engine.plan(topology)).with_warnings(warnings).in_file(
            file_label(args.subject))
        plan = replace(plan, notes=[*plan.notes, *lab.notes])
        if not args.json:
            print(fit_to_terminal(plan.render()))
        source = _source(args.subject)
        # an empty plan changes nothing in the kernel but is applied all the same, as
        # through netwrightd: that records the deployment (and its source), --json
        # included, and a design that only takes over what the kernel already does (the
        # host's forwarding) is accepted like any shown plan, not refused for want of a
        # confirmation --yes gave
        refused = refuse_unconfirmed_apply(args.yes or plan.empty)
        if refused is not None:
            await lab.take_back()
            return refused
        progress = TerminalProgress(not args.json)
        try:
            result = await engine.apply(topology, progress=progress, confirm=True,  # accepted
                                        source=source, **confirm_window(args))
        finally:
            progress.close()
    report_applied(replace(result, plan=replace(result.plan, warnings=plan.warnings,
                                                notes=[*result.plan.notes, *lab.notes])),
                   args.json)
    return await settle_trial(topology.name, result.awaiting_confirmation, args.json,
                              lambda: engine.confirm_deployment(topology.name),
                              lambda: engine.revert(topology.name))


def _source(path: str | None) -> Any:
    """This apply's source: the file (none for standard input), the user running the
    command, this host, now. ``None``: a destroy's, which has no file (a status says whose
    the destroy is while it runs)."""
    from netwright.backend.outcomes.provenance import applied_now, local_user

    return applied_now("" if path in (None, STDIN) else os.path.abspath(path or ""),
                       local_user())


async def _confirm(args: argparse.Namespace) -> int:
    name = subject_name(args.subject)
    await _engine(args).confirm_deployment(name)
    report_kept(name, args.json)
    return EXIT_OK


async def _revert(args: argparse.Namespace) -> int:
    name = subject_name(args.subject)
    result = await _engine(args).revert(name)
    report_restored(name, result, args.json, removed=result.removed)
    return EXIT_OK


async def _destroy(args: argparse.Namespace) -> int:
    subject = _name_of(args.subject)
    name = subject if isinstance(subject, str) else subject.name
    engine = _engine(args)
    deployed = name in await engine.deployments()
    progress = TerminalProgress(not args.json)
    try:  # given the file, destroy also finds what a lost state file no longer lists
        result = await engine.destroy(subject, progress=progress, source=_source(None))
    finally:
        progress.close()
    lab_removed = False
    if args.lab and not await engine.deployments():
        from netwright.backend.lab import destroy_lab

        lab_removed = await destroy_lab(state_dir=args.state_dir)
    if not deployed and not result.plan.steps and not args.json:  # not "destroyed NAME"
        print(f"nothing to destroy: {name} is not deployed on {target_words(engine.target.kind)},"
              " and nothing of it was found")
    else:
        report_destroyed(name, result, args.json, lab_removed=lab_removed)
    if lab_removed and not args.json:
        print("removed the lab host (no deployment left in it)")
    return EXIT_OK


async def _status(args: argparse.Namespace) -> int:
    engine = _engine(args)
    if args.subject is None:  # every deployment, as `list` names them
        statuses = {name: await engine.status(name) for name in await engine.deployments()}
        show_all(statuses, engine.target.kind, args.json)
        return EXIT_OK if all(s.ok for s in statuses.values()) else EXIT_NOT_OK
    status = await engine.status(_name_of(args.subject))
    show(status, args.json)
    return EXIT_OK if status.ok else EXIT_NOT_OK


async def _list(args: argparse.Namespace) -> int:
    engine = _engine(args)
    report_list(await engine.sources(), engine.target.kind, args.json)
    return EXIT_OK
