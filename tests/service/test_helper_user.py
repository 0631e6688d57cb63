"""Whom a reading helper becomes (helper_user.unprivileged_ids), asked in real processes: root
of the machine becomes nobody; root of a user namespace that maps only its own user (as
``netwrightd --lab`` is) and an ordinary user have nothing to drop.
"""

from __future__ import annotations

import os
import pwd
import subprocess
import sys

import pytest

ASK = "from netwright.backend.service.helper_user import unprivileged_ids as u; print(u())"


def ask(*prefix: str) -> str:
    result = subprocess.run([*prefix, sys.executable, "-c", ASK], capture_output=True,
                            text=True, check=True, timeout=60)
    return result.stdout.strip()


@pytest.mark.root
def test_root_becomes_nobody() -> None:
    assert os.geteuid() == 0
    nobody = pwd.getpwnam("nobody")
    assert ask() == str((nobody.pw_uid, nobody.pw_gid))


@pytest.mark.root
def test_root_of_a_lab_like_user_namespace_has_nothing_to_drop() -> None:
    assert ask("unshare", "--user", "--map-root-user") == "None"


@pytest.mark.root
def test_an_ordinary_user_has_nothing_to_drop() -> None:
    assert ask("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", "--") == "None"
