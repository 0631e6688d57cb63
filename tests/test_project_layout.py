"""The project's shape: namespaced imports, every package shipped, no bare `gui`/`backend`."""

from __future__ import annotations

import subprocess
import tomllib
from pathlib import Path

ROOT = Path(__file__).parents[1]


def test_every_package_directory_is_listed_in_pyproject() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]
    listed = set(config["packages"])
    mapping = config["package-dir"]
    assert mapping == {"netwright.backend": "backend", "netwright.gui": "gui"}
    found = set()
    for import_name, directory in mapping.items():
        for init in (ROOT / directory).rglob("__init__.py"):
            relative = init.parent.relative_to(ROOT / directory)
            parts = [p for p in relative.parts if p]
            found.add(".".join([import_name, *parts]))
    assert found - listed == set(), "add these to [tool.setuptools] packages in pyproject.toml"
    assert listed - found == set(), "pyproject.toml lists packages that do not exist"
    assert not any(name.split(".")[0] in {"gui", "backend"} for name in listed)


def test_top_level_layout_is_as_fixed() -> None:
    allowed = {"pyproject.toml", "gui", "backend", "polkit", "tests", "packaging", "README.md",
               "examples", "Makefile", ".ci", ".gitignore", ".git"}
    listing = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    tracked = {path.split("/")[0] for path in listing}
    assert tracked - allowed == set()
