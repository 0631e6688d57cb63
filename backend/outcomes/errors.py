"""The errors the engine raises on purpose, one class per thing a caller reacts to differently.

The D-Bus service maps each class to a named D-Bus error (Conflict, KernelUnsupported, Busy,
Failed …), the CLI prints ``str(error)``: so every class carries one plain sentence that names
the object and, where there is one, the fix. All derive from ``NetwrightError`` so callers
that only want "an expected failure" catch one type.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netwright.backend.topology.problems import NetwrightError

if TYPE_CHECKING:
    from typing import Self

    from netwright.backend.outcomes.trial_over import TrialOver


class EngineError(NetwrightError):
    """Base of the engine's own errors."""

    trial_over: TrialOver | None = None
    """Set when the sentence says when a trial ended (``about``): its parts, so that a client
    says that time in its own zone."""

    @classmethod
    def about(cls, over: TrialOver) -> Self:
        """The error whose sentence is ``over.words()``, keeping ``over`` beside it."""
        error = cls(over.words())
        error.trial_over = over
        return error


class ConflictError(EngineError):
    """An object this topology needs is already there and does not belong to it.

    Raised before anything is changed: Netwright never deletes, moves, renames or re-addresses
    an object it did not create.
    """


class KernelUnsupported(EngineError):  # noqa: N818 (name fixed by the API)
    """The running kernel cannot create a link kind the topology uses."""

    def __init__(self, kind: str, module: str, detail: str = "") -> None:
        self.kind = kind
        self.module = module
        sentence = (
            f"this kernel has no {kind} support (module {module}): load it with"
            f" 'modprobe {module}' or use a kernel built with it"
        )
        super().__init__(sentence + (f" ({detail})" if detail else ""))


class BusyError(EngineError):
    """Another apply or destroy of the same topology is running."""


class ApplyFailed(EngineError):  # noqa: N818 (name fixed by the API)
    """A step failed; every step already done was rolled back.

    ``step`` is the text of the failing step, ``reason`` the kernel's error translated into a
    sentence, ``rolled_back`` whether the rollback completed cleanly.
    """

    def __init__(self, step: str, reason: str, *, rolled_back: bool = True) -> None:
        self.step = step
        self.reason = reason
        self.rolled_back = rolled_back
        tail = (
            "every change made so far was rolled back"
            if rolled_back
            else "the rollback did not complete; run the command again to finish it"
        )
        super().__init__(f"failed to {step}: {reason}; {tail}")


class TooManyFiles(EngineError):  # noqa: N818 (reads as the reason)
    """The topology needs more open files than this process may have; nothing was touched."""


class NotRootError(EngineError):
    """The engine needs root (CAP_NET_ADMIN and CAP_SYS_ADMIN) and does not have it."""


class Cancelled(EngineError):  # noqa: N818 (name fixed by the API)
    """The caller cancelled an apply or destroy; what was done was rolled back."""


class NotDeployed(EngineError):  # noqa: N818 (reads as a state)
    """``status``/``destroy``/``deployment`` named a topology that is not deployed."""


class HostMismatch(EngineError):  # noqa: N818 (reads as a state)
    """The topology builds on a host NIC the target does not have."""


class NothingToConfirm(EngineError):  # noqa: N818 (reads as a state)
    """Confirm or revert named a topology with no change awaiting confirmation."""


class ConfirmationExpired(EngineError):  # noqa: N818 (reads as what happened)
    """The confirmation came after the deadline, so the previous deployment was restored."""


class ConfirmWindowError(EngineError):
    """The confirmation window asked for is shorter or longer than the engine allows."""
