"""Where a capture writes: FILE opened by the client, as the user, so the backend only ever
receives a descriptor (the CLI's ``capture -w FILE`` and the designer's Capture…)."""

from __future__ import annotations

import errno
import os
import secrets
import stat
import sys

from netwright.backend.capture.errors import CaptureError
from netwright.backend.count_words import counted


class CaptureOutput:
    """FILE opened here, as the user: the backend only ever receives the descriptor.

    A regular FILE (or one not there yet) is opened beside it under a temporary name, which
    takes FILE's place as soon as the backend has started the capture (the packets then go
    on into it, where FILE is read as it grows) and is removed if it never starts: a capture
    refused — a typo in the interface, a filter tcpdump rejects, a topology not deployed —
    leaves the previous FILE as it was and creates none. A pipe, a device or a link is
    opened as it is.

    ``keep_existing`` (the CLI without ``--force``): a regular FILE that already holds data
    is refused with ``CaptureFileExistsError`` before anything is opened, since no user file is
    ever overwritten with less, and a capture is seldom one that can be made again. The
    designer leaves it False: its save dialog has asked before replacing a file. The file
    written then takes FILE's place only where FILE still is not (a hard link, which fails
    on one that is there) or is the empty file seen at first: one another program made
    while the capture was starting (which waits for the backend, polkit, maybe a password)
    is left as it is, and ``started`` raises ``CaptureFileExistsError``.
    """

    def __init__(self, path: str, *, keep_existing: bool = False) -> None:
        self.path, self.part = path, ""
        self.keep_existing = keep_existing
        self._empty_seen: tuple[int, int] | None = None
        """(device, inode) of the empty FILE there at first, which may be replaced."""
        if path == "-":
            self.fd = sys.stdout.fileno()
            if keep_existing and os.isatty(self.fd):
                raise CaptureError(
                    "-w - writes pcapng, which is binary, to standard output, and that is"
                    " your terminal: pipe it (| wireshark -k -i -, | tcpdump -r -) or write"
                    " a file (-w FILE); add --force to write it to the terminal anyway")
            return
        if keep_existing:
            size = _held_bytes(path)
            if size:
                raise CaptureFileExistsError(path, size)
            self._empty_seen = _regular_identity(path)
        if _regular_or_absent(path):
            folder, name = os.path.split(os.path.abspath(path))
            while True:
                part = os.path.join(folder, f".{name}.{secrets.token_hex(4)}.part")
                try:
                    self.fd = os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                                      | os.O_CLOEXEC, 0o644)
                except FileExistsError:
                    continue
                except PermissionError:  # a file we may write in a folder we may not
                    break
                self.part = part
                return
        self.fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)

    def started(self) -> None:
        """The capture runs: the file written takes FILE's place (with ``keep_existing``,
        only if no other file took it meanwhile: else CaptureFileExistsError, FILE left as
        it is and the file written removed by ``close``)."""
        if not self.part:
            return
        if not self.keep_existing:
            os.replace(self.part, self.path)
        else:
            self._take_place_of_nothing()
        self.part = ""

    def _take_place_of_nothing(self) -> None:
        try:
            os.link(self.part, self.path)
        except FileExistsError:
            if (self._empty_seen is None or _regular_identity(self.path) != self._empty_seen
                    or _held_bytes(self.path)):
                raise CaptureFileExistsError(self.path, _held_bytes(self.path),
                                             meanwhile=True) from None
            os.replace(self.part, self.path)  # the empty FILE the user named
            return
        except OSError as exc:  # a file system without hard links: an empty placeholder
            if exc.errno not in (errno.EPERM, errno.EOPNOTSUPP, errno.EMLINK):
                raise
            try:
                os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL
                                 | os.O_CLOEXEC, 0o644))
            except FileExistsError:
                raise CaptureFileExistsError(self.path, _held_bytes(self.path),
                                             meanwhile=True) from None
            os.replace(self.part, self.path)  # over our own placeholder
            return
        os.unlink(self.part)

    def close(self) -> None:
        """The descriptor closed (the backend writes into its own copy); FILE is left as it
        was unless the capture started."""
        if self.path != "-":
            os.close(self.fd)
        if self.part:  # never started
            os.unlink(self.part)


class CaptureFileExistsError(FileExistsError):
    """FILE is a regular file that holds ``size`` bytes, and the caller keeps such files;
    ``meanwhile``: it appeared (or changed) after the capture's first look, while the
    capture was starting."""

    def __init__(self, path: str, size: int, *, meanwhile: bool = False) -> None:
        super().__init__(f"{path} {'appeared meanwhile and ' if meanwhile else 'already '}"
                         f"holds {counted(size, 'byte')}")
        self.path, self.size, self.meanwhile = path, size, meanwhile


def _held_bytes(path: str) -> int:
    """The size of a regular file at ``path`` (following a link, as the open would); 0 for
    none there, an empty one, or a pipe or a device."""
    try:
        info = os.stat(path)
    except (FileNotFoundError, NotADirectoryError):
        return 0
    return info.st_size if stat.S_ISREG(info.st_mode) else 0


def _regular_identity(path: str) -> tuple[int, int] | None:
    """(device, inode) of the regular file at ``path`` (not following a link); None else."""
    try:
        info = os.lstat(path)
    except (FileNotFoundError, NotADirectoryError):
        return None
    return (info.st_dev, info.st_ino) if stat.S_ISREG(info.st_mode) else None


def _regular_or_absent(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return True
