"""Reading a topology file's text, with the sentence a person needs when that fails.

Separate from the document (ruamel.yaml) and the model (pydantic) so a command that hands the
text to netwrightd, which validates it in full anyway, reads the file without loading either.
"""

from __future__ import annotations

import os
from pathlib import Path

from netwright.backend.topology.problems import Problem, TopologyError


def read_topology_text(path: str | os.PathLike[str]) -> str:
    """The file's text; a TopologyError naming the file if it is unreadable or not UTF-8."""
    name = str(path)
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        raise TopologyError([Problem(
            "error", "unreadable", (), f"cannot read the file: {exc.strerror}", 0, 0, name,
        )]) from None
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TopologyError([Problem(
            "error", "yaml-syntax", (), f"the file is not UTF-8 text (byte {exc.start})",
            0, 0, name,
        )]) from None


def in_file(error: TopologyError, path: str | os.PathLike[str]) -> TopologyError:
    """``error`` with every problem placed in ``path`` (the daemon validated the bare text)."""
    return TopologyError([p if p.file else p.located(p.line, p.column, str(path))
                          for p in error.problems])
