"""--process-tree without --local is refused in words true of the backend asked: the lab's
backend is no netwrightd, and what it reads is the lab host, not this machine."""

from __future__ import annotations

import pytest

from netwright.backend.cli.main import main

COMMANDS = [["import"], ["check", "--host"]]


@pytest.mark.parametrize("command", COMMANDS)
def test_with_lab_the_refusal_speaks_of_the_lab(
        command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--lab", "--process-tree", "1"]) != 0
    err = capsys.readouterr().err
    assert "netwrightd" not in err and "--local:" not in err, err
    assert "the lab's backend reads every namespace of the lab host; drop --process-tree" in err


@pytest.mark.parametrize("command", COMMANDS)
def test_without_lab_it_says_to_add_local(
        command: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    assert main([*command, "--process-tree", "1"]) != 0
    err = capsys.readouterr().err
    assert "--process-tree is for --local" in err and "add --local, or drop" in err, err
