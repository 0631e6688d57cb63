"""`netwright validate FILE…`: every problem, compiler-style, so editors can jump to it."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from netwright.backend.topology.problems import Problem, TopologyError, errors_of


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check topology files",
        description="Check topology files. Prints FILE:LINE:COL: error|warning CODE: sentence"
        " per problem; exits 0 when no file has errors, 1 otherwise.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.set_defaults(func=run)


def problems_of_file(path: str) -> list[Problem]:
    from netwright.backend.topology.document import Document

    try:
        return Document.from_file(path).problems()
    except TopologyError as exc:
        return exc.problems


def run(args: argparse.Namespace) -> int:
    failed = False
    report: list[dict[str, Any]] = []
    for path in args.files:
        problems = problems_of_file(path)
        bad = problems if args.strict else errors_of(problems)
        failed = failed or bool(bad)
        if args.json:
            report.append({
                "file": path,
                "valid": not bad,
                "problems": [p.to_json() for p in problems],
            })
        else:
            for problem in problems:
                print(problem.render())
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        print()
    return 1 if failed else 0
