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
    # a data-only directory (gui/resources) is listed too, so setuptools ships it without a
    # warning on every install; it must exist and have its files named in package-data
    for name in listed - found:
        prefix = next((p for p in mapping if name.startswith(p + ".")), None)
        assert prefix is not None, f"pyproject.toml lists {name}, outside the package-dir map"
        directory = ROOT / mapping[prefix] / Path(*name[len(prefix) + 1:].split("."))
        patterns = config.get("package-data", {}).get(name, [])
        assert patterns and any(any(directory.glob(p)) for p in patterns), (
            f"pyproject.toml lists {name}, which is no package and ships no data")
    assert not any(name.split(".")[0] in {"gui", "backend"} for name in listed)


def test_top_level_layout_is_as_fixed() -> None:
    allowed = {"pyproject.toml", "gui", "backend", "polkit", "tests", "packaging", "README.md",
               "examples", "Makefile", ".ci", ".gitignore", ".git"}
    listing = subprocess.run(["git", "ls-files"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.split()
    tracked = {path.split("/")[0] for path in listing}
    assert tracked - allowed == set()
