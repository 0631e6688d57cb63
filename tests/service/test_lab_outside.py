"""A check in the lab probes the lab's one outside address: any other --target-outside is
refused with the reason (the lab's router has no route to it, so every probe to it failed
"Network is unreachable" and each pair predicted reachable was a mismatch), while explain
--deployed still predicts it. As an ordinary user, through the lab backend."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_cli import NETWRIGHT, as_user
from svc_lab import readable_copies

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "macvlan-bridge.yaml"


@pytest.fixture
def design() -> Iterator[Path]:
    with readable_copies("netwright-outside-", EXAMPLE) as directory:
        yield directory / EXAMPLE.name


def test_only_the_labs_outside_is_probed_in_the_lab(lab, design) -> None:
    def netwright(*argv: str) -> object:
        return as_user(lab.user, [NETWRIGHT, *argv], env=lab.env)

    applied = netwright("apply", "--lab", "--yes", str(design))
    assert applied.returncode == 0, applied.stderr
    for argv in (["check", "--lab", "macvlan"], ["check", "--host", "--lab"]):
        refused = netwright(*argv, "--target-outside", "8.8.8.8")
        assert refused.returncode == 1, refused
        assert ("netwright: in the lab only 203.0.113.114 (the lab's outside) answers beyond"
                " the gateway, and 8.8.8.8 is nowhere in it") in refused.stderr, refused.stderr
        assert "Leave --target-outside out" in refused.stderr
    checked = netwright("check", "--lab", "macvlan", "--target-outside", "203.0.113.114")
    assert checked.returncode == 0, (checked.stdout, checked.stderr)
    predicted = netwright("explain", "--deployed", "--lab", "macvlan",
                          "--target-outside", "8.8.8.8")
    assert predicted.returncode == 0, predicted.stderr
    assert "8.8.8.8          outside" in predicted.stdout, predicted.stdout
    destroyed = netwright("destroy", "--lab", "macvlan")
    assert destroyed.returncode == 0, destroyed.stderr
