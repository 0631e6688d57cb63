"""`netwright import --from multus` of YAML the parser refuses says where and why, as
`validate` says it of a topology file: it said only "the file is not valid YAML (line 5,
column 10)", naming neither the file nor the reason."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

RUN = [sys.executable, "-m", "netwright.backend.cli.main"]
BROKEN = {
    "tab": ("apiVersion: v1\nkind: Pod\n\tmetadata: {name: p}\n", "3:1",
            "a tab where YAML allows only spaces: indent with spaces, not tabs"),
    "colon": ("apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n   labels: x\n", "5:10",
              "a ':' where a plain value goes"),
    "unclosed": ("kind: Pod\nspec: {containers: [\n", "3:1",
                 "expected the node content, but found the end of the file"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_refused_yaml_is_told_with_file_line_column_and_reason(tmp_path: Path,
                                                               case: str) -> None:
    text, where, reason = BROKEN[case]
    path = tmp_path / "pods.yaml"
    path.write_text(text)
    imported = subprocess.run([*RUN, "import", "--from", "multus", str(path)],
                              capture_output=True, text=True, check=False)
    assert imported.returncode == 1 and imported.stdout == ""
    said = imported.stderr.strip()
    assert said.startswith(f"netwright: {path}:{where}: error yaml-syntax: not valid YAML: "
                           f"{reason}"), said
    validated = subprocess.run([*RUN, "validate", str(path)], capture_output=True, text=True,
                               check=False)
    assert said == f"netwright: {validated.stdout.strip()}"  # the same words, the same place
    piped = subprocess.run([*RUN, "import", "--from", "multus", "-"], input=text,
                           capture_output=True, text=True, check=False)
    assert piped.stderr.strip() == said.replace(str(path), "<stdin>")
