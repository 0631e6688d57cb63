"""The sh export's tc command and the engine's qdisc, for every kind of impairment.

``export --format sh`` once chose netem or tbf, and which fields go in, with code of its
own beside the engine's: a field or a rule added to one would leave the exported script
building another qdisc than ``netwright apply``. Both now take ``qdisc_choice``; this reads
the exported tc words back, independently, into the kernel's units and requires exactly
the engine's kind and parameters. (tests/cli/test_export_runs.py runs such scripts on a
real kernel and compares the qdiscs tc reports.)
"""

from __future__ import annotations

from typing import Any

import pytest

from netwright.backend.engine.qdisc import qdisc_spec
from netwright.backend.export.ip_commands import impairment_args
from netwright.backend.topology.impairment import Impairment

CASES = {
    "rate alone (tbf)": {"rate": "10mbit"},
    "a rate with a space": {"rate": "1.5 mbit"},
    "delay": {"delay": "40 ms"},
    "delay and jitter": {"delay": "40ms", "jitter": "5ms"},
    "loss": {"loss": "1 %"},
    "duplicate": {"duplicate": "0.5%"},
    "reorder": {"delay": "10ms", "reorder": "25%"},
    "corrupt": {"corrupt": "0.1%"},
    "netem with a rate": {"delay": "1ms", "rate": "20mbit"},
    "everything": {"delay": "40 ms", "jitter": "5ms", "loss": "1 %", "duplicate": "0.5%",
                   "reorder": "2%", "corrupt": "0.1%", "rate": "20mbit"},
}

_SCALE_US = {"us": 1, "ms": 1_000, "s": 1_000_000}
_SCALE_BITS = {"kbit": 1_000, "mbit": 1_000_000, "gbit": 1_000_000_000, "bit": 1}


def _us(word: str) -> int:
    unit = next(u for u in ("us", "ms", "s") if word.endswith(u))
    return round(float(word[: -len(unit)]) * _SCALE_US[unit])


def _bytes_per_second(word: str) -> int:
    unit = next(u for u in _SCALE_BITS if word.endswith(u))
    return round(float(word[: -len(unit)]) * _SCALE_BITS[unit]) // 8


def _as_kernel_params(words: list[str]) -> tuple[str, dict[str, Any]]:
    """tc's ``qdisc add … KIND WORDS`` read as pyroute2's parameters, as tc(8) reads it."""
    kind, rest = words[0], words[1:]
    params: dict[str, Any] = {}
    while rest:
        name, value, rest = rest[0], rest[1], rest[2:]
        if name == "delay":
            params["delay"] = _us(value)
            if rest and rest[0][0].isdigit():  # netem's jitter: the word after the delay
                params["jitter"], rest = _us(rest[0]), rest[1:]
        elif name == "rate":
            params["rate"] = _bytes_per_second(value)
        elif name in ("loss", "duplicate", "reorder", "corrupt"):
            key = {"reorder": "prob_reorder", "corrupt": "prob_corrupt"}.get(name, name)
            params[key] = float(value.rstrip("%"))
        elif name == "burst":
            params["burst"] = int(value)
        elif name == "latency":
            params["latency"] = value
        else:
            raise AssertionError(f"tc word {name!r} not read here")
    return kind, params


@pytest.mark.parametrize("case", CASES)
def test_the_exported_tc_command_is_the_engines_qdisc(case: str) -> None:
    impairment = Impairment.model_validate(CASES[case])
    spec = qdisc_spec(impairment)
    assert spec is not None
    kind, params = _as_kernel_params(impairment_args(impairment))
    assert (kind, params) == (spec.kind, dict(spec.params))


def test_no_impairment_is_no_qdisc_in_either() -> None:
    assert qdisc_spec(None) is None and impairment_args(None) == []
    assert qdisc_spec(Impairment()) is None and impairment_args(Impairment()) == []
