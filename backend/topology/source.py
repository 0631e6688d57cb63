"""Topology files on disk: reading their text, with the sentence a person needs when that
fails, and writing files atomically.

Separate from the document (ruamel.yaml) and the model (pydantic) so a command that hands the
text to netwrightd, which validates it in full anyway, reads the file without loading either,
and the engine writes its state files without loading the round-trip parser.
"""

from __future__ import annotations

import contextlib
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


def atomic_write(target: Path, text: str) -> None:
    """Write, fsync, rename over the target, fsync the directory; keep the file's mode."""
    directory = target.parent if str(target.parent) else Path(".")
    try:
        mode = target.stat().st_mode & 0o7777
    except FileNotFoundError:
        mode = 0o644
    import tempfile  # here: reading a topology (every command) does not need it

    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=directory)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp_name, mode)
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise
    dir_fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
