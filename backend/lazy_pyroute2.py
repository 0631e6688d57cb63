"""``import pyroute2.netlink.rtnl`` without running pyroute2's package ``__init__`` first.

Python runs a package's ``__init__`` before any of its submodules, and pyroute2's imports
every API it has: NDB and IPDB (with sqlite3), IPSet, IPVS, nl80211, WireGuard, plan9 … —
163 modules, about half of the library's import time, when the engine uses netlink
messages from ``pyroute2.netlink`` and the NetworkManager layer ``IPRoute``. ``install()``
registers the package as a module whose ``__init__`` has not run yet (its ``__path__`` is
set, so submodules import as usual) and runs it the first time a name of the package itself
is asked for: ``from pyroute2 import NDB`` still works, it just pays for NDB then.

Installed by ``netwright.backend`` (its ``__init__``), so it is in place before anything in
Netwright imports pyroute2. If pyroute2 was imported already, nothing changes.
"""

from __future__ import annotations

import importlib
import importlib.util
import sys
from typing import Any

PACKAGE = "pyroute2"


def install() -> None:
    """Register pyroute2 with its ``__init__`` deferred (idempotent; no-op if imported)."""
    if PACKAGE in sys.modules:
        return
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return  # not installed: the importer will say so as usual
    module = importlib.util.module_from_spec(spec)

    def __getattr__(name: str) -> Any:  # noqa: N807 (PEP 562's name)
        if name.startswith("__"):  # importlib and pickle probe dunders; never a reason to load
            raise AttributeError(name)
        if importlib.util.find_spec(f"{PACKAGE}.{name}") is not None:
            return importlib.import_module(f"{PACKAGE}.{name}")  # a submodule: just that one
        # A name of the package itself: run its real __init__ once, in the module everyone
        # already holds; from then on names are looked up as in any module.
        del module.__getattr__
        loader.exec_module(module)
        return getattr(module, name)

    loader = spec.loader
    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[PACKAGE] = module
