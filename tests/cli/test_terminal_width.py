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
    assert lines[why + 1].startswith("  vm1 → vm2/vm2-eth0 (10.0.0.12): icmp")
    assert lines[why + 2].startswith("      ")  # its continuation, under the indent + 4
    assert " ".join(line.strip() for line in lines).count("fix: add to") == \
        " ".join(piped.split()).count("fix: add to")


@pytest.mark.root
def test_a_plans_warning_folds_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    """The warning of a change to the default route's device is 300 characters long."""
    import subprocess

    subprocess.run("ip link add fwup0 type veth peer name fwup1 && ip link set fwup0 up &&"
                   " ip link set fwup1 up && ip addr add 192.0.2.2/24 dev fwup0 &&"
                   " ip route add default via 192.0.2.1", shell=True, check=True)
    design = tmp_path / "fw.yaml"
    design.write_text("netwright: 1\nname: fwplan\nhost: {forwarding: {ipv4: true}}\n")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    try:
        assert main(["plan", "--local", "--state-dir", str(tmp_path / "state"),
                     str(design)]) == 0
    finally:
        subprocess.run("ip link del fwup0", shell=True, check=False)
    lines = capsys.readouterr().out.splitlines()
    assert any("WARNING:" in line for line in lines), lines
    assert max(len(line) for line in lines) <= 80, lines


def test_validate_folds_its_problems_too(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    design = tmp_path / "mtu.yaml"
    design.write_text("netwright: 1\nname: m\nnamespaces: {a: {}}\ninterfaces:\n"
                      "  v1: {kind: veth, peer: v2, mtu: 1400}\n"
                      "  v2: {kind: veth, peer: v1, namespace: a}\n")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    assert main(["validate", "--here", str(design)]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"{design}:5:") and "mtu-mismatch" in " ".join(lines)
    assert len(lines) > 1 and max(len(line) for line in lines) <= 80, lines
