"""A caller's value quoted back in an error is a short prefix, and a cut one says so.

Quoting at most 80 characters keeps a 10 MB name from coming back as a 10 MB error (issue
14); a prefix shown as if it were the whole value ("'xxxx' is not a valid name" for a name
that went on for pages) misleads, so a cut prefix ends in "…" and a whole value does not.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic_core import PydanticCustomError

from netwright.backend.engine.store import Store
from netwright.backend.engine.target import Target
from netwright.backend.outcomes.errors import NotDeployed
from netwright.backend.topology.fields import check_cidr, check_identifier


@pytest.mark.parametrize("check", [check_identifier, check_cidr])
def test_a_long_value_is_quoted_cut_and_marked(check: object) -> None:
    assert callable(check)
    with pytest.raises(PydanticCustomError) as raised:
        check("x" * 3000)
    message = raised.value.message()
    assert f"'{'x' * 80}…'" in message
    assert len(message) < 300


def test_a_short_value_is_quoted_whole() -> None:
    with pytest.raises(PydanticCustomError) as raised:
        check_identifier("bad name")
    assert "'bad name' is not a valid name" in raised.value.message()
    assert "…" not in raised.value.message()


def test_a_long_topology_name_asked_of_the_store_is_cut_and_marked(tmp_path: Path) -> None:
    with pytest.raises(NotDeployed) as raised:
        Store(tmp_path, Target.host()).state_path("/" * 5000)
    assert f"'{'/' * 80}…' is not a valid topology name" in str(raised.value)
