"""A file the YAML parser refuses is told in the file's terms, at the line to fix: never the
parser's own token names ("expected <block end>, but found '<block mapping start>'")."""

from __future__ import annotations

import pytest

from netwright.backend.topology import Document, TopologyError

INDENTED = "this line is indented unlike the lines above it"
COLON = "a ':' where a plain value goes: end the key on the line above with its ':'"


@pytest.mark.parametrize(("body", "line", "column", "words"), [
    ("namespaces:\n  a: {}\n   b: {}\n", 5, 4, INDENTED),  # a key one space too deep
    ("namespaces:\n    a: {}\n  b: {}\n", 5, 3, INDENTED),  # a key back out to no level
    ("namespaces:\n  a:\n    routes:\n    - {to: default, via: 10.0.0.1}\n"
     "   - {to: 1.0.0.0/8, via: 10.0.0.1}\n", 7, 4, INDENTED),  # a list item out of line
    ("namespaces:\n  a\n    routes: []\n", 5, 11, COLON),  # 'a' lacks its ':'
    ("description: a: b\n", 3, 15, COLON),
    ("namespaces:\n  a: {routes: [{to: default}]\n", 5, 1,
     "expected ',' or '}', but got the end of the file"),
])
def test_a_syntax_error_is_told_in_words(body: str, line: int, column: int,
                                         words: str) -> None:
    with pytest.raises(TopologyError) as caught:
        Document.from_text("netwright: 1\nname: x\n" + body, "bad.yaml")
    [problem] = caught.value.problems
    assert (problem.code, problem.line, problem.column) == ("yaml-syntax", line, column)
    assert problem.message.startswith(f"not valid YAML: {words}"), problem.message
    assert "<" not in problem.message, problem.message
