"""The topology contract shared by the GUI, the CLI and the daemon.

Pure Python: no pyroute2, Qt or D-Bus imports here, so every process can use it. The model
and the document are loaded on first use (``netwright.backend.exports``): a command that only
needs ``problems`` (the error classes every layer shares) does not build the pydantic model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netwright.backend.exports import load_export
from netwright.backend.topology.problems import (
    NetwrightError,
    Problem,
    TopologyError,
    format_path,
)

if TYPE_CHECKING:
    from netwright.backend.topology.document import (
        Document,
        load_topology,
        parse_topology,
    )
    from netwright.backend.topology.model import (
        FORMAT_VERSION,
        LINK_KINDS,
        Topology,
        model_json_schema,
    )
    from netwright.backend.topology.source import atomic_write

_EXPORTS = {
    "Document": "document",
    "atomic_write": "source",
    "load_topology": "document",
    "parse_topology": "document",
    "FORMAT_VERSION": "model",
    "LINK_KINDS": "model",
    "Topology": "model",
    "model_json_schema": "model",
}


def __getattr__(name: str) -> Any:
    return load_export(__name__, _EXPORTS, name)


__all__ = [
    "FORMAT_VERSION",
    "LINK_KINDS",
    "Document",
    "NetwrightError",
    "Problem",
    "Topology",
    "TopologyError",
    "atomic_write",
    "format_path",
    "load_topology",
    "model_json_schema",
    "parse_topology",
]
