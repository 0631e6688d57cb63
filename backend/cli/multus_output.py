"""The CLI's side of the Multus export: option parsing, the not-carried list on stderr,
``--strict``. The mapping itself lives in ``netwright.backend.export.multus``."""

from __future__ import annotations

import argparse
import sys

from netwright.backend.export.k8s_names import is_dns_label
from netwright.backend.export.multus import POD_IMAGE, export_multus
from netwright.backend.export.multus_yaml import render_multus
from netwright.backend.topology.fields import check_interface_name
from netwright.backend.topology.model import Topology
from netwright.backend.topology.problems import NetwrightError


class ExportOptionError(NetwrightError):
    """An export option is malformed, or --strict found something that cannot be carried."""


def parse_nic_map(pairs: list[str], topology: Topology) -> dict[str, str]:
    """``--nic wlp2s0=eth1`` pairs, each naming a host NIC of the design."""
    mapping: dict[str, str] = {}
    for pair in pairs:
        design, sep, node = pair.partition("=")
        if not sep or not design or not node:
            raise ExportOptionError(f"--nic {pair[:40]!r}: write DESIGN_NIC=NODE_NIC,"
                                    " e.g. --nic wlp2s0=eth1")
        if design not in topology.host.nics:
            known = ", ".join(topology.host.nics) or "none"
            raise ExportOptionError(f"--nic {design[:40]}: the design has no host NIC of that"
                                    f" name (its NICs: {known})")
        try:
            check_interface_name(node)
        except ValueError as exc:
            raise ExportOptionError(f"--nic {design}={node[:40]}: {exc}") from None
        mapping[design] = node
    return mapping


def multus_text(topology: Topology, args: argparse.Namespace) -> str:
    """The YAML; every loss is printed on stderr, and is an error with --strict."""
    if args.k8s_namespace and not is_dns_label(args.k8s_namespace):
        raise ExportOptionError(f"--k8s-namespace {args.k8s_namespace[:64]!r} is not a"
                                " Kubernetes namespace name (lowercase letters, digits, '-')")
    export = export_multus(topology, parse_nic_map(args.nic, topology))
    losses = export.not_carried
    for note in losses:
        print(f"netwright: not carried: {note.text()}", file=sys.stderr)
    if losses and args.strict:
        raise ExportOptionError(f"--strict: {len(losses)} part(s) of {topology.name} cannot be"
                                " carried to Multus (listed above)")
    return render_multus(export, args.k8s_namespace, args.image or POD_IMAGE)
