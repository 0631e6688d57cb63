"""A design with `persist: true` tried in the lab (the README's persistent-bridge example) is
refused in the lab's terms: the lab never has NetworkManager, so "start NetworkManager"
is no way out there; taking `persist: true` out to try the design is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_cli import NETWRIGHT, as_user
from svc_lab import readable_copies

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "persistent-bridge.yaml"


@pytest.fixture
def design() -> Iterator[Path]:
    with readable_copies("netwright-persist-", EXAMPLE) as directory:
        yield directory / EXAMPLE.name


def test_persist_in_the_lab_is_refused_in_the_labs_terms(lab, design) -> None:
    for argv in (["plan", "--lab"], ["apply", "--lab", "--yes"]):
        refused = as_user(lab.user, [NETWRIGHT, *argv, str(design)], env=lab.env)
        assert refused.returncode == 1, refused
        said = refused.stderr
        assert ("netwright: bridge br-lab is marked persist, which needs NetworkManager to keep"
                " it across reboots, and the lab has none") in said, said
        assert "remove 'persist: true' to try the design in the lab" in said, said
        assert "start NetworkManager" not in said, said
    tried = design.read_text().replace("    persist: true\n", "")
    design.write_text(tried)
    applied = as_user(lab.user, [NETWRIGHT, "apply", "--lab", "--yes", str(design)],
                      env=lab.env)
    assert applied.returncode == 0, applied.stderr
    destroyed = as_user(lab.user, [NETWRIGHT, "destroy", "--lab", "lab-bridge"], env=lab.env)
    assert destroyed.returncode == 0, destroyed.stderr
