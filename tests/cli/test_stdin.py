"""'-' reads the topology from standard input, and problems name it '<stdin>:LINE:COL'."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

NETWRIGHT = str(Path(__file__).parents[2] / ".venv" / "bin" / "netwright")
INVALID = "netwright: 1\nname: t\ninterfaces:\n  br0: {kind: bridge, name: 'br/0'}\n"


def run(*argv: str, text: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([NETWRIGHT, *argv], input=text, capture_output=True, text=True,
                          check=False, cwd="/")


def test_validate_reads_standard_input_and_places_problems_there() -> None:
    said = run("validate", "--here", "-", text=INVALID)
    assert said.returncode == 1, said
    assert said.stdout.startswith("<stdin>:4:29: error invalid-name: interface name 'br/0'")
    fine = run("validate", "--here", "-", text=INVALID.replace("br/0", "br0"))
    assert (fine.returncode, fine.stdout) == (0, "")


def test_validate_json_names_standard_input_once_for_the_file_and_its_problems() -> None:
    said = run("validate", "--here", "--json", "-", text=INVALID)
    report = json.loads(said.stdout)
    assert [entry["file"] for entry in report] == ["<stdin>"]
    assert {p["file"] for p in report[0]["problems"]} == {"<stdin>"}


def test_explain_reads_standard_input_too() -> None:
    valid = INVALID.replace("br/0", "br0")
    explained = run("explain", "-", text=valid)
    assert explained.returncode == 0, explained.stderr
    broken = run("explain", "-", text=INVALID)
    assert broken.returncode == 1 and "<stdin>:4:29: error invalid-name" in broken.stderr


def _memory_bound() -> None:
    import resource

    resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30))


def test_an_endless_input_is_refused_as_too_large() -> None:
    """/dev/zero (or a pipe that never ends) was read to the end before the 1 MiB bound was
    looked at: until memory ran out. Here within 1 GiB of address space."""
    for argv, stdin in ((["validate", "--here", "/dev/zero"], os.devnull),
                        (["explain", "-"], "/dev/zero")):
        with open(stdin, "rb") as source:
            said = subprocess.run([NETWRIGHT, *argv], stdin=source, capture_output=True,
                                  text=True, check=False, cwd="/", timeout=60,
                                  preexec_fn=_memory_bound)
        assert said.returncode == 1, said.stderr[-500:]
        assert "error too-large: the file is larger than 1024 KiB" in said.stdout + said.stderr
