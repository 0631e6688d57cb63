"""Where a capture writes: FILE opened by the client, as the user, so the backend only ever
receives a descriptor (the CLI's ``capture -w FILE`` and the designer's Capture…)."""

from __future__ import annotations

import os
import secrets
import stat
import sys


class CaptureOutput:
    """FILE opened here, as the user: the backend only ever receives the descriptor.

    A regular FILE (or one not there yet) is opened beside it under a temporary name, which
    takes FILE's place as soon as the backend has started the capture (the packets then go
    on into it, where FILE is read as it grows) and is removed if it never starts: a capture
    refused — a typo in the interface, a filter tcpdump rejects, a topology not deployed —
    leaves the previous FILE as it was and creates none. A pipe, a device or a link is
    opened as it is.
    """

    def __init__(self, path: str) -> None:
        self.path, self.part = path, ""
        if path == "-":
            self.fd = sys.stdout.fileno()
            return
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
        """The capture runs: the file written takes FILE's place."""
        if self.part:
            os.replace(self.part, self.path)
            self.part = ""

    def close(self) -> None:
        """The descriptor closed (the backend writes into its own copy); FILE is left as it
        was unless the capture started."""
        if self.path != "-":
            os.close(self.fd)
        if self.part:  # never started
            os.unlink(self.part)


def _regular_or_absent(path: str) -> bool:
    try:
        return stat.S_ISREG(os.lstat(path).st_mode)
    except FileNotFoundError:
        return True
