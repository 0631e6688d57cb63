"""`netwright capture NAME INTERFACE -w FILE`: the packets of a deployed interface, as pcapng.

Like ``tcpdump -i INTERFACE -w FILE`` inside the right namespace, for an interface named as the
topology names it. This process opens FILE (as the user running it; ``-`` is standard output,
for ``| wireshark -k -i -``) and hands the descriptor to the backend: netwrightd on the system
bus (polkit action io.netwright.capture, administrators by default), the user's lab with
``--lab``, or, with ``--local`` (root), this process itself. Ctrl+C stops the capture and keeps
what was captured, as tcpdump does; so does SIGTERM (``timeout 10 netwright capture …``), as
for tcpdump. Unlike tcpdump, a FILE that already holds data is replaced
only with ``--force``: a capture is seldom one that can be made again.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from netwright.backend.capture.output import CaptureFileExistsError, CaptureOutput

EXIT_OK = 0
EXIT_NOT_OK = 1
EXIT_USAGE = 2


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "capture", help="capture an interface's packets into a pcapng file",
        description="Capture the packets of one interface of a deployed topology into a"
        " pcapng file (read it with Wireshark, tshark or tcpdump -r). Stops after -c packets,"
        " --seconds, Ctrl+C or SIGTERM.")
    parser.add_argument("name", metavar="NAME|FILE",
                        help="a deployed topology, by its name or its file")
    parser.add_argument("interface", metavar="INTERFACE",
                        help="an interface key of the topology, or a host NIC it names")
    parser.add_argument("-w", "--write", metavar="FILE", required=True,
                        help="the pcapng file to write ('-': standard output)")
    parser.add_argument("--force", action="store_true",
                        help="replace FILE if it already holds data (once the capture starts)")
    parser.add_argument("-c", "--count", metavar="COUNT", type=_positive_int,
                        help="stop after COUNT packets")
    parser.add_argument("--seconds", metavar="S", type=_positive_float,
                        help="stop after S seconds")
    parser.add_argument("--filter", metavar="EXPR", default="",
                        help="a tcpdump filter expression, e.g. 'icmp or arp'")
    where = parser.add_mutually_exclusive_group()
    where.add_argument("--lab", action="store_true", help="capture in the lab backend")
    where.add_argument("--local", action="store_true",
                       help="capture in this process (root) instead of asking the backend")
    parser.add_argument("--state-dir", metavar="DIR", type=Path,
                        help="with --local: where deployments are recorded")
    parser.set_defaults(func=run)


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of packets") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number of seconds") from None
    if not 0 < value <= 86400:  # NaN fails it too
        raise argparse.ArgumentTypeError("must be more than 0 and at most 86400 (a day)")
    return value


def run(args: argparse.Namespace) -> int:
    from netwright.backend.capture.output import CaptureFileExistsError, CaptureOutput
    from netwright.backend.cli.stop_signal import sigterm_as_ctrl_c
    from netwright.backend.cli.terminal import subject_name

    args.name = subject_name(args.name)  # as measure, status, destroy: the file names it too
    try:
        output = CaptureOutput(args.write, keep_existing=not args.force)
    except CaptureFileExistsError as exc:
        print(f"netwright: {exc} (an earlier capture?):"
              " nothing was captured; write to another file, or add --force to replace it"
              " once the capture starts", file=sys.stderr)
        return EXIT_NOT_OK
    except OSError as exc:
        print(f"netwright: cannot write {args.write}: {exc.strerror}", file=sys.stderr)
        return EXIT_NOT_OK
    try:
        with sigterm_as_ctrl_c():
            if args.local:
                return _local(args, output)
            from netwright.backend.cli.via_backend import run_with_backend

            return run_with_backend(args, lambda client, a: _backend(client, a, output))
    finally:
        output.close()


def _local(args: argparse.Namespace, output: CaptureOutput) -> int:
    import asyncio
    import threading

    from netwright.backend.capture.engine import CaptureLimits, open_capture, record
    from netwright.backend.capture.output import CaptureFileExistsError
    from netwright.backend.capture.where import locate
    from netwright.backend.engine import Engine, Target, default_state_dir
    from netwright.backend.engine.engine import require_root

    require_root()
    engine = Engine(args.state_dir or default_state_dir(), Target.lab() if args.lab
                    else Target.host())
    netns, kernel_name = locate(asyncio.run(engine.deployment(args.name)), args.interface)
    limits = CaptureLimits(count=args.count, seconds=args.seconds, filter=args.filter)
    sock = open_capture(netns, kernel_name, limits)
    try:
        output.started()
    except CaptureFileExistsError as exc:
        sock.close()
        return _appeared(exc)
    place = f"namespace {netns}" if netns else "the host"
    named = (f"{args.interface} in {place}" if kernel_name == args.interface
             else f"{args.interface} ({kernel_name} in {place})")
    _say(f"capturing on {named}; Ctrl+C stops")
    stop = threading.Event()
    done = threading.Event()  # not Thread.join: after a join that Ctrl+C interrupted, the
    box: dict[str, Any] = {}  # next one returns at once on Python < 3.13, result or not

    def work() -> None:
        try:
            box["result"] = record(sock, kernel_name, output.fd, limits, stop).to_json()
        finally:
            done.set()

    worker = threading.Thread(target=work)
    worker.start()
    try:
        while not done.wait(0.2):
            pass
    except KeyboardInterrupt:
        stop.set()
        done.wait()
    worker.join()
    return _report(box.get("result", {}))


async def _backend(client: Any, args: argparse.Namespace, output: CaptureOutput) -> int:
    import asyncio

    from netwright.backend.capture.output import CaptureFileExistsError

    job = await client.start_capture(args.name, args.interface, output.fd, count=args.count,
                                     seconds=args.seconds, packet_filter=args.filter)
    try:
        output.started()
    except CaptureFileExistsError as exc:
        await client.cancel(job)
        await client.wait_capture(job)
        return _appeared(exc)
    _say(f"capturing on {args.interface} of {args.name} (job {job}); Ctrl+C stops")
    waiting = asyncio.ensure_future(client.wait_capture(job))
    try:
        result = await asyncio.shield(waiting)
    except (KeyboardInterrupt, asyncio.CancelledError):
        await client.cancel(job)
        result = await waiting
    return _report(result)


def _appeared(exc: CaptureFileExistsError) -> int:
    """FILE was not there (or empty) when the command began, and another program wrote it
    while the capture was starting: it is kept, and the capture ends."""
    from netwright.backend.count_words import counted

    held = "nothing" if not exc.size else counted(exc.size, "byte")
    print(f"netwright: {exc.path} appeared while the capture was starting (another program"
          f" made it; it holds {held}): it was left as it is and the capture was stopped;"
          " write to another file, or add --force to replace it once the capture starts",
          file=sys.stderr)
    return EXIT_NOT_OK


def _report(result: dict[str, Any]) -> int:
    """tcpdump's closing lines: what was written and what the kernel dropped."""
    from netwright.backend.count_words import counted

    packets = int(result.get("packets", 0))
    dropped = int(result.get("dropped", 0))
    _say(f"{counted(packets, 'packet')} captured"
         f" ({_ENDED.get(str(result.get('ended')), 'stopped')})")
    if dropped:
        _say(f"{counted(dropped, 'packet')} dropped by the kernel (the capture could not"
             " keep up)")
    return EXIT_OK


_ENDED = {"count": "the count was reached", "seconds": "the time was up",
          "stopped": "stopped", "reader-closed": "the reader closed the output",
          "interface-gone": "the interface was deleted"}


def _say(text: str) -> None:
    print(f"netwright: {text}", file=sys.stderr)
