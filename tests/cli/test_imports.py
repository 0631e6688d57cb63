"""What each command path may import: start-up time is mostly imports (issue 23).

Each case runs in a fresh interpreter (a real subprocess: this process has long imported
everything) and reads ``sys.modules`` back after importing what that path imports.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]

HEAVY = ("pyroute2", "netwright.backend.engine", "pydantic", "ruamel", "yaml", "PySide6")

PARSER = ("import netwright.backend.cli.main as m\n"
          "m.build_parser()\n")

CASES = {
    # `netwright --help` and every command's argument parsing: no work, no asyncio, no D-Bus.
    "parser": (PARSER, (*HEAVY, "dbus_fast", "asyncio", "netwright.backend.client")),
    # plan/apply/status/destroy/list through a backend: the client and D-Bus only (the
    # backend validates the file in full).
    "backend path": (PARSER + "import netwright.backend.client\n"
                     "import netwright.backend.client.commands\n", HEAVY),
    # `netwright validate`: the model and the YAML readers, nothing of the engine or D-Bus.
    "validate": (PARSER + "from netwright.backend.cli import cmd_validate\n"
                 "cmd_validate.problems_of_file('examples/seed-ipvlan-l2.yaml')\n",
                 ("pyroute2", "netwright.backend.engine", "dbus_fast", "PySide6")),
}


def _loaded(code: str, prefixes: tuple[str, ...]) -> list[str]:
    probe = code + (
        "import json, sys\n"
        f"prefixes = {prefixes!r}\n"
        "print(json.dumps(sorted(n for n in sys.modules"
        " if any(n == p or n.startswith(p + '.') for p in prefixes))))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60, check=True, cwd=ROOT)
    return list(json.loads(result.stdout))


@pytest.mark.parametrize("case", sorted(CASES))
def test_command_path_imports_nothing_it_does_not_run(case: str) -> None:
    code, forbidden = CASES[case]
    assert _loaded(code, forbidden) == []


def test_the_probe_sees_a_loaded_module() -> None:
    """The check above can fail: the direct path (--local) does load the engine."""
    assert "netwright.backend.engine" in _loaded(
        "import netwright.backend.engine\n", ("netwright.backend.engine",))
