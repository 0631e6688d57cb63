"""`netwright import`: a topology from what exists, the live host (the default) or another
tool's description (``--from multus FILE``, Kubernetes YAML for Multus).

``--from host`` reads every namespace and link of the machine read-only and writes a file in
which every object is ``existing``: applying it changes nothing. Through netwrightd by default
(polkit decides: it shows other users' containers); ``--local`` reads in this process (root).
The topology is validated before it is written; ``-o`` never overwrites an existing file
unless ``--force``.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import Any

from netwright.backend.cli.suggested import data_output
from netwright.backend.topology.problems import NetwrightError

DEFAULT_HOST_NAME = "live-host"


class ImportOutputError(NetwrightError):
    """The imported topology cannot be written where asked."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="make a topology file from the live host or Kubernetes (Multus) YAML",
        description="Without FILE: read every network namespace and link of this machine"
        " (read-only) and print a topology whose objects are all existing (applying it changes"
        " nothing). With --from multus FILE: read NetworkAttachmentDefinitions and Pods and"
        " print the topology they describe.",
    )
    parser.add_argument("file", metavar="FILE", nargs="?",
                        help="the Kubernetes YAML ('-' for stdin); only with --from multus")
    parser.add_argument("--from", dest="source", choices=["host", "multus"], default="host",
                        help="what to import (default: the live host)")
    parser.add_argument("--namespace", action="append", metavar="NAME",
                        help="import only this namespace besides the host (repeatable)")
    parser.add_argument("--local", action="store_true",
                        help="read the host in this process (needs root) instead of netwrightd")
    parser.add_argument("--as-design", action="store_true",
                        help="mark nothing existing: a design that rebuilds this host's graph"
                        " where it is applied")
    parser.add_argument("--lab", action="store_true",
                        help="import the lab host (an emulated network) instead of this machine")
    parser.add_argument("--process-tree", type=int, metavar="PID",
                        help="with --local: look for anonymous namespaces only among PID and"
                        " its descendants")
    parser.add_argument("--name", help="the topology's name (default: live-host, or from the"
                        " YAML)")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="write to OUT instead of stdout ('-': stdout)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    parser.set_defaults(func=run)


def _read(file: str) -> str:
    if file == "-":
        return sys.stdin.read()
    try:
        return Path(file).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or "not UTF-8 text"
        raise ImportOutputError(f"cannot read {file}: {reason}") from None


def _from_multus(args: argparse.Namespace) -> tuple[str, list[str]]:
    from netwright.backend.export.multus_import import import_multus
    from netwright.backend.topology.source import file_label

    if args.file is None:
        raise ImportOutputError("--from multus needs FILE: the Kubernetes YAML ('-' for stdin)")
    return import_multus(_read(args.file), args.name, file_label(args.file))


def _from_host(args: argparse.Namespace) -> tuple[str, list[str]]:
    if args.file is not None:
        raise ImportOutputError(f"the live host is read, not {args.file}: give FILE only with"
                                " --from multus")
    if not args.local:
        if args.process_tree is not None:  # the backend would read every namespace anyway
            from netwright.backend.cli.terminal import process_tree_refusal

            raise ImportOutputError(process_tree_refusal(args.lab))
        import asyncio

        return asyncio.run(_via_backend(args))
    if args.lab:
        raise ImportOutputError("--lab reads the lab host through its backend: drop --local")
    if os.geteuid() != 0:  # else every namespace it may not enter is left out, unsaid
        raise ImportOutputError("--local reads other namespaces, which needs root: drop"
                                " --local to ask netwrightd, or run as root")
    from netwright.backend.hostimport.imports import import_local

    found = import_local(args.name or DEFAULT_HOST_NAME, args.namespace, args.process_tree,
                         as_design=args.as_design)
    return found.text, found.skipped


async def _via_backend(args: argparse.Namespace) -> tuple[str, list[str]]:
    """netwrightd (polkit decides), or the user's lab backend when none answers."""
    from netwright.backend.cli.terminal import say_if_lab
    from netwright.backend.client.connecting import connect

    client = await connect(lab=True if args.lab else None)
    try:
        say_if_lab(client)
        return await client.import_host(args.name or DEFAULT_HOST_NAME, args.namespace or [],
                                        as_design=args.as_design)
    finally:
        client.close()


def run(args: argparse.Namespace) -> int:
    from netwright.backend.cli.output_file import output_path, refuse_output, write_output
    from netwright.backend.topology import parse_topology
    from netwright.backend.topology.problems import TopologyError

    args.output = output_path(args.output)
    if args.output:  # before reading anything
        refuse_output(args.output, args.force)
    text, skipped = _from_multus(args) if args.source == "multus" else _from_host(args)
    try:
        parse_topology(text, args.output or "<imported>")  # what is written always validates
    except TopologyError as exc:  # its lines are those of a text never shown: say what
        errors = [p for p in exc.problems if p.severity == "error"] or exc.problems
        raise ImportOutputError(
            "what was read does not make a valid topology, so nothing was written: "
            + "; ".join(f"{p.message} (at {p.path_text})" for p in errors)) from None
    for line in skipped:
        print(f"netwright: not imported: {line}", file=sys.stderr)
    if args.output:
        write_output(args.output, text)
    else:
        data_output().write(text)
    return 0
