"""A lab started before Netwright's files were replaced (an upgrade) runs none of the new code.

Each test runs the lab, as a test user, from a copy of the ``netwright.backend`` package in
the user's private runtime directory (PYTHONPATH; the checkout itself is never touched), then
changes a file of the copy, as ``git pull`` or a package upgrade would: the lab answers
io.netwright.Error.Outdated instead of running new-file code (or failing with an incident),
stops by itself when it holds nothing (a CLI command then gets a new lab transparently), and
keeps a deployment it holds, saying what it holds and how to end it.
"""

from __future__ import annotations

import pwd
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from svc_cli import NETWRIGHT, as_user
from svc_daemon import PYTHON
from svc_lab import PrivateLab
from svc_polkit import USER_ALLOWED

from netwright.backend.client.client import RENEWED_LAB
from netwright.backend.service.errors import OUTDATED_SENTENCE
from tests.tools.code_copy import copy_backend, replace_module

TOPOLOGY = "netwright: 1\nname: upg\nnamespaces:\n  a: {}\n"

#: Asks the running lab (never starting one) to validate, as a client without retries does.
VALIDATE = """
import asyncio
from netwright.backend.client import connect_lab
from netwright.backend.service.errors import OutdatedBackendError
async def main():
    client = await connect_lab(start=False)
    try:
        await client.validate("netwright: 1\\nname: v\\n")
    except OutdatedBackendError as exc:
        print("outdated", exc.exiting, exc, sep="|")
    else:
        print("answered")
    client.close()
asyncio.run(main())
"""

#: Connects to the running lab, then makes three calls at once (as the designer's side tasks
#: do): each is refused, and all move to one new lab together.
AT_ONCE = """
import asyncio
from netwright.backend.client import connect_lab
async def main():
    client = await connect_lab()
    said = []
    client.notices.append(said.append)
    text = "netwright: 1\\nname: v\\n"
    answers = await asyncio.gather(client.validate(text), client.deployments(),
                                   client.validate(text))
    print(len(said), answers == [[], [], []])
    client.close()
asyncio.run(main())
"""


class CopiedLab:
    """A private lab whose Netwright code is a copy of this checkout's, owned by its user."""

    def __init__(self, extra_env: dict[str, str] | None = None) -> None:
        self.lab = PrivateLab(USER_ALLOWED)
        self.site = self.lab.runtime / "code"
        entry = pwd.getpwnam(USER_ALLOWED)
        self.package = copy_backend(self.site, (entry.pw_uid, entry.pw_gid))
        self.topology = self.lab.runtime / "upg.yaml"
        self.topology.write_text(TOPOLOGY)
        # the lab looks at its files at every call (not at most once a second): no test
        # waits for the interval to pass
        self.env = {**self.lab.env, "PYTHONPATH": str(self.site),
                    "NETWRIGHT_CODE_RECHECK_SECONDS": "0", **(extra_env or {})}

    def run(self, *argv: str) -> tuple[int, str, str]:
        done = as_user(self.lab.user, list(argv), env=self.env)
        return done.returncode, done.stdout, done.stderr

    def replace_file(self, relative: str, prefix: str = "# upgraded\n") -> None:
        replace_module(self.package, relative, prefix)


@pytest.fixture
def copied(users: dict[str, str]) -> Iterator[CopiedLab]:
    lab = CopiedLab()
    yield lab
    lab.lab.close()


def wait_gone(pid: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while Path(f"/proc/{pid}").exists():
        assert time.monotonic() < deadline, f"the outdated lab (pid {pid}) still runs"
        time.sleep(0.05)


def test_an_outdated_empty_lab_refuses_stops_and_the_next_command_starts_a_new_one(
        copied: CopiedLab) -> None:
    code, _out, err = copied.run(NETWRIGHT, "list", "--lab")
    assert code == 0, err
    old = copied.lab.pid()
    assert old is not None
    environ = Path(f"/proc/{old}/environ").read_bytes().split(b"\0")
    assert f"PYTHONPATH={copied.site}".encode() in environ, "the lab runs from the copy"
    copied.replace_file("topology/__init__.py")

    code, out, err = copied.run(PYTHON, "-c", VALIDATE)
    assert code == 0, err
    kind, exiting, sentence = out.strip().split("|", 2)
    assert (kind, exiting) == ("outdated", "True"), out
    assert sentence.startswith(OUTDATED_SENTENCE), sentence
    assert "incident" not in sentence and "next command starts the new lab" in sentence
    wait_gone(old)

    code, out, err = copied.run(NETWRIGHT, "plan", str(copied.topology), "--lab")
    assert code == 0, err
    new = copied.lab.pid()
    assert new not in (None, old)


def test_a_command_given_to_an_outdated_empty_lab_is_run_by_a_new_lab(
        copied: CopiedLab) -> None:
    code, _out, err = copied.run(NETWRIGHT, "list", "--lab")
    assert code == 0, err
    old = copied.lab.pid()
    copied.replace_file("engine/__init__.py")

    code, out, err = copied.run(NETWRIGHT, "plan", str(copied.topology), "--lab")
    assert code == 0, err
    assert RENEWED_LAB in err.splitlines(), err
    assert "upg" in out
    assert old is not None
    wait_gone(old)  # exited already; gone once its parent (init here) reaps it
    second = copied.lab.pid()
    assert second not in (None, old)

    copied.replace_file("topology/__init__.py")  # and again: `lab start` says it too
    code, out, err = copied.run(NETWRIGHT, "lab", "start")
    assert code == 0 and RENEWED_LAB in err.splitlines(), (out, err)
    assert "the lab is running (0 deployments)" in out
    assert copied.lab.pid() not in (None, second)


def test_calls_refused_at_once_move_to_one_new_lab(copied: CopiedLab) -> None:
    code, _out, err = copied.run(NETWRIGHT, "list", "--lab")
    assert code == 0, err
    old = copied.lab.pid()
    copied.replace_file("engine/__init__.py")
    code, out, err = copied.run(PYTHON, "-c", AT_ONCE)
    assert code == 0, err
    assert out.split() == ["1", "True"], (out, err)
    assert copied.lab.pid() not in (None, old)


def test_an_outdated_lab_that_holds_a_deployment_keeps_it_and_says_what_to_do(
        copied: CopiedLab) -> None:
    code, _out, err = copied.run(NETWRIGHT, "apply", str(copied.topology), "--lab", "--yes")
    assert code == 0, err
    old = copied.lab.pid()
    copied.replace_file("engine/__init__.py")

    code, out, err = copied.run(NETWRIGHT, "plan", str(copied.topology), "--lab")
    assert code != 0
    assert OUTDATED_SENTENCE in err and "incident" not in err, err
    assert "it holds upg" in err and "`netwright lab stop` ends it" in err, err
    assert RENEWED_LAB not in err
    time.sleep(1.5)  # more than the lab's look at whether it may stop
    assert copied.lab.pid() == old, "a lab that holds a deployment keeps running"

    code, out, err = copied.run(NETWRIGHT, "lab", "status")
    assert code == 0, err
    assert "the lab is running" in out and "it holds upg" in out, out
    code, out, err = copied.run(NETWRIGHT, "lab", "stop")
    assert code == 0 and "the lab is stopped" in out, (out, err)


def test_a_reading_helper_started_from_replaced_files_is_no_incident(
        users: dict[str, str]) -> None:
    # the lab looks at its files only when something fails, never at a call's arrival, so
    # the helper's failure is what finds the change
    copied = CopiedLab({"NETWRIGHT_CODE_RECHECK_SECONDS": "3600"})
    try:
        code, _out, err = copied.run(NETWRIGHT, "list", "--lab")
        assert code == 0, err
        old = copied.lab.pid()
        # a new helper that speaks another language than the old lab: here, none at all
        copied.replace_file("service/parser.py", "raise SystemExit(3)\n")
        code, out, err = copied.run(PYTHON, "-c", VALIDATE)
        assert code == 0, err
        kind, exiting, sentence = out.strip().split("|", 2)
        assert (kind, exiting) == ("outdated", "True"), out
        assert "incident" not in sentence, sentence
        assert old is not None
        wait_gone(old)
        log = (copied.lab.directory / "lab.log").read_text()
        assert "incident" not in log, log
    finally:
        copied.lab.close()
