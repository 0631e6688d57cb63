"""`netwright validate FILE…`: every problem, compiler-style, so editors can jump to it.

When the system's netwrightd is running, it reads the files: its helper processes have the
model (pydantic) and the YAML readers loaded already, so a file's problems come back in a
few milliseconds instead of the ~250 ms this process would spend importing and building them
(issue 23). The problems are the same either way (the daemon's helper runs the same
``Document.problems``); only their file is placed here. When no netwrightd runs (it is not
started for this), or it cannot answer a file, the file is read here.
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import TYPE_CHECKING, Any

from netwright.backend.topology.problems import Problem, TopologyError, errors_of

if TYPE_CHECKING:
    from netwright.backend.client.oneshot import SystemBackend


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "validate",
        help="check topology files",
        description="Check topology files. Prints FILE:LINE:COL: error|warning CODE: sentence"
        " per problem; exits 0 when no file has errors, 1 otherwise.",
    )
    parser.add_argument("files", nargs="+", metavar="FILE",
                        help="a topology file; - reads standard input (its problems are"
                        " placed at <stdin>:LINE:COL)")
    parser.add_argument("--json", action="store_true", help="machine-readable output")
    parser.add_argument("--strict", action="store_true", help="treat warnings as errors")
    parser.add_argument("--here", action="store_true",
                        help="read the files in this process, not through a running netwrightd")
    parser.set_defaults(func=run)


def problems_of_file(path: str) -> list[Problem]:
    """The file's problems, placed: by libyaml's positions when it reads the file (no
    round-trip parser to import: ``check.placed_problems``), else by the round-trip tree."""
    from netwright.backend.topology.check import placed_problems
    from netwright.backend.topology.source import file_label, read_topology_text

    try:
        text = read_topology_text(path)
        placed = placed_problems(text, file_label(path))
        if placed is not None:
            return placed
        from netwright.backend.topology.document import Document

        return Document.from_text(text, file_label(path)).problems()
    except TopologyError as exc:
        return exc.problems


def problems_from_backend(paths: list[str]) -> dict[str, list[Problem]]:
    """The problems of the files a running netwrightd read, by path; the files it did not
    (none runs, it refused or ran out of time or patience) are left out.

    With no system bus at all (no address set, no socket: a container, a server without
    D-Bus) there is nobody to ask, and the D-Bus client (~12 ms of imports) is not loaded.
    """
    from netwright.backend.lazy_init import no_system_bus

    if no_system_bus():
        return {}
    from netwright.backend.client.oneshot import SystemBackend
    from netwright.backend.service.errors import BackendUnavailableError

    try:
        backend = SystemBackend.connect()
    except BackendUnavailableError:
        return {}
    answers: dict[str, list[Problem]] = {}
    with backend:
        SystemBackend.run(_ask(backend, paths, answers))
    return answers


async def _ask(backend: SystemBackend, paths: list[str],
               answers: dict[str, list[Problem]]) -> int:
    from netwright.backend.topology.problems import NetwrightError
    from netwright.backend.topology.source import file_label, read_topology_text

    for path in paths:
        try:
            text = read_topology_text(path)
        except TopologyError as exc:  # unreadable here: the daemon need not be asked
            answers[path] = exc.problems
            continue
        try:
            problems = await backend.validate(text)
        except NetwrightError:  # not running, not allowed, busy: this process reads them
            break
        if any(p.code == "too-large" for p in problems):
            continue  # over the daemon's budget for one read: this process has none
        answers[path] = [p if p.file else p.located(p.line, p.column, file_label(path))
                         for p in problems]
    return len(answers)


def run(args: argparse.Namespace) -> int:
    from netwright.backend.topology.source import file_label

    failed = False
    report: list[dict[str, Any]] = []
    answered = {} if args.here else problems_from_backend(args.files)
    for path in args.files:
        problems = answered[path] if path in answered else problems_of_file(path)
        bad = problems if args.strict else errors_of(problems)
        failed = failed or bool(bad)
        if args.json:
            report.append({
                "file": file_label(path),
                "valid": not bad,
                "problems": [p.to_json() for p in problems],
            })
        else:
            from netwright.backend.cli.terminal import fit_to_terminal

            for problem in problems:
                print(fit_to_terminal(problem.render()))
    if args.json:
        json.dump(report, sys.stdout, indent=2, ensure_ascii=False)
        print()
    return 1 if failed else 0
