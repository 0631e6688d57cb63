"""Lease facts as the client's event script records them: address, server, router, expiry.

The event script (``script.py``) writes one small ``key=value`` file per interface when a
lease is bound or renewed, and removes it when the lease is given up. Reading it needs no
kernel access and no running client, so Status works while a client is restarting.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Lease:
    """One bound lease. ``obtained`` and ``expires`` are Unix times (seconds)."""

    key: str
    interface: str
    address: str  # CIDR, e.g. 192.168.31.130/24
    server: str | None
    router: str | None
    obtained: float
    expires: float
    default_route: str | None  # the gateway of a default route the client added, if any

    @property
    def ip(self) -> str:
        return self.address.split("/", 1)[0]

    def seconds_left(self, now: float | None = None) -> float:
        return max(0.0, self.expires - (time.time() if now is None else now))

    def describe(self, now: float | None = None) -> str:
        """``192.168.31.130/24 from 192.168.31.1, expires in 118 s``."""
        server = f" from {self.server}" if self.server else ""
        return f"{self.address}{server}, expires in {self.seconds_left(now):.0f} s"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


def parse_lease(text: str, key: str) -> Lease | None:
    """A lease from the event script's file; None if it is incomplete (a crash mid-write)."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        name, sep, value = line.partition("=")
        if sep:
            fields[name.strip()] = value.strip()
    try:
        obtained = float(fields["obtained"])
        seconds = float(fields.get("lease_seconds") or 0)
        address = fields["address"]
        interface = fields["interface"]
    except (KeyError, ValueError):
        return None
    if not address or "/" not in address:
        return None
    return Lease(key=key, interface=interface, address=address,
                 server=fields.get("server") or None, router=fields.get("router") or None,
                 obtained=obtained, expires=obtained + seconds,
                 default_route=fields.get("default_route") or None)


def read_lease(path: Path, key: str) -> Lease | None:
    try:
        return parse_lease(path.read_text(encoding="utf-8"), key)
    except FileNotFoundError:
        return None


def read_event(path: Path) -> tuple[str, float, str] | None:
    """The client's last event (``bound``, ``renew``, ``leasefail``, ``nak``, ``deconfig``, or
    ``refused`` when the kernel would not take the leased address), when it happened, and
    the detail the script recorded (for ``refused``: the address and the kernel's words)."""
    try:
        name, _, rest = path.read_text(encoding="utf-8").strip().partition(" ")
        when, _, detail = rest.partition(" ")
        return name, float(when), detail
    except (FileNotFoundError, ValueError):
        return None
