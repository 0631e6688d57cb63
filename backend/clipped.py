"""A caller's text quoted back to it: at most a short prefix, visibly cut.

An error that echoes a 10 MB name back costs 10 MB (issue 14), so messages quote a prefix; a
prefix shown as if it were the whole value misleads ("'xxxx' is not a valid name" when the
name went on for pages), so a cut one ends in "…". In the backend's lowest layer, pure text,
so the model, the engine and the service clip alike.
"""

from __future__ import annotations

#: How much of a caller's value a message quotes: a name or an address fits whole.
QUOTED = 80


def clipped(value: object, limit: int = QUOTED) -> str:
    """``str(value)``, or its first ``limit`` characters and "…" when it is longer.

    >>> clipped("br0"), clipped("x" * 100, 4)
    ('br0', 'xxxx…')
    """
    text = str(value)
    return text if len(text) <= limit else f"{text[:limit]}…"
