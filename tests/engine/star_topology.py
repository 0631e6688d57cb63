"""The "star" topology the open-files tests build (many namespaces, one bridge), and the
fault hook that holds their first apply half-way.

Imported by the child scripts of test_open_files_beside.py and test_open_files_together.py
(run with the checkout as their working directory, so ``tests`` is on their path), which
each held a copy of it. One namespace per veth pair, every pair's host end on the bridge:
an apply of ``count`` namespaces holds about 2 x ``count`` open files, which is what those
tests size their limits by.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any


def star(tag: str, subnet: int, count: int) -> dict[str, Any]:
    """Topology ``of<tag>`` as a document: namespaces ``of<tag>0`` … on bridge ``of<tag>br``
    (10.<subnet>.0.1/16), each with an ``eth0`` addressed from 10.<subnet>.1.2 upwards.

    >>> Topology.model_validate(star("a", 98, 40))  # 40 namespaces, 40 veth pairs
    """
    namespaces: dict[str, Any] = {f"of{tag}{i}": {} for i in range(count)}
    interfaces: dict[str, Any] = {
        f"of{tag}br": {"kind": "bridge", "addresses": [f"10.{subnet}.0.1/16"]}}
    for i in range(count):
        interfaces[f"{tag}e{i}"] = {"kind": "veth", "peer": f"{tag}h{i}", "name": "eth0",
                                    "namespace": f"of{tag}{i}",
                                    "addresses": [f"10.{subnet}.{i // 250 + 1}"
                                                  f".{i % 250 + 2}/16"]}
        interfaces[f"{tag}h{i}"] = {"kind": "veth", "peer": f"{tag}e{i}",
                                    "master": f"of{tag}br", "name": f"of{tag}h{i}"}
    return {"netwright": 1, "name": f"of{tag}", "namespaces": namespaces,
            "interfaces": interfaces}


class HalfWay:
    """An engine fault hook (``Engine(…, fault=hold)``) that stops an apply at its first
    "bring … up" step, every namespace and link open by then, until ``release`` is set:
    ``held`` says it is there."""

    def __init__(self) -> None:
        self.held, self.release = threading.Event(), threading.Event()

    @property
    def hook(self) -> Callable[[int, Any], None]:
        def hold(_index: int, step: Any) -> None:
            if step.text.startswith("bring") and not self.held.is_set():
                self.held.set()
                self.release.wait(120)
        return hold
