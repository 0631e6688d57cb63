"""The errors of a measurement, apart from iperf3 so netwrightd's error table (and the client)
can name them without loading it.

``MeasureError``: the measurement cannot run or failed (iperf3 missing, did not listen, gave
an error) — Failed over the bus. ``MeasureOptionsError``: what the caller asked makes no sense
(an option out of range, a namespace the deployment does not have, the same namespace at both
ends) — InvalidArguments over the bus, because the fix is in the arguments.
"""

from __future__ import annotations

from netwright.backend.topology.problems import NetwrightError


class MeasureError(NetwrightError):
    """A measurement that cannot run, said as a sentence."""


class MeasureOptionsError(MeasureError):
    """The caller's options or namespaces make no sense for this deployment."""
