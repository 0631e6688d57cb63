"""`netwright export --format sh|batch|nmcli|multus FILE`: the design in another tool's terms.

``sh`` and ``batch`` are the ip(8) commands that build it, ``nmcli`` its persistent part as
NetworkManager commands, ``multus`` Kubernetes YAML for Multus and the reference CNI plugins
(with what cannot be carried listed on standard error and as comments; ``--strict`` makes
that an error).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Any

from netwright.backend.topology.problems import NetwrightError

#: --format → the function (module, name) that writes it; imported only when it runs.
FORMATS: dict[str, tuple[str, str]] = {
    "sh": ("netwright.backend.export.ip_commands", "shell_script"),
    "batch": ("netwright.backend.export.ip_commands", "batch_script"),
    "nmcli": ("netwright.backend.export.nmcli", "nmcli_script"),
}

#: What people call the Kubernetes export when they do not know it is Multus YAML.
ALIASES = {"k8s": "multus", "kubernetes": "multus"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "export",
        help="print the commands that build a topology",
        description="Print the ip(8) commands that build the topology: --format sh gives a"
        " script for `sh -e`, --format batch a file for `ip -batch`, --format nmcli the"
        " persistent objects as nmcli commands, --format multus Kubernetes YAML (one"
        " NetworkAttachmentDefinition per attachment, one Pod per namespace).",
    )
    parser.add_argument("file", metavar="FILE")
    parser.add_argument("--format", choices=[*sorted(FORMATS), "multus", *ALIASES],
                        default="sh", help="k8s and kubernetes are other names for multus")
    parser.add_argument("--nic", action="append", default=[], metavar="DESIGN=NODE",
                        help="multus: the nodes' name for a host NIC of the design"
                        " (e.g. --nic wlp2s0=eth1); may be repeated")
    parser.add_argument("--strict", action="store_true",
                        help="multus: fail if anything of the design cannot be carried")
    parser.add_argument("--k8s-namespace", metavar="NS",
                        help="multus: the Kubernetes namespace of every object")
    parser.add_argument("--image", metavar="IMAGE",
                        help="multus: the pods' container image (default: the pause image)")
    parser.add_argument("-o", "--output", metavar="OUT",
                        help="write to OUT instead of stdout ('-': stdout)")
    parser.add_argument("--force", action="store_true", help="overwrite OUT if it exists")
    parser.set_defaults(func=run)


class ExportOutputError(NetwrightError):
    """The export cannot be written where asked: over the design itself."""


def run(args: argparse.Namespace) -> int:
    from netwright.backend.cli.output_file import output_path, refuse_output, write_output
    from netwright.backend.cli.terminal import read_topology

    args.output = output_path(args.output)
    if args.output:  # before any work: a design overwritten by its own script is lost
        from pathlib import Path

        target = Path(args.output)
        if target.exists() and target.resolve() == Path(args.file).resolve():
            raise ExportOutputError(f"{args.output} is the design being exported: write the"
                                    " export to another file")
        refuse_output(args.output, args.force)
    topology = read_topology(args.file)
    args.format = ALIASES.get(args.format, args.format)
    if args.format == "multus":
        from netwright.backend.cli.multus_output import multus_text

        text = multus_text(topology, args)
    else:
        module, function = FORMATS[args.format]
        text = getattr(importlib.import_module(module), function)(topology)
        if args.format in ("sh", "batch"):
            from netwright.backend.export.ip_commands import left_out

            for line in left_out(topology, with_tc=args.format == "sh"):
                print(f"netwright: not in this script: {line}", file=sys.stderr)
    if args.output:
        write_output(args.output, text)
    else:
        sys.stdout.write(text)
    return 0
