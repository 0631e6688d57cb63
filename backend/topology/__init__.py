"""The topology contract shared by the GUI, the CLI and the daemon.

Pure Python: no pyroute2, Qt or D-Bus imports here, so every process can use it.
"""

from netwright.backend.topology.document import (
    Document,
    atomic_write,
    load_topology,
    parse_topology,
)
from netwright.backend.topology.model import (
    FORMAT_VERSION,
    LINK_KINDS,
    Topology,
    model_json_schema,
)
from netwright.backend.topology.problems import (
    NetwrightError,
    Problem,
    TopologyError,
    format_path,
)

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
