"""Numbers on the command line that the backend cannot take are said in words: a negative
--size or --port reached dbus-fast, whose 'DBus UINT32 type "u" must be between 0 and
4294967295' ended the command in a traceback; capture's -c and --seconds named their parser
('invalid _positive_int value')."""

from __future__ import annotations

import pytest

from netwright.backend.cli.main import main
from netwright.backend.client.client import _check_options, _measure_options
from netwright.backend.service.errors import InvalidArgumentsError


@pytest.mark.parametrize(("make", "said"), [
    (lambda: _check_options(None, None, size=-5),
     "probe size -5 bytes is out of range (68–65535, or 0 for no full-size probes)"),
    (lambda: _check_options(None, None, port=1 << 32), "TCP port 4294967296 is out of range"),
    (lambda: _measure_options(5.0, False, None, -1), "--port -1 is out of range (1–65535)"),
])
def test_a_number_d_bus_cannot_carry_is_refused_before_it_is_sent(make, said) -> None:
    with pytest.raises(InvalidArgumentsError, match=said.replace("(", r"\(").replace(")", r"\)")):
        make()


@pytest.mark.parametrize(("argv", "said"), [
    (["-c", "many"], "argument -c/--count: 'many' is not a number of packets"),
    (["--seconds", "soon"], "argument --seconds: 'soon' is not a number of seconds"),
])
def test_capture_numbers_are_refused_in_words(
        argv: list[str], said: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["capture", "seed", "mv1", "-w", "-", *argv])
    err = capsys.readouterr().err
    assert said in err and "_positive" not in err, err
