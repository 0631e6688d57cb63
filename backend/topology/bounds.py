"""How many objects a topology may have: few enough that reading one stays cheap.

The daemon reads files from any user, so the cost of the worst file it accepts is part of
the contract. Objects are namespaces, interfaces and host NICs; 4,096 of them cover every
design Netwright is meant for (its benchmarks go to 1,000 namespaces with 3,000 interfaces)
while a file at the bound reads in about 0.3 s (measured; README, file format). The count is
taken on plain data before the model is built; parse_valid (check.py) takes it on libyaml's
read, before the slower round-trip parser ever sees the text.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.topology.problems import Problem

MAX_OBJECTS = 4096
#: 1 MiB of text: far above any real topology, small enough to parse fast. Read no further
#: (source.py), so neither a huge file nor an endless one (/dev/zero, a pipe) fills memory.
MAX_TEXT_BYTES = 1024 * 1024

_SECTIONS = (("namespaces",), ("interfaces",), ("host", "nics"))


def count_objects(data: Any) -> int:
    """Namespaces + interfaces + host NICs in plain topology data (0 for non-mappings)."""
    total = 0
    for path in _SECTIONS:
        node = data
        for key in path:
            node = node.get(key) if isinstance(node, dict) else None
        if isinstance(node, dict | list):
            total += len(node)
    return total


def too_many_objects(data: Any) -> Problem | None:
    """The "too-large" problem of data with more than MAX_OBJECTS objects, else None."""
    count = count_objects(data)
    if count <= MAX_OBJECTS:
        return None
    return Problem(
        "error", "too-large", (),
        f"the topology has {count:,} objects (namespaces, interfaces and host NICs);"
        f" Netwright reads at most {MAX_OBJECTS:,}")
