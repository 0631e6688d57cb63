"""``import pyroute2.netlink.rtnl`` without running pyroute2's package ``__init__`` first.

pyroute2's ``__init__`` imports every API it has: NDB and IPDB (with sqlite3), IPSet, IPVS,
nl80211, WireGuard, plan9 … — 163 modules, about half of the library's import time, when
the engine uses netlink messages from ``pyroute2.netlink`` and the NetworkManager layer
``IPRoute``. ``install()`` defers it (``lazy_init.defer_init``): submodules import as
usual, and a name of the package itself (``from pyroute2 import NDB``) runs it then.

Installed by ``netwright.backend`` (its ``__init__``), so it is in place before anything in
Netwright imports pyroute2. If pyroute2 was imported already, nothing changes.
"""

from __future__ import annotations

from netwright.backend.lazy_init import defer_init

PACKAGE = "pyroute2"


def install() -> None:
    """Register pyroute2 with its ``__init__`` deferred (idempotent; no-op if imported)."""
    defer_init(PACKAGE)
