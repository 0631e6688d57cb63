"""The one error a capture raises on purpose: a sentence naming the interface or filter."""

from __future__ import annotations

from netwright.backend.topology.problems import NetwrightError


class CaptureError(NetwrightError):
    """The capture cannot start or continue (no such interface, a bad filter, no tcpdump)."""
