"""A command refusing a file with errors lists each, as validate does, not the first one and
"(and 1 more)", which left the rest to a second run; past ten it counts the others."""

from __future__ import annotations

from pathlib import Path

import pytest

from netwright.backend.cli.main import main

SEED = (Path(__file__).resolve().parents[2] / "examples" / "seed-ipvlan-l2.yaml").read_text()


@pytest.mark.parametrize("command", [["explain"], ["export", "--format", "sh"]])
def test_each_error_of_the_file_is_said(command: list[str], tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "typo.yaml"
    path.write_text(SEED.replace("parent: wlp2s0", "parent: wlp2s1"))
    assert main([*command, str(path)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert [line.split(": error ")[0] for line in lines] == [
        f"netwright: {path}:21:13", f"netwright: {path}:27:13"], lines
    assert all("missing-parent: the parent 'wlp2s1' of ipvlan" in line for line in lines)
    assert not any("more)" in line for line in lines), lines


def test_past_ten_errors_the_rest_are_counted(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    body = "".join(f"  v{i}: {{kind: veth}}\n" for i in range(12))  # 12 veths without peers
    path = tmp_path / "many.yaml"
    path.write_text(f"netwright: 1\nname: many\ninterfaces:\n{body}")
    assert main(["explain", str(path)]) == 1
    lines = capsys.readouterr().err.splitlines()
    assert len(lines) == 11 and all(": error " in line for line in lines[:10]), lines
    assert lines[10] == ("netwright: … and 2 more errors: netwright validate lists them all")
