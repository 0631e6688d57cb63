"""`export -o -` and `import --from multus -o -` write to standard output, as `-` reads
standard input everywhere and `capture -w -` writes there: they made a file named '-'."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from netwright.backend.cli.main import main

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_dash_is_standard_output(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                 capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["export", "--format", "multus", str(EXAMPLES / "seed-ipvlan-l2.yaml"),
                 "-o", "-"]) == 0
    exported = capsys.readouterr().out
    assert "kind: NetworkAttachmentDefinition" in exported
    (tmp_path / "seed-k8s.yaml").write_text(exported)
    assert main(["import", "--from", "multus", "seed-k8s.yaml", "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("# Imported by `netwright import --from multus`")
    assert main(["export", "--format", "sh", str(EXAMPLES / "seed-ipvlan-l2.yaml"),
                 "-o", "-"]) == 0
    assert capsys.readouterr().out.startswith("#!/bin/sh\n")
    assert sorted(os.listdir(tmp_path)) == ["seed-k8s.yaml"]  # no file named '-'
