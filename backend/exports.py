"""A package's public names, loaded from their submodule on first use (PEP 562).

Several packages re-export their API from ``__init__`` (``from netwright.backend.topology
import Topology``). Done eagerly, that makes *every* submodule import pay for the whole
package: importing ``topology.problems`` (a dataclass and an exception, which every layer
uses) would build the pydantic model, and ``dhcp.processes`` would load the DHCP client
manager. With ``load_export`` the package's ``__init__`` stays a table, each name is imported
from its module the first time it is asked for, and a command imports only what it runs.
This is the layout Scientific Python's SPEC 1 recommends (lazy loading of submodules).

    # in a package's __init__.py
    _EXPORTS = {"Topology": "model", "load_topology": "document"}

    def __getattr__(name: str) -> Any:
        return load_export(__name__, _EXPORTS, name)

Type checkers and readers see the names through an ``if TYPE_CHECKING:`` import beside it.
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Mapping
from typing import Any


def load_export(package: str, exports: Mapping[str, str], name: str) -> Any:
    """The value of ``package.name``, imported from ``package.<exports[name]>`` and kept.

    Raises ``AttributeError`` for a name the table does not list, as a module would.
    """
    module_name = exports.get(name)
    if module_name is None:
        raise AttributeError(f"module {package!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{package}.{module_name}"), name)
    setattr(sys.modules[package], name, value)  # the next lookup is a plain attribute
    return value
