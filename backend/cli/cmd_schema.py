"""`netwright schema`: the JSON Schema of the file format, for editors."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "schema",
        help="print the JSON Schema of topology files",
        description="Print the JSON Schema of the topology file format. Save it and reference it"
        " from a file with '# yaml-language-server: $schema=PATH' to get completion and checks"
        " in editors.",
    )
    parser.set_defaults(func=run)


def run(_args: argparse.Namespace) -> int:
    from netwright.backend.topology.model import model_json_schema

    json.dump(model_json_schema(), sys.stdout, indent=2, sort_keys=False)
    sys.stdout.write("\n")
    return 0
