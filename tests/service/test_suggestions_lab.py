"""A command a sentence suggests works when pasted: after `netwright apply --lab` it said
"netwright destroy maker", which asks the system backend (or none) about a deployment only
the lab has. Run as an ordinary user against a lab of their own."""

from __future__ import annotations

import re
from typing import Any

from svc_cli import NETWRIGHT, as_user
from svc_lab import PrivateLab

MAKER = "netwright: 1\nname: maker\nnamespaces: {c1: {}}\n"
TAKER = "netwright: 1\nname: taker\nnamespaces: {c1: {}}\n"


def test_a_suggested_destroy_carries_lab(lab: PrivateLab) -> None:
    def netwright(*argv: str) -> Any:
        return as_user(lab.user, [NETWRIGHT, *argv], env=lab.env)

    for name, text in (("maker", MAKER), ("taker", TAKER)):
        path = lab.runtime / f"{name}.yaml"
        path.write_text(text)
        path.chmod(0o644)
    assert netwright("apply", "--lab", "--yes", str(lab.runtime / "maker.yaml")).returncode == 0
    refused = netwright("apply", "--lab", "--yes", str(lab.runtime / "taker.yaml"))
    assert refused.returncode == 1
    suggested = re.search(r"\((netwright destroy [^)]*)\)", refused.stderr)
    assert suggested is not None, refused.stderr
    assert suggested.group(1) == "netwright destroy --lab maker", refused.stderr
    pasted = netwright(*suggested.group(1).split()[1:], "--yes")  # destroy asks first
    assert pasted.returncode == 0, pasted.stderr
    assert "destroyed maker" in pasted.stdout
    assert netwright("apply", "--lab", "--yes", str(lab.runtime / "taker.yaml")).returncode == 0
    assert netwright("destroy", "--lab", "--yes", "taker").returncode == 0


def test_nothing_is_added_without_a_backend_flag(lab: PrivateLab) -> None:
    """No flag chose the backend: the sentence stays as the backend wrote it."""
    path = lab.runtime / "maker.yaml"
    path.write_text(MAKER)
    path.chmod(0o644)
    taker = lab.runtime / "taker.yaml"
    taker.write_text(TAKER)
    taker.chmod(0o644)

    def netwright(*argv: str) -> Any:
        return as_user(lab.user, [NETWRIGHT, *argv], env=lab.env)

    assert netwright("apply", "--yes", str(path)).returncode == 0  # the lab, found by itself
    refused = netwright("plan", str(taker))
    assert "(netwright destroy maker)" in refused.stderr, refused.stderr
    assert netwright("destroy", "--yes", "maker").returncode == 0


def test_an_imported_file_is_data_never_rewritten(lab: PrivateLab) -> None:
    """`import --lab` to standard output writes the file `-o FILE` would: its header's
    commands are part of the file, not suggestions to this terminal."""
    imported = as_user(lab.user, [NETWRIGHT, "import", "--lab", "-o", "-"], env=lab.env)
    assert imported.returncode == 0, imported.stderr
    assert imported.stdout.startswith(
        "# Imported from the live host by `netwright import`: every object is existing."), (
        imported.stdout)
