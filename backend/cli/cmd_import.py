"""`netwright import --from multus FILE`: a topology from another tool's description.

Today the source is Kubernetes YAML for Multus (NetworkAttachmentDefinitions and Pods, as
`netwright export --format multus` writes them or as written by hand). The topology is
validated before it is written; ``-o`` never overwrites an existing file unless ``--force``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from netwright.backend.topology.problems import NetwrightError


class ImportOutputError(NetwrightError):
    """The imported topology cannot be written where asked."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="make a topology file from Kubernetes (Multus) YAML",
        description="Read NetworkAttachmentDefinitions and Pods (Multus) and print the"
        " topology they describe: one namespace per Pod, one interface per network it asks"
        " for.",
    )
    parser.add_argument("file", metavar="FILE", help="the Kubernetes YAML ('-' for stdin)")
    parser.add_argument("--from", dest="source", choices=["multus"], required=True,
                        help="what FILE is")
    parser.add_argument("--name", help="the topology's name (default: from the YAML)")
    parser.add_argument("-o", "--output", metavar="OUT", help="write to OUT instead of stdout")
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


def run(args: argparse.Namespace) -> int:
    from netwright.backend.export.multus_import import import_multus
    from netwright.backend.topology import atomic_write, parse_topology

    text, skipped = import_multus(_read(args.file), args.name)
    parse_topology(text, args.output or "<imported>")  # what is written always validates
    for line in skipped:
        print(f"netwright: not imported: {line}", file=sys.stderr)
    if args.output:
        target = Path(args.output)
        if target.exists() and not args.force:
            raise ImportOutputError(f"{target} exists; use --force to replace it")
        atomic_write(target, text)
    else:
        sys.stdout.write(text)
    return 0
