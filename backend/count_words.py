"""Counts in words: "1 object", "3 objects"; and the verb that agrees with them.

Never "object(s)" nor "belong(s)": the program knows the count, so the reader should not have
to work the grammar out. Pure text with no network meaning, in the backend's lowest layer so
the CLI, the service's messages, the checks and the designer all word counts alike.
"""

from __future__ import annotations


def counted(count: int, word: str, plural: str = "") -> str:
    """``count`` and ``word``, the plural (``plural``, else ``word`` + "s") unless it is 1;
    thousands grouped with commas, as every number the CLI prints ("3,200 bytes", "89,700
    probes"), so no message writes its own plural to get them.

    >>> counted(1, "object"), counted(3, "object"), counted(2, "match", "matches")
    ('1 object', '3 objects', '2 matches')
    >>> counted(3200, "byte")
    '3,200 bytes'
    """
    return f"{count:,} {word if count == 1 else plural or word + 's'}"


def agreeing(count: int, one: str, many: str) -> str:
    """``one`` for a single subject, else ``many``: the verb or noun that agrees with a count
    the sentence does not print (a list of names, say).

    >>> f"net1 {agreeing(1, 'belongs', 'belong')}", f"br0, br1 {agreeing(2, 'runs', 'run')}"
    ('net1 belongs', 'br0, br1 run')
    """
    return one if count == 1 else many
