"""A package's lazily exported names never share a name with one of its modules.

Importing ``pkg.name`` (the module) makes ``pkg.name`` that module, for good: the package's
``__getattr__`` is no longer asked. The client's ``connect`` lived in ``client/connect.py``,
so once anything had imported that module, ``client.connect()`` was "'module' object is not
callable" and the designer could not reach any backend (the GUI asks the package for it).
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

BACKEND = Path(__file__).resolve().parents[1] / "backend"


def _exports(init: Path) -> dict[str, str]:
    for node in ast.parse(init.read_text()).body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "_EXPORTS" for t in node.targets):
            exports = ast.literal_eval(node.value)
            assert isinstance(exports, dict)
            return exports
    return {}


def test_no_export_is_also_a_module_of_its_package() -> None:
    clashes = [f"{init.parent.relative_to(BACKEND.parent)}: {name}"
               for init in BACKEND.rglob("__init__.py")
               for name in _exports(init)
               if (init.parent / f"{name}.py").exists() or (init.parent / name).is_dir()]
    assert clashes == []


def test_connect_stays_the_function_after_its_module_is_imported() -> None:
    script = ("import inspect, netwright.backend.client.connecting\n"
              "from netwright.backend.client import connect\n"
              "print(inspect.iscoroutinefunction(connect))\n")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    assert out.strip() == "True"
