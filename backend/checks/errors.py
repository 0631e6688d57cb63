"""The error a check raises when what the caller asked makes no sense for the design.

Its own small module (like capture/errors.py) so that netwrightd's error table and the client
can name it without loading the checks: over the bus it travels as InvalidArguments, not as
Failed, because the fix is in the caller's arguments, not in the machine.
"""

from __future__ import annotations

from netwright.backend.topology.problems import NetwrightError


class CheckOptionsError(NetwrightError):
    """A check option is out of range, or names what the design does not allow: an outside
    address the topology holds, a ``--from`` address or namespace it does not have."""
