"""`netwright measure NAME A B`: throughput from namespace A to namespace B with iperf3.

Like ``check``, through the backend by default (netwrightd asks polkit for
io.netwright.check; the lab's backend runs it inside the lab), or ``--local`` from this
process (root) with the engine's record of the deployment. Prints one line, or ``--json``.
Through a backend that runs measurements as jobs (StartMeasure, API 1.8), Ctrl+C cancels the
job, so both iperf3 processes end at once instead of sending on for the whole run; the
command then says "measurement cancelled" and exits 130, as an interrupted command does
(``--local`` too, once its own iperf3 processes are ended). SIGTERM (``timeout``, ``kill``)
does the same (cli/stop_signal.py): it ended the command at once, and ``--local`` left both
iperf3 processes running. With ``--local`` either signal only sets the measurement's cancel
flag (``stop_sets``), whenever it comes: a KeyboardInterrupt inside the Popen of an iperf3
left that one running, its PID never bound.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netwright.backend.cli.terminal import subject_name
from netwright.backend.topology.problems import NetwrightError

if TYPE_CHECKING:
    import threading

    from netwright.backend.measure.result import MeasureResult

EXIT_OK = 0
EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command Ctrl+C ended


class MeasureArgumentsError(NetwrightError):
    """The command line asks for what cannot be done here (--local without root)."""


class MeasureUnreachableError(NetwrightError):
    """iperf3 could not reach B from A: said with where to find out why (check)."""


class MeasureCancelledError(Exception):
    """Ctrl+C during a measurement through the backend: the backend's job was cancelled."""


def register(subparsers: Any) -> None:
    measure = subparsers.add_parser(
        "measure",
        help="measure throughput between two namespaces (iperf3)",
        description="Run iperf3 with its server in namespace B and its client in namespace A"
        " of a deployed topology; report throughput, TCP retransmits, or UDP loss and jitter,"
        " beside the rate limit the design sets on A's interfaces.",
    )
    measure.add_argument("subject", metavar="FILE|NAME", help="a topology file or deployed name")
    measure.add_argument("source", metavar="A", help="the namespace that sends")
    measure.add_argument("target", metavar="B", help="the namespace that receives")
    measure.add_argument("--seconds", type=float, default=5.0, metavar="S",
                         help="how long to send (default 5)")
    measure.add_argument("--udp", action="store_true", help="UDP instead of TCP")
    measure.add_argument("--bitrate", metavar="RATE",
                         help="the sender's target, e.g. 20mbit (UDP's default: 1mbit)")
    measure.add_argument("--port", type=int, default=5201, help="the server's port (5201)")
    measure.add_argument("--json", action="store_true", help="print the result as JSON")
    measure.add_argument("--lab", action="store_true", help="measure in the lab")
    measure.add_argument("--local", action="store_true",
                         help="run iperf3 from this process (root) instead of asking the backend")
    measure.add_argument("--state-dir", metavar="DIR", type=Path,
                         help="where deployments are recorded (with --local)")
    measure.set_defaults(func=run_measure_command)


def _options(args: argparse.Namespace) -> dict[str, Any]:
    return {"seconds": args.seconds, "udp": args.udp, "bitrate": args.bitrate,
            "port": args.port}


def _local(args: argparse.Namespace, name: str) -> MeasureResult:
    """The measurement from this process, which a stop (Ctrl+C, SIGTERM) from its first
    moment on only asks to end (``stop_sets``): MeasureCancelledError once it has."""
    import threading

    from netwright.backend.cli.stop_signal import stop_sets

    stop = threading.Event()
    with stop_sets(stop):  # a stop raises nothing here: measure reads it (cancel) and ends
        try:               # its iperf3 processes itself, whenever it comes
            result = _measure_here(args, name, stop)
        except NetwrightError:  # Cancelled, or what the stop caused (an iperf3 it ended)
            if stop.is_set():
                raise MeasureCancelledError from None
            raise
    if stop.is_set():  # it came as the measurement ended: a stop still says so
        raise MeasureCancelledError
    return result


def _measure_here(args: argparse.Namespace, name: str, stop: threading.Event) -> MeasureResult:
    import asyncio

    from netwright.backend.engine import Engine, Target, default_state_dir
    from netwright.backend.measure.iperf import MeasureOptions, measure

    if os.geteuid() != 0:  # else a traceback where the records or a namespace refuse it
        raise MeasureArgumentsError("--local runs iperf3 inside the topology's namespaces,"
                                    " which needs root: drop --local so that netwrightd (or"
                                    " the lab, --lab) measures, or run it as root")
    options = MeasureOptions(**_options(args))
    engine = Engine(args.state_dir or default_state_dir(),
                    Target.lab() if args.lab else Target.host())
    deployment = asyncio.run(engine.deployment(name))
    return measure(deployment, args.source, args.target, options, cancel=stop)


def _via_backend(args: argparse.Namespace, name: str) -> MeasureResult:
    from netwright.backend.cli.stop_signal import run
    from netwright.backend.cli.terminal import say_if_lab
    from netwright.backend.client.connecting import connect
    from netwright.backend.measure.result import MeasureResult

    async def ask() -> MeasureResult:
        client = await connect(lab=True if args.lab else None)
        try:
            say_if_lab(client, quiet=args.json)
            if await client.measure_job_available():
                data = await _as_job(client, name, args)
            else:  # an older backend: one blocking call, which Ctrl+C cannot stop there
                data = await client.measure(name, args.source, args.target, **_options(args))
        finally:
            client.close()
        return MeasureResult.from_json(data)

    return run(ask())  # a stop signal cancels it as Ctrl+C does, SIGINT ignored or not


async def _as_job(client: Any, name: str, args: argparse.Namespace) -> dict[str, Any]:
    """StartMeasure, then its result. Ctrl+C (asyncio.run cancels this task) cancels the job,
    also when it comes while the job is being started, and waits until the backend has ended
    it (both iperf3 processes gone): MeasureCancelledError."""
    import asyncio

    from netwright.backend.outcomes.errors import Cancelled

    starting = asyncio.ensure_future(client.start_measure(name, args.source, args.target,
                                                          **_options(args)))
    try:
        job = await asyncio.shield(starting)
    except asyncio.CancelledError:
        await client.cancel(await starting)
        raise MeasureCancelledError from None
    waiting = asyncio.ensure_future(client.wait_measure(job))
    try:
        return dict(await asyncio.shield(waiting))
    except asyncio.CancelledError:
        await client.cancel(job)
        try:
            return dict(await waiting)  # it ended before the cancel reached it
        except Cancelled:
            raise MeasureCancelledError from None


def run_measure_command(args: argparse.Namespace) -> int:
    from netwright.backend.cli.stop_signal import sigterm_as_ctrl_c

    name = subject_name(args.subject)
    try:
        with sigterm_as_ctrl_c():
            result = _local(args, name) if args.local else _via_backend(args, name)
    except MeasureCancelledError:
        print("netwright: measurement cancelled", file=sys.stderr)
        return EXIT_INTERRUPTED
    except NetwrightError as exc:
        if "unable to connect" in str(exc) or "did not finish" in str(exc):
            raise MeasureUnreachableError(
                f"{args.target} cannot be reached from {args.source}: {exc}; `netwright check"
                f" {name}` shows which pairs reach each other, and why") from None
        raise
    if args.json:
        print(json.dumps(result.to_json(), indent=2))
    else:
        print(f"{result.source} → {result.target} ({result.address}, {result.protocol},"
              f" {result.seconds:g} s): {result.summary()}")
    return EXIT_OK
