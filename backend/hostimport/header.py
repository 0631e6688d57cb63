"""The comment line an imported topology file opens with, and how it stays true.

``netwright import`` writes that every object is ``existing``; ``netwright adopt`` then makes
some of them the topology's own and takes their ``existing`` out of the file, so it rewrites
the line to name them (each adopt adds its objects to the list). A file whose first line is
not the import's (written by hand, or edited) is left as it is.
"""

from __future__ import annotations

from collections.abc import Sequence

IMPORTED = "# Imported from the live host by `netwright import`: every object is existing.\n"
COPIED = "# Copied from the live host by `netwright import --as-design`.\n"
_ADOPTED = ("# Imported from the live host by `netwright import`, every object existing;"
            " adopted since by `netwright adopt` (now the topology's own): ")


def after_adoption(text: str, keys: Sequence[str]) -> str:
    """``text`` with its import line saying that ``keys`` were adopted (added to those an
    earlier adopt named); any other first line is kept as it is."""
    first, _, rest = text.partition("\n")
    if first + "\n" == IMPORTED:
        named: list[str] = []
    elif first.startswith(_ADOPTED) and first.endswith("."):
        named = first[len(_ADOPTED):-1].split(", ")
    else:
        return text
    named += [key for key in keys if key not in named]
    return f"{_ADOPTED}{', '.join(named)}.\n{rest}"
