"""Counts in words wherever a user reads them: "applied 1 step", "19 pairs probed", "net1
belongs to topology lab". The CLI, the service and the checks said "1 step(s)", "19 pair(s)
probed", "belong(s)" although each knew its count; the designer already said "3 objects".
One module (backend/count_words.py) words them for all, thousands grouped ("3,200 bytes"),
no message text writes "(s)", and none spells its own plural ("s" if n != 1 else "")."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from netwright.backend.count_words import agreeing, counted

ROOT = Path(__file__).parents[1]
#: a word with its plural left to the reader: "step(s)", "MISMATCH(ES)", "belong(s)"
LEFT_TO_THE_READER = re.compile(r"[A-Za-z]\((s|es|ies)\)", re.IGNORECASE)


def test_one_is_singular_and_more_are_plural() -> None:
    assert [counted(n, "step") for n in (0, 1, 2)] == ["0 steps", "1 step", "2 steps"]
    assert counted(2, "MISMATCH", "MISMATCHES") == "2 MISMATCHES"
    assert [agreeing(n, "belongs", "belong") for n in (1, 2)] == ["belongs", "belong"]


def test_thousands_are_grouped_as_every_number_the_cli_prints() -> None:
    """The capture's refusal spelt its own plural to say "3,200 bytes"; counted said "3200"."""
    assert [counted(n, "byte") for n in (999, 3200, 1_000_000)] == [
        "999 bytes", "3,200 bytes", "1,000,000 bytes"]


def _docstrings(tree: ast.AST) -> set[int]:
    """The ids of the docstring nodes (they may tell what a message said before)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant):
                found.add(id(body[0].value))
    return found


def test_no_message_leaves_a_plural_to_the_reader() -> None:
    found = []
    for path in sorted([*(ROOT / "backend").rglob("*.py"), *(ROOT / "gui").rglob("*.py")]):
        relative = str(path.relative_to(ROOT))
        tree = ast.parse(path.read_text(encoding="utf-8"))
        docstrings = _docstrings(tree)
        for node in ast.walk(tree):
            if (isinstance(node, ast.Constant) and isinstance(node.value, str)
                    and id(node) not in docstrings and LEFT_TO_THE_READER.search(node.value)):
                found.append(f"{relative}:{node.lineno}: {node.value!r}")
    assert found == []


def _plural_pair(one: str, other: str) -> bool:
    """``one`` and ``other`` are a word and its plural (or a verb and its agreeing form):
    "" and "s", "y" and "ies", "holds" and "hold"."""
    for word, plural in ((one.lower(), other.lower()), (other.lower(), one.lower())):
        if plural in (word + "s", word + "es") or (word.endswith("y")
                                                    and plural == word[:-1] + "ies"):
            return True
    return False


def test_no_message_spells_its_own_plural() -> None:
    """``f"{n} packet{'s' if n != 1 else ''}"`` is counted's job (and agreeing's for a verb):
    one spelt by hand drifts from it, as the capture's "3,200 bytes" did from "3200 bytes"."""
    found = []
    for path in sorted([*(ROOT / "backend").rglob("*.py"), *(ROOT / "gui").rglob("*.py")]):
        relative = str(path.relative_to(ROOT))
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (isinstance(node, ast.IfExp)
                    and isinstance(node.body, ast.Constant) and isinstance(node.body.value, str)
                    and isinstance(node.orelse, ast.Constant)
                    and isinstance(node.orelse.value, str)
                    and _plural_pair(node.body.value, node.orelse.value)):
                found.append(f"{relative}:{node.lineno}: {ast.unparse(node)}")
    assert found == []
