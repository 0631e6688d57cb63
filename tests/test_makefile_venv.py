"""`make run`'s virtual environment on Debian, where python3-venv is a package of its own.

Without python3-venv, `python3 -m venv .venv` makes .venv/bin/python, then fails at ensurepip
(saying which package to install). A newcomer installs it and runs `make run` again: the
Makefile must then make the environment's pip, not take the half-made .venv as done and fail
with "No module named pip". A venv made ``--without-pip`` is exactly that state. (~9 s: the
rule runs the real ensurepip, which installs pip from Debian's wheel, offline.)
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_make_completes_a_venv_that_debian_left_without_pip(tmp_path: Path) -> None:
    venv = tmp_path / ".venv"
    subprocess.run([sys.base_prefix + "/bin/python3", "-m", "venv", "--without-pip", str(venv)],
                   check=True, timeout=60)
    assert (venv / "bin" / "python").exists() and not (venv / "bin" / "pip").exists()
    make = subprocess.run(["make", "-C", str(ROOT), f"VENV={venv}", f"{venv}/bin/pip"],
                          capture_output=True, text=True, timeout=120, check=False)
    assert make.returncode == 0, make.stdout + make.stderr
    pip = subprocess.run([str(venv / "bin" / "python"), "-m", "pip", "--version"],
                         capture_output=True, text=True, timeout=60, check=False)
    assert pip.returncode == 0, pip.stderr
    # and `make venv` (what run and test start from) goes through that rule
    dry = subprocess.run(["make", "-C", str(ROOT), "-n", f"VENV={venv}", "venv"],
                         capture_output=True, text=True, timeout=60, check=True).stdout
    assert "-m pip install -q -e '.[test]'" in dry
