"""From a check's words back to the canvas: which wires a pair's path takes, which item a
failed step names."""

from __future__ import annotations

import re
from collections import deque
from typing import Any

from netwright.gui.model.edits import Wire, wires_of
from netwright.gui.model.snapshot import Snapshot


def target_key(snapshot: Snapshot, pair: dict[str, Any]) -> str | None:
    """The interface or NIC a check target belongs to, from its label.

    Labels look like ``net2/ipvlan2`` (place/key: the design's key, not the kernel name),
    ``wlp2s0 (host NIC)``, ``gateway of wlp2s0`` or ``outside``; the gateway and outside lie
    beyond a host NIC.
    """
    label = str(pair.get("target_name") or "")
    if "/" in label:
        namespace, name = label.split("/", 1)
        for key in snapshot.interfaces_in(namespace if namespace in snapshot.namespaces else None):
            if key == name or snapshot.interfaces[key].get("name") == name:
                return key
    words: list[str] = re.findall(r"[\w.-]+", label)
    for word in reversed(words):
        if word in snapshot.nics or word in snapshot.interfaces:
            return word
    return next(iter(snapshot.nics), None)


def path_wires(snapshot: Snapshot, pair: dict[str, Any]) -> list[Wire]:
    """The wires on the shortest path from the pair's source namespace to its target."""
    goal = target_key(snapshot, pair)
    source = str(pair.get("source") or "")
    namespace = source if source in snapshot.namespaces else None
    start = snapshot.interfaces_in(namespace) or ([] if namespace else list(snapshot.nics))
    if goal is None or not start:
        return []
    links: dict[str, list[tuple[str, Wire | None]]] = {}
    for wire in wires_of(snapshot):
        _relation, a, b = wire
        links.setdefault(a, []).append((b, wire))
        links.setdefault(b, []).append((a, wire))
    for members in snapshot.members.values():  # inside one namespace, routing joins links
        routed = [k for k in members if not snapshot.interfaces[k].get("master")]  # not ports
        for a in routed:
            links.setdefault(a, []).extend((b, None) for b in routed if b != a)
    previous: dict[str, tuple[str, Wire | None] | None] = {key: None for key in start}
    queue = deque(start)
    while queue:
        here = queue.popleft()
        if here == goal:
            break
        for there, via in links.get(here, ()):
            if there not in previous:
                previous[there] = (here, via)
                queue.append(there)
    if goal not in previous:
        return []
    path: list[Wire] = []
    step = previous[goal]
    while step is not None:
        back, via = step
        if via is not None:
            path.append(via)
        step = previous[back]
    return path


def failing_key(snapshot: Snapshot, text: str) -> str | None:
    """The first interface, namespace or NIC a step or error sentence names."""
    words: list[str] = re.findall(r"[\w.-]+", text)
    for word in words:
        if word in snapshot.interfaces or word in snapshot.namespaces or word in snapshot.nics:
            return word
    return None
