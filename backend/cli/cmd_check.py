"""`netwright check` (measure and explain a deployed topology) and `netwright explain`
(predict without deploying anything).

Both print a matrix — rows are sources, columns targets, ✓/✗ coloured on a terminal, ``!``
where the kernel disagreed with the prediction — then one line per failure with its reason
and fix. ``--json`` prints the result object of issue 5 instead.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Awaitable, Callable, Coroutine
from pathlib import Path
from typing import TYPE_CHECKING, Any

from netwright.backend.cli.terminal import (
    TerminalProgress,
    names_a_file,
    read_topology,
    say_if_lab,
)
from netwright.backend.topology.problems import NetwrightError

if TYPE_CHECKING:
    from netwright.backend.checks.results import CheckResult
    from netwright.backend.client.client import BackendClient

EXIT_OK, EXIT_MISMATCH = 0, 1
COMPACT_JSON_PAIRS = 1000


def register(subparsers: Any) -> None:
    check = subparsers.add_parser(
        "check",
        help="probe a deployed topology and explain every result",
        description="Probe every pair that matters in a deployed topology (ICMP from sockets"
        " inside each namespace, all at once) and show predicted vs observed. With --host,"
        " the same for the namespaces that exist on this machine (containers, `ip netns`),"
        " read-only. Exits 1 when a result contradicts its prediction.",
    )
    check.add_argument("subject", metavar="FILE|NAME", nargs="?",
                       help="a topology file or deployed name (none with --host)")
    check.add_argument("--host", action="store_true",
                       help="check what exists: the live host's namespaces as observed"
                       " (read-only: nothing is created, no neighbour entry pinned)")
    check.add_argument("--namespace", action="append", metavar="NAME",
                       help="with --host: only this namespace besides the host (repeatable;"
                       " the names `netwright import` gives)")
    check.add_argument("--process-tree", type=int, metavar="PID",
                       help="with --host --local: anonymous namespaces only among PID and its"
                       " descendants")
    check.add_argument("--lab", action="store_true", help="check the deployment in the lab")
    check.add_argument("--json", action="store_true", help="print the result as JSON")
    check.add_argument("--target-outside", metavar="ADDR",
                       help="also probe this address beyond the gateway (in the lab: the lab's"
                       " outside address by default, for a design with a host NIC or an"
                       " address in the host; on a real host: none unless given)")
    check.add_argument("--timeout", type=float, default=1.0, metavar="SECONDS",
                       help="per attempt (default 1 s; one retry)")
    check.add_argument("--port", type=tcp_port, metavar="PORT",
                       help="also try TCP to this port (1–65535) from every source to every"
                       " target; with netwrightd, the lab and --local alike")
    check.add_argument("--from", dest="source", metavar="ADDR[@NAMESPACE]",
                       help="probe only from the namespace holding ADDR, sent from ADDR (for"
                       " asymmetric paths and reverse-path filtering); @NAMESPACE (or @host)"
                       " names it when several hold ADDR, e.g. an IPv6 duplicate whose"
                       " duplicate address detection failed on one of them")
    check.add_argument("--size", type=int, metavar="BYTES",
                       help="the don't-fragment probe each reachable pair also gets (default:"
                       " the sender's MTU, i.e. full-size packets; 0: none)")
    check.add_argument("--state-dir", metavar="DIR", type=Path,
                       help="where deployments are recorded (default $NETWRIGHT_STATE_DIR or"
                       " /var/lib/netwright)")
    check.add_argument("--local", action="store_true",
                       help="probe from this process (root) instead of asking the backend")
    check.set_defaults(func=run_check_command)

    explain_parser = subparsers.add_parser(
        "explain",
        help="predict who reaches whom, without deploying",
        description="Predict, from the file alone, each pair's result with its reason and fix."
        " With --deployed, predict the deployment as it is: the host's forwarding, rules"
        " Netwright does not own, bridged traffic's IP hooks, rp_filter and IPv6 duplicate"
        " address detection are read from the kernel (nothing is probed).",
    )
    explain_parser.add_argument("file", metavar="FILE|NAME")
    explain_parser.add_argument("--deployed", action="store_true",
                                help="the deployed topology FILE|NAME, with what the kernel"
                                " says (through the backend, like check)")
    explain_parser.add_argument("--lab", action="store_true",
                                help="with --deployed: the deployment in the lab")
    explain_parser.add_argument("--local", action="store_true",
                                help="with --deployed: read the kernel from this process (root)")
    explain_parser.add_argument("--state-dir", metavar="DIR", type=Path,
                                help="with --deployed --local: where deployments are recorded")
    explain_parser.add_argument("--json", action="store_true", help="print the result as JSON")
    explain_parser.add_argument("--target-outside", metavar="ADDR",
                                help="the address beyond the gateway to predict (default, when"
                                " the topology has a gateway: a documentation address standing"
                                " for any address out there)")
    explain_parser.add_argument("--from", dest="source", metavar="ADDR[@NAMESPACE]",
                                help="predict only from the namespace holding ADDR (or"
                                " NAMESPACE, when several hold it), sent from ADDR")
    explain_parser.add_argument("--size", type=int, metavar="BYTES",
                                help="judge paths at this packet size (default: each sender's"
                                " MTU; 0: not at all)")
    explain_parser.set_defaults(func=run_explain_command)


def tcp_port(text: str) -> int:
    """``--port``: a TCP port number, said so when it is not one."""
    try:
        port = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a TCP port number (1–65535)"
                                         ) from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is out of range (1–65535)")
    return port


def _print(result: CheckResult, as_json: bool) -> None:
    if as_json:
        # Indented for people; past a thousand pairs compact, which json encodes in C
        # (seconds saved at N=200).
        indent = 2 if len(result.pairs) <= COMPACT_JSON_PAIRS else None
        print(json.dumps(result.to_json(), indent=indent, ensure_ascii=False))
    else:
        from netwright.backend.checks.render import render
        from netwright.backend.cli.terminal import fit_to_terminal

        colour = sys.stdout.isatty() and "NO_COLOR" not in os.environ
        print(fit_to_terminal(render(result, colour)))


def run_explain_command(args: argparse.Namespace) -> int:
    from netwright.backend.checks.explain import Explainer, default_outside
    from netwright.backend.checks.run import CheckOptions, predict
    if args.deployed:
        from netwright.backend.cli.explain_deployed import explain_deployed

        _print(explain_deployed(args), args.json)
        return EXIT_OK
    if args.lab or args.local or args.state_dir:
        raise CheckArgumentsError("--lab, --local and --state-dir go with --deployed")
    if not names_a_file(args.file) and os.sep not in args.file:
        raise CheckArgumentsError(f"there is no file {args.file}: explain reads a topology"
                                  f" file; for the deployment named {args.file}, add"
                                  f" --deployed (netwright explain --deployed {args.file})")
    topology = read_topology(args.file)
    stand_in = None if args.target_outside else default_outside(topology)
    options = CheckOptions(outside=args.target_outside or stand_in, probe=False,
                           size=args.size, source=args.source)
    explainer = Explainer(topology, options.outside, probe_size=options.size)
    result = predict(explainer, options, outside_named=bool(args.target_outside))
    if stand_in is not None and result.pairs:
        result.notes.append(f"'outside' ({stand_in}, a documentation address) stands for any"
                            " address beyond the gateway; --target-outside ADDR predicts a"
                            " particular one")
    _print(result, args.json)
    return EXIT_OK


def _lab_outside() -> str | None:
    try:
        from netwright.backend import lab
    except ImportError:
        return None
    outside = getattr(lab, "OUTSIDE_ADDRESS", None)
    return str(outside) if outside else None


def _lab_outside_refused(args: argparse.Namespace) -> str | None:
    """Why ``--target-outside`` cannot be probed in the lab (None: it can, or no lab)."""
    if not (args.lab and args.target_outside):
        return None
    from netwright.backend.lab import outside_refusal

    return outside_refusal(args.target_outside)


async def _deployment(subject: str, in_lab: bool, state_dir: Path | None) -> Any:
    from netwright.backend.engine import Engine, Target, default_state_dir
    name = subject
    if os.path.exists(subject) or subject.endswith((".yaml", ".yml")):
        topology = read_topology(subject)
        name = topology.name
    engine = Engine(state_dir or default_state_dir(), Target.lab() if in_lab else Target.host())
    return await engine.deployment(name)


def _check_via_backend(args: argparse.Namespace) -> CheckResult:
    """The default path: netwrightd (polkit decides) or the user's lab runs the probes."""
    name = args.subject
    if names_a_file(name):
        name = read_topology(name).name
    return _ask_backend(args, lambda client, progress: client.check_job(
        name, progress, outside=args.target_outside, timeout=args.timeout, size=args.size,
        source=args.source, port=args.port))


def _ask_backend(args: argparse.Namespace,
                 call: Callable[[BackendClient, TerminalProgress], Awaitable[Any]]
                 ) -> CheckResult:
    """``call(client, progress)`` on the backend ``args`` names (the lab with ``--lab``), with
    the progress on the terminal; its report as a CheckResult."""
    from netwright.backend.checks.results import CheckResult
    from netwright.backend.cli.stop_signal import run
    from netwright.backend.client.connecting import connect

    async def ask() -> CheckResult:
        client = await connect(lab=True if args.lab else None)
        progress = TerminalProgress(not args.json)
        try:
            say_if_lab(client, quiet=args.json)
            data = await call(client, progress)
        finally:
            progress.close()
            client.close()
        return CheckResult.from_json(data)

    return run(ask())  # a stop signal cancels it as Ctrl+C does, SIGINT ignored or not


class CheckArgumentsError(NetwrightError):
    """The command line asks for what cannot be (a subject and --host both, --host --local
    without root …)."""


def _check_host(args: argparse.Namespace) -> CheckResult:
    """``--host``: the live host's namespaces, through the backend or (``--local``) here."""
    from netwright.backend.checks.run import CheckOptions
    from netwright.backend.cli.stop_signal import run

    if args.local:
        if args.lab:
            raise CheckArgumentsError("--lab checks the lab host through its backend: drop"
                                      " --local")
        if os.geteuid() != 0:
            raise CheckArgumentsError("--host --local enters other namespaces, which needs"
                                      " root: drop --local to ask netwrightd, or run as root")
        from netwright.backend.checks.observed import check_live_host, observe_subject

        options = CheckOptions(timeout=args.timeout, outside=args.target_outside,
                               tcp_port=args.port, size=args.size, source=args.source)
        return run(check_live_host(
            lambda: observe_subject(args.namespace, args.process_tree), options))
    if args.process_tree is not None:
        from netwright.backend.cli.terminal import process_tree_refusal

        raise CheckArgumentsError(process_tree_refusal(args.lab))
    return _ask_backend(args, lambda client, progress: client.check_host_job(
        args.namespace, progress, outside=args.target_outside, timeout=args.timeout,
        size=args.size, source=args.source, port=args.port))


def run_locally(main: Callable[[], Coroutine[Any, Any, CheckResult]], doing: str, what: str
                ) -> CheckResult:
    """``main()`` run in this process (``--local``); a refusal to enter a namespace (not
    root) becomes a sentence naming the ways that work."""
    from netwright.backend.checks.netns import NamespacePermissionError
    from netwright.backend.cli.stop_signal import run  # a stop cancels it as Ctrl+C does

    try:
        return run(main())
    except (NamespacePermissionError, PermissionError) as exc:
        said = str(exc) if isinstance(exc, NamespacePermissionError) else \
            f"cannot read {exc.filename}, where deployments are recorded"
        raise CheckArgumentsError(
            f"{said}: --local {doing} from this process, which may read the records and"
            " enter the topology's namespaces only as root; drop --local so that netwrightd"
            f" (or the lab, --lab) runs the {what}, or run it as root") from None


def run_check_command(args: argparse.Namespace) -> int:
    """`netwright check`; SIGTERM (``timeout``, ``kill``) ends it as Ctrl+C does: said, exit
    130, the backend's job cancelled (it ended Python silently, mid progress line)."""
    from netwright.backend.cli.stop_signal import sigterm_as_ctrl_c

    with sigterm_as_ctrl_c():
        return _run_check(args)


def _run_check(args: argparse.Namespace) -> int:
    from netwright.backend.checks.run import CheckOptions, run_check

    if args.host:
        if args.subject is not None:
            raise CheckArgumentsError(f"--host checks the live host, not {args.subject}: give"
                                      " either a topology or --host")
        result = _check_host(args)
        _print(result, args.json)
        return EXIT_MISMATCH if result.mismatches else EXIT_OK
    if args.subject is None:
        raise CheckArgumentsError("name a topology (file or deployed name) to check, or"
                                  " --host for the namespaces that exist")
    if args.namespace or args.process_tree is not None:
        raise CheckArgumentsError("--namespace and --process-tree go with --host")
    if not args.local:
        result = _check_via_backend(args)
        _print(result, args.json)
        return EXIT_MISMATCH if result.mismatches else EXIT_OK
    outside = args.target_outside or (_lab_outside() if args.lab else None)
    options = CheckOptions(timeout=args.timeout, outside=outside, tcp_port=args.port,
                           size=args.size, source=args.source,
                           outside_refused=_lab_outside_refused(args))

    async def main() -> CheckResult:
        deployment = await _deployment(args.subject, args.lab, args.state_dir)
        return await run_check(deployment, options)

    result = run_locally(main, "probes", "check")
    _print(result, args.json)
    return EXIT_MISMATCH if result.mismatches else EXIT_OK
