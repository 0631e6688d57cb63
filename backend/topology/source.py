"""Topology files on disk: reading their text, with the sentence a person needs when that
fails, and writing files atomically.

Separate from the document (ruamel.yaml) and the model (pydantic) so a command that hands the
text to netwrightd, which validates it in full anyway, reads the file without loading either,
and the engine writes its state files without loading the round-trip parser.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import os
import sys
from pathlib import Path

from netwright.backend.topology.bounds import MAX_TEXT_BYTES
from netwright.backend.topology.problems import Problem, TopologyError

#: The path that stands for standard input, as in most command-line tools.
STDIN = "-"
#: How problems in text read from standard input name their file ('<stdin>:3:5: …').
STDIN_LABEL = "<stdin>"


def file_label(path: str | os.PathLike[str]) -> str:
    """The name problems give the file at ``path``: '<stdin>' for '-', else the path."""
    return STDIN_LABEL if str(path) == STDIN else str(path)


def read_topology_text(path: str | os.PathLike[str]) -> str:
    """The file's text ('-': standard input, read once however often it is asked for); a
    TopologyError naming the file if it is unreadable or not UTF-8."""
    name = file_label(path)
    try:
        raw = _read_stdin() if str(path) == STDIN else _read_bounded(path)
    except OSError as exc:
        raise TopologyError([Problem(
            "error", "unreadable", (), f"cannot read the file: {exc.strerror}"
            + _name_hint(str(path), exc), 0, 0, name,
        )]) from None
    if len(raw) > MAX_TEXT_BYTES:
        raise TopologyError([Problem(
            "error", "too-large", (), f"the file is larger than {MAX_TEXT_BYTES // 1024} KiB",
            0, 0, name,
        )])
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise TopologyError([Problem(
            "error", "yaml-syntax", (), f"the file is not UTF-8 text (byte {exc.start})",
            0, 0, name,
        )]) from None


def _name_hint(path: str, exc: OSError) -> str:
    """For a missing 'seed' (no directory, no file suffix): the person most likely gave a
    deployment's name to a command that reads a file (validate, explain, plan, apply,
    export)."""
    if exc.errno != errno.ENOENT or os.sep in path or path.endswith((".yaml", ".yml", ".json")):
        return ""
    return (f" ('{path}' looks like a topology's name, but this command reads a topology file:"
            " `netwright list` shows the file each deployment was applied from)")


def _read_bounded(path: str | os.PathLike[str]) -> bytes:
    """The file's bytes, one past the bound at most: /dev/zero or a pipe that never ends
    is refused as too large instead of read until memory runs out."""
    with open(path, "rb") as stream:
        return stream.read(MAX_TEXT_BYTES + 1)


@functools.cache
def _read_stdin() -> bytes:
    """Standard input's bytes (one past the bound at most): a command may read its topology
    twice (validate asks netwrightd, then reads here when it does not answer), but standard
    input only once."""
    return sys.stdin.buffer.read(MAX_TEXT_BYTES + 1)


def in_file(error: TopologyError, path: str | os.PathLike[str]) -> TopologyError:
    """``error`` with every problem placed in ``path`` (the daemon validated the bare text)."""
    return TopologyError([p if p.file else p.located(p.line, p.column, file_label(path))
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
