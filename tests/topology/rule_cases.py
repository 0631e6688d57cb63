"""What every validation-rule test needs: a small file's problems, the one problem of a code,
one CASES row checked, and the codes a rule module can emit (each must have a case)."""

from __future__ import annotations

import inspect
import re
import textwrap
from types import ModuleType

from netwright.backend.topology import Document, TopologyError
from netwright.backend.topology.check import placed_problems
from netwright.backend.topology.problems import Problem

HEAD = "netwright: 1\nname: t\n"


def problems(body: str) -> list[Problem]:
    """The problems of ``HEAD`` + ``body`` (dedented), read as file ``t.yaml``.

    Placed both ways: by the round-trip tree (the designer's, the daemon's) and, when
    libyaml reads the text, by libyaml's marks (``netwright validate``'s): every rule's
    cases hold the two to the same problems at the same lines and columns."""
    text = HEAD + textwrap.dedent(body).lstrip("\n")
    try:
        found = Document.from_text(text, "t.yaml").problems()
    except TopologyError as exc:
        found = exc.problems
    placed = placed_problems(text, "t.yaml")
    assert placed is None or placed == found, (
        [p.render() for p in placed], [p.render() for p in found])
    return found


def only(body: str, code: str) -> Problem:
    found = [p for p in problems(body) if p.code == code]
    assert len(found) == 1, f"expected one {code}, got {[p.render() for p in problems(body)]}"
    return found[0]


def check_case(body: str, code: str, severity: str, path: str, line: int,  # noqa: PLR0917
               column: int) -> None:
    """One CASES row: exactly one problem of ``code``, where and how severe it says."""
    problem = only(body, code)
    assert (problem.severity, problem.path_text, problem.line, problem.column) == (
        severity, path, line, column,
    ), problem.render()
    assert problem.file == "t.yaml"


def emitted_codes(module: ModuleType) -> set[str]:
    """The codes a rule module emits through its ``_error``/``_warning`` helpers."""
    return set(re.findall(r'_(?:error|warning)\(\s*"([a-z-]+)"', inspect.getsource(module)))
