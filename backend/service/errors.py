"""The errors that travel over the bus, and the table both ends use to name them.

The daemon turns every exception into one D-Bus error name under ``io.netwright.Error.``; the
client turns the name back into the same Python class, so a CLI or GUI catches
``ConflictError`` whether it called the engine directly (``--local``) or through netwrightd.
This module imports neither dbus-fast nor the kernel side, so the client can use it anywhere.
"""

from __future__ import annotations

import json
import re
from typing import Any

from netwright.backend.capture.errors import CaptureError
from netwright.backend.checks.errors import CheckOptionsError
from netwright.backend.measure.errors import MeasureOptionsError
from netwright.backend.nm.errors import ConfirmationRequired
from netwright.backend.outcomes import errors as engine_errors
from netwright.backend.outcomes.errors import (
    ApplyFailed,
    BusyError,
    Cancelled,
    ConfirmationExpired,
    ConflictError,
    EngineError,
    HostMismatch,
    KernelUnsupported,
    NotDeployed,
    NothingToConfirm,
    NotRootError,
)
from netwright.backend.outcomes.trial_over import TrialOver
from netwright.backend.service import names
from netwright.backend.topology.problems import NetwrightError, Problem, Severity, TopologyError


class NotAuthorizedError(NetwrightError):
    """polkit said no, asked for a password no agent could ask for, or could not be reached.

    ``reason``: why, without what was asked (a sentence that names the action itself can
    add it); the whole message when not given."""

    def __init__(self, message: str, reason: str = "") -> None:
        super().__init__(message)
        self.reason = reason or message


class InvalidArgumentsError(NetwrightError):
    """A call's arguments were well-typed for D-Bus but make no sense (unknown option, size)."""


class NoDhcpServer(NetwrightError):  # noqa: N818 (reads as a state)
    """DhcpServerLeases on a backend that runs no DHCP server (only a lab serves DHCP)."""


class JobNotFoundError(NetwrightError):
    """Cancel named a job that is not running (finished already, or never existed)."""


class ServiceFailedError(NetwrightError):
    """Something unexpected went wrong in the daemon; the message has the id of its log line."""


#: How an outdated backend's refusal begins (the daemon says what happens next after it).
OUTDATED_SENTENCE = ("this Netwright backend was started before Netwright's files were"
                     " replaced (an upgrade), so it runs nothing more from them")


class OutdatedBackendError(ServiceFailedError):
    """The backend started before Netwright's files were replaced (an upgrade), so it runs no
    more calls; ``exiting``: it stops now (nothing holds it), and the next call starts the
    new version; ``deployments``: what a lab keeps running for instead."""

    def __init__(self, message: str, *, exiting: bool = False,
                 deployments: tuple[str, ...] = ()) -> None:
        super().__init__(message)
        self.exiting = exiting
        self.deployments = deployments


#: What a backend that is stopping answers a call that would start a job.
STOPPING_SENTENCE = "netwrightd is stopping: nothing was changed; try again once it is back"


class BackendStoppingError(NetwrightError):
    """The backend had begun to stop when the call would have started its job (one that
    polkit kept waiting on a password while SIGTERM came, or that came meanwhile): it was
    refused before anything was done, so it may simply be made again once a backend runs."""


class BackendUnavailableError(NetwrightError):
    """No backend answers: netwrightd is not installed or running, or the lab cannot start."""


#: D-Bus error name -> the exception class a client raises for it (and the daemon maps from).
ERROR_CLASSES: dict[str, type[NetwrightError]] = {
    names.ERROR_NOT_AUTHORIZED: NotAuthorizedError,
    names.ERROR_INVALID_TOPOLOGY: TopologyError,
    names.ERROR_INVALID_ARGUMENTS: InvalidArgumentsError,
    names.ERROR_CONFLICT: ConflictError,
    names.ERROR_KERNEL_UNSUPPORTED: KernelUnsupported,
    names.ERROR_BUSY: BusyError,
    names.ERROR_CANCELLED: Cancelled,
    names.ERROR_NOT_FOUND: NotDeployed,
    names.ERROR_FAILED: ServiceFailedError,
    names.ERROR_CONFIRMATION_REQUIRED: ConfirmationRequired,
    names.ERROR_OUTDATED: OutdatedBackendError,
    names.ERROR_STOPPING: BackendStoppingError,
}

# Engine errors that are not a class of their own on the bus.
_EXTRA_NAMES: dict[type[NetwrightError], str] = {
    HostMismatch: names.ERROR_CONFLICT,
    ApplyFailed: names.ERROR_FAILED,
    NotRootError: names.ERROR_FAILED,
    JobNotFoundError: names.ERROR_NOT_FOUND,
    NothingToConfirm: names.ERROR_NOT_FOUND,
    NoDhcpServer: names.ERROR_NOT_FOUND,
    CaptureError: names.ERROR_INVALID_ARGUMENTS,
    # raised once the check or measurement reads the deployment (an outside address the
    # design holds, a --from or namespace it lacks): the arguments are wrong, as above
    CheckOptionsError: names.ERROR_INVALID_ARGUMENTS,
    MeasureOptionsError: names.ERROR_INVALID_ARGUMENTS,
    ConfirmationExpired: names.ERROR_FAILED,
}


def error_name_for(exc: NetwrightError) -> str:
    """The D-Bus error name for an expected error (the most specific class wins)."""
    for cls in type(exc).__mro__:
        for name, known in ERROR_CLASSES.items():
            if known is cls:
                return name
        if cls in _EXTRA_NAMES:
            return _EXTRA_NAMES[cls]
    return names.ERROR_FAILED


def error_detail(exc: NetwrightError) -> str:
    """JSON detail: the problems of an invalid topology, the structure of engine errors.

    Engine errors also name their class, so a client raises exactly the class the engine
    raised even where two share a D-Bus name (HostMismatch travels as Conflict).
    """
    if isinstance(exc, TopologyError):
        return json.dumps({"problems": [p.to_json() for p in exc.problems]})
    data: dict[str, Any] = {}
    if isinstance(exc, EngineError):
        data["class"] = type(exc).__name__
    if isinstance(exc, ApplyFailed):
        data.update(step=exc.step, reason=exc.reason, rolled_back=exc.rolled_back)
    if isinstance(exc, KernelUnsupported):
        data.update(kind=exc.kind, module=exc.module)
    if isinstance(exc, OutdatedBackendError):
        data.update(exiting=exc.exiting, deployments=list(exc.deployments))
    if isinstance(exc, EngineError) and exc.trial_over is not None:
        data["trial_over"] = exc.trial_over.to_json()  # for the caller's time zone (1.20)
    return json.dumps(data) if data else ""


def exception_from_error(name: str, message: str, detail: str = "") -> NetwrightError:
    """Rebuild the exception a D-Bus error stands for, as the engine would have raised it."""
    data = _parse_detail(detail)
    if name == names.ERROR_INVALID_TOPOLOGY:
        problems = [problem_from_json(p) for p in data.get("problems", []) if isinstance(p, dict)]
        if problems:
            return TopologyError(problems)
        return TopologyError([Problem("error", "invalid", (), message)])
    if name == names.ERROR_KERNEL_UNSUPPORTED and "kind" in data:
        unsupported = KernelUnsupported(str(data["kind"]), str(data.get("module", "")))
        unsupported.args = (message,)
        return unsupported
    if name == names.ERROR_FAILED and {"step", "reason"} <= data.keys():
        failed = ApplyFailed(str(data["step"]), str(data["reason"]),
                             rolled_back=bool(data.get("rolled_back", True)))
        failed.args = (message,)
        return failed
    if name == names.ERROR_OUTDATED:
        held = data.get("deployments")
        return OutdatedBackendError(
            message, exiting=data.get("exiting") is True,
            deployments=tuple(str(n) for n in held) if isinstance(held, list) else ())
    engine_class = getattr(engine_errors, str(data.get("class", "")), None)
    if (isinstance(engine_class, type) and issubclass(engine_class, EngineError)
            and engine_class not in (KernelUnsupported, ApplyFailed)):
        over = TrialOver.from_json(data.get("trial_over"))
        # said again here: the time a trial ended reads in this process's zone, as status
        return engine_class(message) if over is None else engine_class.about(over)
    cls = ERROR_CLASSES.get(name)
    if cls is None or cls is TopologyError:
        return ServiceFailedError(f"{message} ({name})" if name else message)
    return cls(message)


def _parse_detail(detail: str) -> dict[str, Any]:
    if not detail:
        return {}
    try:
        data = json.loads(detail)
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


_PATH_PART = re.compile(r'\.?([A-Za-z0-9_-]+)|\[(\d+)\]|\["((?:[^"\\]|\\.)*)"\]')


def parse_path(text: str) -> tuple[str | int, ...]:
    """The model path a problem's ``path`` text stands for (the inverse of format_path)."""
    parts: list[str | int] = []
    position = 0
    while position < len(text):
        match = _PATH_PART.match(text, position)
        if match is None:
            return (text,)  # not a path this version renders; keep it whole
        word, index, quoted = match.groups()
        if word is not None:
            parts.append(word)
        elif index is not None:
            parts.append(int(index))
        else:
            parts.append(re.sub(r"\\(.)", r"\1", quoted))
        position = match.end()
    return tuple(parts)


def problem_from_json(data: dict[str, Any]) -> Problem:
    """A Problem as Problem.to_json() wrote it."""
    severity: Severity = "warning" if data.get("severity") == "warning" else "error"
    return Problem(
        severity, str(data.get("code", "invalid")), parse_path(str(data.get("path", ""))),
        str(data.get("message", "")), int(data.get("line", 0) or 0),
        int(data.get("column", 0) or 0), str(data.get("file", "")),
    )
