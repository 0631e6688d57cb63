"""DHCP leases as the designer shows them: parsed from Status, worded for people.

The backend reports one entry per ``dhcp`` interface in ``Status.dhcp``, in the shape
``netwright.backend.dhcp.ClientState.to_json`` writes (interface, name, namespace, client_id,
client_id_origin, phase, pid, address, server, expires, text). This module turns that into
the few words the canvas has room for, the rows of the inspector and the lease table, and a
countdown to the expiry. It is pure (no Qt), so the wording is tested without a window.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any, Literal

Tone = Literal["ok", "pending", "failed"]

#: What the canvas says after "dhcp: " for each phase that has no address.
_PHASE_WORDS = {
    "waiting": "waiting for a lease",
    "no-server": "failed, no server answered",
    "refused": "failed, the kernel refused the address",
    "stopped": "failed, no client runs",
}
_TONES: dict[str, Tone] = {"bound": "ok", "waiting": "pending"}


@dataclass(frozen=True)
class LeaseInfo:
    """One ``dhcp`` interface's client and lease, as the backend reported it."""

    key: str
    name: str
    namespace: str | None
    phase: str  # bound, waiting, no-server, refused, stopped
    address: str | None
    server: str | None
    router: str | None
    expires: float | None
    client_id: str | None
    client_id_origin: str
    text: str

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> LeaseInfo:
        """Tolerant of missing fields: an older or newer backend still shows something."""
        expires = data.get("expires")
        return cls(
            key=str(data.get("interface", "")),
            name=str(data.get("name") or data.get("interface", "")),
            namespace=data.get("namespace"),
            phase=str(data.get("phase", "waiting")),
            address=data.get("address") or None,
            server=data.get("server") or None,
            router=data.get("router") or None,
            expires=float(expires) if isinstance(expires, (int, float)) else None,
            client_id=data.get("client_id"),
            client_id_origin=str(data.get("client_id_origin", "")),
            text=str(data.get("text", "")),
        )

    @property
    def bound(self) -> bool:
        return self.phase == "bound" and self.address is not None

    @property
    def tone(self) -> Tone:
        """ok (leased), pending (still asking) or failed: the colour it is drawn in."""
        if self.phase == "bound" and self.address is None:
            return "pending"
        return _TONES.get(self.phase, "failed")

    def canvas_text(self) -> str:
        """The interface item's address line: ``192.168.31.130/24 (dhcp)`` or
        ``dhcp: waiting for a lease`` / ``dhcp: failed, …``."""
        if self.bound:
            return f"{self.address} (dhcp)"
        return f"dhcp: {_PHASE_WORDS.get(self.phase, self.phase.replace('-', ' '))}"

    def client_id_words(self) -> str:
        """Which client-id is sent, and where it comes from."""
        if self.client_id is None or self.client_id_origin == "mac":
            return "none (the server identifies it by its MAC)"
        origin = {"derived": "derived by Netwright", "given": "as given in the topology"}
        why = origin.get(self.client_id_origin, self.client_id_origin)
        return f"{self.client_id} ({why})" if why else self.client_id

    def expiry_words(self, now: float | None = None) -> str:
        """``in 1 min 52 s (at 18:42:10)``; ``expired 5 s ago (…)``; ``—`` without a lease."""
        if self.expires is None or not self.bound:
            return "—"
        now = time.time() if now is None else now
        left = self.expires - now
        at = absolute_time(self.expires, now)
        if left <= 0:
            return f"expired {duration(-left)} ago (at {at})"
        return f"in {duration(left)} (at {at})"


def duration(seconds: float) -> str:
    """A short countdown: ``45 s``, ``1 min 52 s``, ``2 h 05 min``, ``3 d 4 h``."""
    total = max(0, int(seconds + 0.5))
    days, rest = divmod(total, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    if days:
        return f"{days} d {hours} h"
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs} s"
    return f"{secs} s"


def absolute_time(when: float, now: float) -> str:
    """The local clock time, with the date when it is not today."""
    moment, today = time.localtime(when), time.localtime(now)
    if moment[:3] == today[:3]:
        return time.strftime("%H:%M:%S", moment)
    return time.strftime("%Y-%m-%d %H:%M:%S", moment)


def leases_of(status: Any, topology: str | None = None) -> dict[str, LeaseInfo]:
    """Interface key → its lease, from a Status (or its JSON); empty when not deployed or
    when the status is of another topology than ``topology``."""
    data = status.to_json() if hasattr(status, "to_json") else dict(status or {})
    if not data.get("deployed"):
        return {}
    if topology is not None and data.get("topology") not in (None, topology):
        return {}
    entries = [LeaseInfo.from_json(d) for d in data.get("dhcp", []) if isinstance(d, dict)]
    return {info.key: info for info in entries if info.key}


def lease_rows(info: LeaseInfo, now: float | None = None) -> list[tuple[str, str]]:
    """The inspector's lines for one interface: label and value, in reading order."""
    rows = [("Phase", info.phase.replace("-", " ")),
            ("Address", info.address or "—"),
            ("Server", info.server or "—")]
    if info.router:
        rows.append(("Router", info.router))
    rows += [("Expires", info.expiry_words(now)),
             ("Client-id sent", info.client_id_words())]
    return rows
