"""The CLI's side of the Multus export: option parsing, the not-carried list on stderr,
``--strict``. The mapping itself lives in ``netwright.backend.export.multus``."""

from __future__ import annotations

import argparse
import sys

from netwright.backend.count_words import counted
from netwright.backend.export.multus import (
    POD_IMAGE,
    MultusOptionError,
    check_k8s_namespace,
    export_multus,
)
from netwright.backend.export.multus_yaml import render_multus
from netwright.backend.topology.model import Topology
from netwright.backend.topology.problems import NetwrightError


class ExportOptionError(NetwrightError):
    """An export option is malformed, or --strict found something that cannot be carried."""


def parse_nic_map(pairs: list[str]) -> dict[str, str]:
    """``--nic wlp2s0=eth1`` pairs (the names are checked by the export itself)."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        design, sep, node = pair.partition("=")
        if not sep or not design or not node:
            raise ExportOptionError(f"--nic {pair[:40]!r}: write DESIGN_NIC=NODE_NIC,"
                                    " e.g. --nic wlp2s0=eth1")
        mapping[design] = node
    return mapping


def multus_text(topology: Topology, args: argparse.Namespace) -> str:
    """The YAML; every loss is printed on stderr, and is an error with --strict."""
    try:
        check_k8s_namespace(args.k8s_namespace)
    except MultusOptionError as exc:
        raise ExportOptionError(f"--k8s-namespace {exc}") from None
    try:
        export = export_multus(topology, parse_nic_map(args.nic))
    except MultusOptionError as exc:
        raise ExportOptionError(f"--nic {exc}") from None
    losses = export.not_carried
    for note in losses:
        print(f"netwright: not carried: {note.text()}", file=sys.stderr)
    if losses and args.strict:
        parts = counted(len(losses), "part")
        raise ExportOptionError(f"--strict: {parts} of {topology.name} cannot be carried to"
                                " Multus (listed above)")
    return render_multus(export, args.k8s_namespace, args.image or POD_IMAGE)
