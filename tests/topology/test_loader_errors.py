"""Files the parser chokes on get their own sentence, with a line, never the parser's internals.

Each text below once surfaced a Python exception's wording through ``netwright validate``
(``AttributeError: 'NoneType' object has no attribute 'add_referent'``, ``use
sys.set_int_max_str_digits()``) or a self-contradicting sentence ("this file is Netwright
format '1'; this Netwright reads format 1"). The daemon's path (``parse_topology``) and the
CLI's (``Document``) must say the same.
"""

from __future__ import annotations

import pytest

from netwright.backend.cli.main import main
from netwright.backend.topology import Document, TopologyError, parse_topology
from netwright.backend.topology.problems import Problem

HUGE = "9" * 1_000_000
INTERNALS = ("Error", "NoneType", "sys.", "add_referent", "Traceback")


def problems_of(text: str) -> list[Problem]:
    try:
        return Document.from_text(text, "bad.yaml").problems()
    except TopologyError as exc:
        return exc.problems


def daemon_problems(text: str) -> list[Problem]:
    with pytest.raises(TopologyError) as caught:
        parse_topology(text, "bad.yaml")
    return caught.value.problems


@pytest.mark.parametrize(("text", "line", "words"), [
    ("netwright: 1\nname: a\nx: &a\n  <<: *a\n", 4, "merges a mapping that contains it"),
    ("netwright: 1\nname: &a\n  <<: *a\n", 3, "merges a mapping that contains it"),
    ("netwright: 1\nname: a\nx: &a\n  b: 1\n  <<: [*a]\n", 5,
     "merges a mapping that contains it"),
    ("netwright: 1\nname: a\nx: &a\n  y:\n    <<: *a\n", 5, "merges a mapping that contains it"),
])
def test_a_merge_key_loop_is_named(text: str, line: int, words: str) -> None:
    for found in (problems_of(text), daemon_problems(text)):
        assert [p.code for p in found] == ["yaml-syntax"]
        assert words in found[0].message and found[0].line == line
        assert not any(word in found[0].message for word in INTERNALS)


@pytest.mark.parametrize(("text", "line"), [
    (f"netwright: 1\nname: a\nnamespaces:\n  n:\n    routes:\n"
     f"      - {{to: default, via: 10.0.0.1, metric: {HUGE}}}\n", 6),
    (f"netwright: {HUGE}\nname: a\n", 1),
])
def test_a_number_too_long_to_read_is_named(text: str, line: int) -> None:
    for found in (problems_of(text), daemon_problems(text)):
        assert [p.code for p in found] == ["too-large"]
        assert "1,000,000 digits" in found[0].message and found[0].line == line
        assert not any(word in found[0].message for word in INTERNALS)


@pytest.mark.parametrize(("version", "words"), [
    ("!!str 1", "written as text ('1'"),
    ("'1'", "written as text ('1'"),
    ('"1"', "written as text ('1'"),
    ("'2'", "this Netwright reads format 1"),
    ("1.0", "a whole number, not 1.0"),
    ("true", "'true' is not a format version"),
    ("[1]", "a list is not a format version"),
    ("", "the format version is empty"),
])
def test_a_version_that_is_not_the_number_1(version: str, words: str) -> None:
    text = f"netwright: {version}\nname: a\n"
    for found in (problems_of(text), daemon_problems(text)):
        assert [p.code for p in found] == ["unknown-version"]
        assert words in found[0].message
        assert "reads format 1" not in found[0].message or "'2'" in version


def test_validate_prints_the_sentence(tmp_path: object, capsys: pytest.CaptureFixture[str]) -> None:
    from pathlib import Path

    bad = Path(str(tmp_path)) / "loop.yaml"
    bad.write_text("netwright: 1\nname: a\nx: &a\n  <<: *a\n")
    assert main(["validate", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:4:3: error yaml-syntax: this merge key ('<<') merges" in out


def test_a_tab_in_the_indentation_says_to_use_spaces() -> None:
    """An editor that indents with tabs: "found character '\\t' that cannot start any
    token" named the character in Python's escape and not the cure."""
    text = "netwright: 1\nname: a\nnamespaces:\n\tn1: {}\n"
    for found in (problems_of(text), daemon_problems(text)):
        assert [(p.code, p.line) for p in found] == [("yaml-syntax", 4)]
        assert found[0].message == ("not valid YAML: a tab where YAML allows only spaces:"
                                    " indent with spaces, not tabs"), found[0].message
