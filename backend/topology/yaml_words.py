"""A YAML parser's reasons in the words of someone writing the file.

Shared by the topology loader (ruamel) and the Kubernetes import (PyYAML), whose parsers
word their errors alike, so ``validate`` and ``import --from multus`` say the same. Pure text:
imports no parser.
"""

from __future__ import annotations

_TOKEN_WORDS = {
    "'<stream end>'": "the end of the file",
    "'<document end>'": "the end of the document",
    "'<block mapping start>'": "a key",
    "'<block sequence start>'": "a list item",
    "'<scalar>'": "a value",
}
"""The parser's own names of what it found, which say nothing to someone writing a file."""


def yaml_reason_in_words(reason: str) -> str:
    """The parser's ``reason`` in the file's terms: "expected <block end>, but found
    '<block mapping start>'" is a line indented unlike its neighbours, and "mapping values
    are not allowed here" a ':' where a plain value goes."""
    if "'\\t'" in reason:  # "found character '\t' that cannot start any token"
        return "a tab where YAML allows only spaces: indent with spaces, not tabs"
    if reason.startswith("expected <block end>"):
        return ("this line is indented unlike the lines above it: the keys of one mapping, and"
                " the items of one list, start in the same column")
    if reason == "mapping values are not allowed here":
        return ("a ':' where a plain value goes: end the key on the line above with its ':',"
                " or quote a value that holds ': '")
    for token, words in _TOKEN_WORDS.items():
        reason = reason.replace(token, words)
    return reason
