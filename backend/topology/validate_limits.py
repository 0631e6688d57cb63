"""Kernel limits a large generated design can reach before the object bound does.

The object bound (bounds.py) keeps a file cheap to read; it does not keep a design within
what the kernel builds. A bridge takes at most 1,023 ports: the kernel numbers ports 1 to
1,023 within BR_MAX_PORTS (1,024) and answers the next attach with EXFULL ("Exchange full"),
measured on this machine's kernel. A star of 1,300 namespaces on one bridge passes the object
bound (3,901 objects), so without this rule apply failed half-way and rolled back. The
engine's translation of EXFULL (engine/translate.py) says the same sentence's fix for ports
the design does not know. Reads the model only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator

from netwright.backend.topology.model import Bridge, Topology
from netwright.backend.topology.problems import Problem

#: Ports one bridge can hold: port numbers 1 … BR_MAX_PORTS - 1 (net/bridge/br_if.c).
MAX_BRIDGE_PORTS = 1023

#: The fix, shared with the engine's sentence for EXFULL.
SPLIT_THE_BRIDGE = ("split its ports over several bridges joined by a veth pair, or give"
                    " the design fewer namespaces")


def bridge_port_limit_problems(t: Topology) -> Iterator[Problem]:
    """One "too-many-ports" error per bridge with more ports than the kernel takes."""
    ports = Counter(link.master for link in t.interfaces.values() if link.master)
    for key, count in ports.items():
        if count > MAX_BRIDGE_PORTS and isinstance(t.interfaces.get(key), Bridge):
            yield Problem("error", "too-many-ports", ("interfaces", key),
                          f"bridge {key} has {count:,} ports, but the kernel gives a bridge at"
                          f" most {MAX_BRIDGE_PORTS:,} (BR_MAX_PORTS): {SPLIT_THE_BRIDGE}")
