"""A copy of this checkout's ``netwright.backend`` to run a backend from, and to "upgrade".

Tests of a backend whose files are replaced under it (an upgrade, a ``git pull``) must never
touch the checkout other test runs use: they run the backend with PYTHONPATH pointing at a
copy (``site``) and change a module of the copy, as an upgrade would: new contents, a new
mtime.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def copy_backend(site: Path, owner: tuple[int, int] | None = None) -> Path:
    """Copy the package to ``site/netwright/backend`` (no compiled caches) and return that;
    ``owner`` (uid, gid) gets it all, so a test user's processes can write their caches."""
    package = site / "netwright" / "backend"
    shutil.copytree(ROOT / "backend", package, ignore=shutil.ignore_patterns("__pycache__"))
    if owner is not None:
        for directory, _dirs, files in os.walk(site):
            for path in [directory, *(os.path.join(directory, f) for f in files)]:
                os.chown(path, *owner)
    return package


def replace_module(package: Path, relative: str, prefix: str = "# upgraded\n") -> None:
    """What an upgrade does to one module of the copy: new contents, a new mtime."""
    path = package / relative
    path.write_text(prefix + path.read_text())
    later = time.time_ns() + 5_000_000_000
    os.utime(path, ns=(later, later))
