"""Import a package's submodules without running the package's own ``__init__`` first.

Python runs a package's ``__init__`` before any of its submodules, and some libraries'
import every API they have there: pyroute2's loads NDB, IPDB, IPSet … (163 modules), and
dbus-fast's loads its asyncio bus, its service and introspection layers (xml.etree) when a
one-shot call needs only its message marshaller. ``defer_init(package)`` registers the
package as a module whose ``__init__`` has not run yet (its ``__path__`` is set, so
submodules import as usual) and runs it the first time a name of the package itself is
asked for: ``from pyroute2 import NDB`` still works, it just pays for NDB then.

If the package was imported already, or is not installed, nothing changes.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys
from typing import Any


def defer_init(package: str) -> None:
    """Register ``package`` with its ``__init__`` deferred (idempotent; no-op if imported)."""
    if package in sys.modules:
        return
    spec = importlib.util.find_spec(package)
    if spec is None or spec.loader is None or spec.submodule_search_locations is None:
        return  # not installed: the importer will say so as usual
    module = importlib.util.module_from_spec(spec)

    def __getattr__(name: str) -> Any:  # noqa: N807 (PEP 562's name)
        if name.startswith("__"):  # importlib and pickle probe dunders; never a reason to load
            raise AttributeError(name)
        if importlib.util.find_spec(f"{package}.{name}") is not None:
            return importlib.import_module(f"{package}.{name}")  # a submodule: just that one
        # A name of the package itself: run its real __init__ once, in the module everyone
        # already holds; from then on names are looked up as in any module.
        del module.__getattr__
        loader.exec_module(module)
        return getattr(module, name)

    loader = spec.loader
    module.__getattr__ = __getattr__  # type: ignore[method-assign]
    sys.modules[package] = module


def load_dbus_fast() -> None:
    """dbus-fast's protocol modules (message, signature, constants, errors) without its
    package ``__init__``, which loads its asyncio bus, service and introspection layers (xml
    included); importing ``dbus_fast.aio`` loads those when a bus is wanted. The message
    module first, in the order that ``__init__`` imports them (the unmarshaller or signature
    first would meet a half-initialised module). A no-op once dbus-fast is imported."""
    defer_init("dbus_fast")
    importlib.import_module("dbus_fast.message")


#: Where D-Bus, and dbus-fast when $DBUS_SYSTEM_BUS_ADDRESS is unset, finds the system bus.
SYSTEM_BUS_SOCKET = "/var/run/dbus/system_bus_socket"


def no_system_bus() -> bool:
    """True when there is certainly no system bus to connect to: no address in the
    environment and no socket at D-Bus's default path (a container, a server without D-Bus).
    Then a D-Bus client (dbus-fast's bus, ~12 ms of imports) need not be loaded to find out."""
    return "DBUS_SYSTEM_BUS_ADDRESS" not in os.environ and not os.path.exists(SYSTEM_BUS_SOCKET)
