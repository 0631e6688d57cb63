"""Problems found in a topology, and the one error type the contract raises.

Every consumer (CLI, GUI, daemon) needs the same three things from a problem: where it is
(a path into the model, and the file's line and column), what kind it is (a stable code that
tests and scripts can match) and what to do about it (a sentence). Keeping them in one small
frozen record (``backend/record.py``) lets the daemon ship them as JSON and the GUI badge the
right item.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Literal

from netwright.backend.record import as_dict, field, record

Severity = Literal["error", "warning"]
PathPart = str | int
ModelPath = tuple[PathPart, ...]

_PLAIN_KEY = re.compile(r"^[A-Za-z0-9_-]+$")
#: How much of a caller's own input an error sentence repeats.
QUOTE_CHARACTERS = 64


def quote(value: object, limit: int = QUOTE_CHARACTERS) -> str:
    """``value`` as an error sentence shows it: repr of at most ``limit`` characters.

    Callers choose what they send; an error must not hand a 10 MB argument back to them
    (or into the log) in full.
    """
    text = str(value)
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}… ({len(text)} characters)"


def format_path(path: Sequence[PathPart]) -> str:
    """Render a model path the way users read it: ``interfaces.ipvlan1.addresses[0]``.

    Keys that are not plain words (a sysctl such as ``net.ipv4.ip_forward``) are quoted in
    brackets so the rendering stays unambiguous.
    """
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        elif _PLAIN_KEY.fullmatch(part):
            out += f".{part}" if out else part
        else:
            out += '["' + part.replace("\\", "\\\\").replace('"', '\\"') + '"]'
    return out


@record(frozen=True)
class Problem:
    """One validation finding. ``line`` and ``column`` are 1-based; 0 means unknown."""

    severity: Severity
    code: str
    path: ModelPath
    message: str
    line: int = 0
    column: int = 0
    file: str = ""

    @property
    def path_text(self) -> str:
        return format_path(self.path)

    def located(self, line: int, column: int, file: str = "") -> Problem:
        """The same problem with a position in a file."""
        return Problem(self.severity, self.code, self.path, self.message, line, column, file)

    def render(self) -> str:
        """``FILE:LINE:COL: error CODE: sentence (at PATH)``, the line editors jump to.

        Only the position that is known is printed, as compilers do: ``FILE:LINE:`` without
        a column, ``FILE:`` for a problem of the whole file (unreadable, not UTF-8), never a
        line 0 nobody can go to."""
        where = self.file or "<topology>"
        if self.line:
            where += f":{self.line}:{self.column}" if self.column else f":{self.line}"
        at = f" (at {self.path_text})" if self.path else ""
        return f"{where}: {self.severity} {self.code}: {self.message}{at}"

    def to_json(self) -> dict[str, object]:
        data = as_dict(self)
        data["path"] = self.path_text
        return data


class NetwrightError(Exception):
    """Base of every error Netwright raises on purpose; anything else is a bug."""


@record
class TopologyError(NetwrightError):
    """A topology could not be read or is invalid; carries every problem found."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__(self.summary())

    def summary(self) -> str:
        errors = [p for p in self.problems if p.severity == "error"]
        if not errors:
            return "the topology is invalid"
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        return f"{first.render()}{more}"

    def __str__(self) -> str:
        return self.summary()


def errors_of(problems: Sequence[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]
