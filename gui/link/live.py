"""The live host through the window's backend: observe it, adopt its objects.

The backend (netwrightd, or the lab's) reads the host in ``ImportHost`` (polkit's
``io.netwright.observe``) and marks objects in ``Adopt`` (``io.netwright.apply``, and
``io.netwright.adopt`` besides once it marks anything). Each
failure comes back as ``LiveHostError`` whose text is the sentence to show: who refused and
what to do, never a D-Bus name.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from netwright.backend.topology.problems import NetwrightError
from netwright.gui.link.backend import Backend

LIVE_NAME = "live-host"


class LiveHostError(NetwrightError):
    """The live host could not be read or its objects adopted; str() is the sentence."""


@dataclass(frozen=True)
class Observation:
    text: str  # the topology file of the host, every object existing
    skipped: list[str]  # what the file format cannot say, one sentence each
    when: datetime
    lab: bool
    # NetworkManager's view of each host device it knows (name → ImportHost's entry)
    networkmanager: dict[str, dict[str, Any]] = field(default_factory=dict)
    # what holds each anonymous namespace (key → "held by sleep (pid 4242)")
    holders: dict[str, str] = field(default_factory=dict)
    # the host's own forwarding and nftables tables, which the file leaves out (ImportHost's
    # "host"; empty from an older backend: Compare then says they were not compared)
    host: dict[str, Any] = field(default_factory=dict)


def _sentence(doing: str, exc: Exception) -> LiveHostError:
    """The backend's exception as what the user reads."""
    errors = importlib.import_module("netwright.backend.service.errors")
    if isinstance(exc, errors.NotAuthorizedError):
        return LiveHostError(f"not authorised to {doing}: {exc}")
    if isinstance(exc, errors.BackendUnavailableError):
        return LiveHostError(f"cannot {doing}: {exc}")
    return LiveHostError(f"cannot {doing}: {exc}")


READ = "read the live host"  # "cannot read the live host: …", "not authorised to read …"


async def observe(backend: Backend | None) -> Observation:
    """The live host as the backend sees it (the lab's emulated host for a lab)."""
    if backend is None:
        raise LiveHostError(f"cannot {READ}: no backend is connected (install netwrightd, or"
                            " let the designer start a lab)")
    call = getattr(backend, "import_host_data", None)
    if call is None:
        raise LiveHostError(f"cannot {READ}: this backend does not offer it")
    try:
        answer = await call(LIVE_NAME, [])
    except Exception as exc:  # the client's exceptions carry the sentence
        raise _sentence(READ, exc) from None
    managed, held = answer.get("networkmanager"), answer.get("holders")
    host = answer.get("host")
    return Observation(str(answer["topology"]), [str(s) for s in answer.get("skipped", [])],
                       datetime.now(), bool(getattr(backend, "lab", False)),
                       dict(managed) if isinstance(managed, dict) else {},
                       {str(k): str(v) for k, v in held.items()} if isinstance(held, dict)
                       else {}, dict(host) if isinstance(host, dict) else {})


def managed_text(name: str, entry: dict[str, Any]) -> str:
    """NetworkManager's words for a device of the observation ("managed by NetworkManager:
    profile …"), as the imported file's comment says them."""
    devices = importlib.import_module("netwright.backend.nm.managed")
    fields = ("managed", "state", "profile", "uuid", "type", "filename")
    device = devices.ManagedDevice(iface=name, **{k: entry.get(k) for k in fields})
    return str(device.text)


async def adopt(backend: Backend | None, name: str, keys: list[str], *, preview: bool
                ) -> list[dict[str, Any]]:
    """Adopt ``keys`` (existing objects of deployed design ``name``) or, with ``preview``,
    only name them as the backend will: [{"key", "text", "section"}…]."""
    call = getattr(backend, "adopt", None)
    if backend is None or call is None:
        raise LiveHostError("cannot adopt: no backend that adopts is connected")
    try:
        answer: list[dict[str, Any]] = await call(name, keys, preview=preview)
    except Exception as exc:
        raise _sentence(f"adopt into {name}", exc) from None
    return answer
