"""The backend's packages import downward only, as the designer's do (tests/gui/test_layers.py).

From the bottom: the topology contract; the kernel's primitives; observation of the kernel's
state (read by everything above); NetworkManager's part; the engine and the exports; the live
host's import; the checks; what builds on those (captures, measurements, the lab); the D-Bus
service; the client; the CLI, which alone renders for a terminal. A package may import its
own modules and those of lower layers, never a higher layer nor a sibling of its layer. Read
from the source (AST): an import inside a function or under TYPE_CHECKING counts too, since
a cycle hidden there is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

BACKEND = Path(__file__).parents[1] / "backend"
LAYERS: list[set[str]] = [
    # helpers with no network meaning
    {"lazy_init", "record", "parent_death", "count_words", "process_start", "clipped"},
    {"exports", "lazy_pyroute2"},
    {"topology"},
    {"outcomes"},
    {"kernel", "nft", "dhcp"},
    {"observe"},
    {"nm"},
    {"engine", "export"},
    {"hostimport"},
    {"checks"},
    {"capture", "measure", "lab"},
    {"service"},
    {"client"},
    {"cli"},
]
RANK = {package: rank for rank, layer in enumerate(LAYERS) for package in layer}


def _package(path: Path) -> str:
    parts = path.relative_to(BACKEND).with_suffix("").parts
    return parts[0]


def _imported_packages(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        found |= {n.split(".")[2] for n in names
                  if n.startswith("netwright.backend.") and n.count(".") >= 2}
    return found


def _sources() -> list[Path]:
    return sorted(p for p in BACKEND.rglob("*.py") if p != BACKEND / "__init__.py")


def test_every_package_sits_in_a_layer() -> None:
    packages = {p.name for p in BACKEND.iterdir() if (p / "__init__.py").exists()}
    modules = {p.stem for p in BACKEND.glob("*.py") if p.name != "__init__.py"}
    assert (packages | modules) - set(RANK) == set(), "give the new package a layer here"


def test_imports_point_downward_only() -> None:
    wrong = []
    for path in _sources():
        own = _package(path)
        for target in _imported_packages(path) - {own}:
            if target in RANK and RANK[target] >= RANK[own]:
                wrong.append(f"{path.relative_to(BACKEND)} ({own}) imports {target}")
    assert wrong == []


def test_only_the_cli_renders_for_a_terminal() -> None:
    """The client answers with data; printing it is the CLI's job."""
    printing = [str(p.relative_to(BACKEND)) for p in (BACKEND / "client").rglob("*.py")
                if "print(" in p.read_text(encoding="utf-8")]
    assert printing == []


def test_only_the_kernel_layer_opens_route_sockets_and_enters_namespaces() -> None:
    """Observation is one layer: the checks, the engine, NetworkManager's part and the import
    read the kernel through ``backend/observe`` on ``backend/kernel``'s sockets and enter
    namespaces through ``kernel/netns``, never with route-netlink sockets or ``setns``
    calls of their own (the checks had both, issue 17)."""
    found = []
    for path in _sources():
        if _package(path) == "kernel":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and node.attr in ("NETLINK_ROUTE", "setns"):
                found.append(f"{path.relative_to(BACKEND)}:{node.lineno} {node.attr}")
    assert not found, found
