"""Where a deployment came from: the design file, who applied it, on which host, and when.

The engine records it with every apply in the deployment's state file; Status and
Deployments return it, and ``netwright status``/``list`` and the designer show it
("deployed from /home/alice/lab.yaml by alice at 12:03"). The file is whatever path the
client said it applied: shown, never opened, never trusted for anything else. The user is
the one the backend knows (the bus vouches for the caller; ``--local``: the process's own).
State files written before this existed have no source: unknown, and said so by silence.
Pure data: below the engine, the service and the clients.
"""

from __future__ import annotations

import os
import pwd
import socket
import time
import unicodedata
from typing import Any

from netwright.backend.record import record

MAX_FILE_CHARS = 1024
"""A source file path longer than this is refused (it is for display only)."""
_MAX_NAME_CHARS = 256


@record(frozen=True)
class Provenance:
    """One apply's source: ``file`` absolute as the client gave it ("" unknown), ``user``
    the applying user's name, ``host`` the backend's host name, ``time`` Unix time."""

    file: str = ""
    user: str = ""
    host: str = ""
    time: float = 0.0

    def to_json(self) -> dict[str, Any]:
        return {"file": self.file, "user": self.user, "host": self.host,
                "time": round(self.time, 3)}

    @classmethod
    def from_json(cls, data: object) -> Provenance | None:
        """Read back leniently (a state file is ours, a reply is the backend's): a field of
        the wrong type or with control characters becomes unknown, never an error."""
        if not isinstance(data, dict):
            return None
        when = data.get("time")
        return cls(shown_text(data.get("file"), MAX_FILE_CHARS), shown_text(data.get("user")),
                   shown_text(data.get("host")),
                   float(when) if isinstance(when, (int, float)) else 0.0)

    def words(self, *, host: bool = False, now: float | None = None) -> str:
        """"from /x.yaml by alice at 12:03" (what is known of it; "" when nothing is)."""
        parts = []
        if self.file:
            parts.append(f"from {self.file}")
        if self.user:
            parts.append(f"by {self.user}")
        if host and self.host:
            parts.append(f"on {self.host}")
        if self.time:
            parts.append(at_time(self.time, now))
        return " ".join(parts)


def at_time(when: float, now: float | None = None) -> str:
    """"at 12:03" today, "on 2026-12-04 at 12:03" another day (local time)."""
    moment = time.localtime(when)
    today = time.localtime(time.time() if now is None else now)
    clock = time.strftime("%H:%M", moment)
    if moment[:3] == today[:3]:
        return f"at {clock}"
    return f"on {time.strftime('%Y-%m-%d', moment)} at {clock}"


def checked_file(path: str) -> str:
    """A source file path as a caller sends it: absolute, at most MAX_FILE_CHARS, no control
    characters (it ends up on terminals); "" is allowed (unknown). ValueError says why."""
    if not path:
        return ""
    if len(path) > MAX_FILE_CHARS:
        raise ValueError(f"the source file path has {len(path)} characters; at most"
                         f" {MAX_FILE_CHARS} are accepted")
    if any(unicodedata.category(c) in ("Cc", "Cs") for c in path):
        raise ValueError("the source file path contains control characters")
    if not path.startswith("/"):
        raise ValueError("the source file path must be absolute (start with /)")
    return path


def user_name(uid: int) -> str:
    """The user's login name, or "uid N" when this system does not know it."""
    try:
        return pwd.getpwuid(uid).pw_name
    except (KeyError, OverflowError):
        return f"uid {uid}"


def applied_now(file: str, user: str) -> Provenance:
    """The source of an apply happening now on this host, by ``user``."""
    return Provenance(file, user, socket.gethostname(), time.time())


def local_user() -> str:
    """Who runs a ``--local`` command: the sudo caller when root runs it through sudo."""
    uid = os.getuid()
    sudo = os.environ.get("SUDO_USER", "") if uid == 0 else ""
    return shown_text(sudo) or user_name(uid)


def shown_text(value: object, limit: int = _MAX_NAME_CHARS) -> str:
    """``value`` as a name that is safe to show: text only (anything else is ""), at most
    ``limit`` characters, no control characters (it ends up on terminals)."""
    if not isinstance(value, str):
        return ""
    return "".join(c for c in value[:limit] if unicodedata.category(c) not in ("Cc", "Cs"))
