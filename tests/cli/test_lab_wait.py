"""`netwright lab stop --wait` takes 0 to an hour; anything else is refused with the range,
before any lab is looked for (a negative wait read as "do not wait" stopped nothing cleanly)."""

from __future__ import annotations

import pytest

from netwright.backend.cli.cmd_lab import _wait_seconds
from netwright.backend.cli.main import main


@pytest.mark.parametrize("wait", ["-1", "-0.5", "nan", "inf", "3601", "1e9", "soon"])
def test_a_negative_endless_or_absurd_wait_is_refused_with_a_sentence(
        wait: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["lab", "stop", "--wait", wait])
    assert exited.value.code == 2
    assert (f"argument --wait: {wait!r} is not a wait: give the seconds to wait for the lab to"
            " end, from 0 (do not wait) to 3600 (an hour)") in capsys.readouterr().err


@pytest.mark.parametrize(("wait", "seconds"), [("0", 0.0), ("2.5", 2.5), ("3600", 3600.0)])
def test_a_wait_within_the_range_is_taken(wait: str, seconds: float) -> None:
    assert _wait_seconds(wait) == seconds
