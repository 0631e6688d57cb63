"""`-o OUT` of export and import: refused before any work when it cannot be what is asked
(a directory, a file that exists without --force), and written atomically, a failure said
as a sentence ("cannot write /etc/x.yaml: Permission denied") rather than a traceback."""

from __future__ import annotations

from pathlib import Path

from netwright.backend.topology.problems import NetwrightError


class OutputFileError(NetwrightError):
    """OUT cannot be written: a directory, a file that exists, a folder we may not write."""


def output_path(value: str | None) -> str | None:
    """``-o``'s file, or None for standard output: ``-o -`` is standard output, as ``-``
    is standard input for every command that reads a FILE (it made a file named '-')."""
    return None if value == "-" else value


def refuse_output(path: str, force: bool) -> None:
    """Before the work: OUT must name a file, and one that exists only with --force."""
    target = Path(path)
    if target.is_dir():
        raise OutputFileError(f"{path} is a directory: give -o the name of a file")
    if target.exists() and not force:
        raise OutputFileError(f"{path} exists; use --force to replace it")


def write_output(path: str, text: str) -> None:
    """``text`` into OUT, atomically (a temporary file beside it, renamed over it)."""
    from netwright.backend.topology.source import atomic_write

    try:
        atomic_write(Path(path), text)
    except OSError as exc:
        raise OutputFileError(f"cannot write {path}: {exc.strerror or exc}") from None
