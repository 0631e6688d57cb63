"""The DHCP part's own errors (one sentence each, naming the fix)."""

from __future__ import annotations

from netwright.backend.topology.problems import NetwrightError


class DhcpError(NetwrightError):
    """Base of the DHCP errors."""


class DhcpUnavailable(DhcpError):  # noqa: N818 (reads as a state, like KernelUnsupported)
    """A program the DHCP part needs (busybox's udhcpc, nsenter, dnsmasq) is not installed."""
