"""The venv that `make` builds starts Python without setuptools' editable finder.

The finder is imported by `site` at every start of the interpreter (it brings pathlib,
importlib.util and fnmatch, ~11 ms), so every netwright command paid it before doing
anything. The Makefile replaces its line with a path to two symlinks into the checkout: the
package is as live as before (a module added to backend/ imports at once) and `site` only
looks up one directory.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

_STARTUP = """
import json, sys
started = sorted(name for name in sys.modules if "editable" in name or name == "pathlib")
import netwright.backend, netwright.gui
print(json.dumps({"started": started, "backend": netwright.backend.__file__,
                  "gui": netwright.gui.__file__}))
"""


def test_python_starts_without_the_editable_finder() -> None:
    out = subprocess.run([sys.executable, "-c", _STARTUP], capture_output=True, text=True,
                         check=True, timeout=60).stdout
    found = json.loads(out)
    assert found["started"] == [], found
    # ... and the package it imports is this checkout's, not a copy
    assert os.path.realpath(found["backend"]) == str(ROOT / "backend" / "__init__.py")
    assert os.path.realpath(found["gui"]) == str(ROOT / "gui" / "__init__.py")
    # through a link to the directory (not a tree of links to files, as setuptools' strict
    # mode makes): a module added to the checkout imports without installing again
    assert os.path.islink(Path(found["backend"]).parent), found

