"""Counts in words: "1 object", "3 objects".

Never "object(s)": the program knows the count, so the reader should not have to work the
grammar out. Pure text, used by status messages, headings and undo step names.
"""

from __future__ import annotations


def counted(count: int, word: str, plural: str = "") -> str:
    """``count`` and ``word``, the plural (``plural``, else ``word`` + "s") unless it is 1.

    >>> counted(1, "object"), counted(3, "object"), counted(2, "match", "matches")
    ('1 object', '3 objects', '2 matches')
    """
    return f"{count} {word if count == 1 else plural or word + 's'}"
