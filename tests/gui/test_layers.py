"""The designer's package shows its architecture: layers that import downward only.

model ← link ← canvas ← docks ← dialogs ← window ← app. A module may import its own
layer or a lower one, never a higher one; read from the source (AST), so a lazy import
inside a function or under TYPE_CHECKING counts too: a cycle hidden there is still a cycle.
"""

from __future__ import annotations

import ast
from pathlib import Path

GUI = Path(__file__).parents[2] / "gui"
LAYERS = ["model", "link", "canvas", "docks", "dialogs", "window", "app"]


def _layer(module: str) -> int:
    """The rank of ``netwright.gui.<layer>…`` (``app`` is the top)."""
    return LAYERS.index(module.split(".")[2])


def _imports(path: Path) -> set[str]:
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
    return {name for name in found if name.startswith("netwright.gui.")}


def _module_of(path: Path) -> str:
    parts = path.relative_to(GUI).with_suffix("").parts
    return ".".join(["netwright", "gui", *(p for p in parts if p != "__init__")])


def test_every_module_sits_in_a_layer() -> None:
    flat = sorted(p.name for p in GUI.glob("*.py") if p.name not in {"__init__.py", "app.py"})
    assert flat == [], "put these modules into a sub-package (model, link, canvas, …)"
    folders = {p.name for p in GUI.iterdir() if (p / "__init__.py").exists()}
    assert folders == set(LAYERS) - {"app"}


def test_imports_point_downward_only() -> None:
    upward = []
    for path in sorted(GUI.rglob("*.py")):
        module = _module_of(path)
        if module == "netwright.gui":
            continue
        for target in _imports(path):
            if _layer(target) > _layer(module):
                upward.append(f"{module} imports {target}")
    assert upward == []


def test_window_mixins_do_not_import_the_window() -> None:
    for name in ("backend_actions", "host_actions", "trial_actions", "parts"):
        assert "netwright.gui.window.main" not in _imports(GUI / "window" / f"{name}.py")
