"""`netwright export --format sh|batch FILE`: the ip(8) commands that build a topology."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

from netwright.backend.export.ip_commands import batch_script, shell_script
from netwright.backend.export.nmcli import nmcli_script
from netwright.backend.topology import Topology, load_topology

FORMATS: dict[str, Callable[[Topology], str]] = {
    "sh": shell_script,
    "batch": batch_script,
    "nmcli": nmcli_script,
}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="print the commands that build a topology",
        description="Print the ip(8) commands that build the topology: --format sh gives a"
        " script for `sh -e`, --format batch a file for `ip -batch`.",
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--format", choices=sorted(FORMATS), default="sh")
    parser.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of stdout")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    _document, topology = load_topology(args.file)
    text = FORMATS[args.format](topology)
    if args.output:
        from pathlib import Path

        from netwright.backend.topology import atomic_write

        atomic_write(Path(args.output), text)
    else:
        sys.stdout.write(text)
    return 0
