"""A command or action that is missing or mistyped is told the ones there are: `netwright
lab` said only "required: ACTION", whose usage hides the actions, and `netwright aply` listed
every command without the one meant."""

from __future__ import annotations

import pytest

from netwright.backend.cli.main import main


@pytest.mark.parametrize(("argv", "said"), [
    (["lab"], "netwright lab: error: the following arguments are required: ACTION (start, stop"
              " or status)"),
    (["dhcp"], "netwright dhcp: error: the following arguments are required: ACTION (leases,"
               " renew or server)"),
    (["aply", "x.yaml"], "; did you mean 'apply'?"),
    (["lab", "strat"], "invalid choice: 'strat' (choose from 'start', 'stop', 'status'); did"
                       " you mean 'start'?"),
])
def test_the_choices_are_named(argv: list[str], said: str,
                               capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as refused:
        main(argv)
    assert refused.value.code == 2
    err = capsys.readouterr().err
    assert said in err, err


def test_nothing_close_is_no_guess(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["zzz"])
    assert "did you mean" not in capsys.readouterr().err
