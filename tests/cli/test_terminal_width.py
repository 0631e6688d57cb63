"""check and explain on a terminal: a reason of 300 characters folds to the screen's width
under its own indent; into a pipe each stays one line (for grep)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from netwright.backend.cli.main import main

OPENSTACK = str(Path(__file__).parents[2] / "examples" / "openstack-linuxbridge.yaml")


def test_explain_folds_long_reasons_to_an_80_column_terminal(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    assert main(["explain", OPENSTACK]) == 0
    piped = capsys.readouterr().out
    assert max(len(line) for line in piped.splitlines()) > 200  # one line per reason
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["explain", OPENSTACK]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert max(len(line) for line in lines) <= 80, [line for line in lines if len(line) > 80]
    why = lines.index("Why:")
    assert lines[why + 1].startswith("  vm1 → vm2/vm2-eth0 (10.0.0.12, peer): icmp")
    assert lines[why + 2].startswith("      ")  # its continuation, under the indent + 4
    assert " ".join(line.strip() for line in lines).count("fix: add to") == \
        " ".join(piped.split()).count("fix: add to")
