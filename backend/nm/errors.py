"""The errors the NetworkManager layer raises on purpose, each one sentence a person can act on.

All derive from ``NetwrightError`` so the CLI prints them and the D-Bus service maps them to
named errors instead of tracebacks.
"""

from __future__ import annotations

from netwright.backend.topology.problems import NetwrightError


class NmError(NetwrightError):
    """Base of the NetworkManager layer's errors."""


class NmUnavailable(NmError):  # noqa: N818 (reads as a state)
    """No NetworkManager answers on the system bus (servers, containers)."""


class NmCallFailed(NmError):  # noqa: N818 (reads as what happened)
    """NetworkManager refused or failed a call; ``dbus_error`` is its D-Bus error name."""

    def __init__(self, what: str, dbus_error: str, text: str) -> None:
        self.what = what
        self.dbus_error = dbus_error
        self.text = text
        short = dbus_error.rsplit(".", 1)[-1]
        super().__init__(f"NetworkManager could not {what}: {text} ({short})")


class PersistUnsupported(NmError):  # noqa: N818 (reads as a state)
    """``persist: true`` cannot be honoured here: no NM, or an NM too old for the kind."""


class ActivationFailed(NmError):  # noqa: N818 (reads as what happened)
    """A profile was added but NetworkManager did not bring its device up in time."""


class ConfirmationRequired(NmError):  # noqa: N818 (reads as a state)
    """The change would take down the connection the host uses; the caller must confirm."""


class WrongNamespace(NmError):  # noqa: N818 (reads as a state)
    """The NetworkManager on this bus manages another network namespace than the target's."""
