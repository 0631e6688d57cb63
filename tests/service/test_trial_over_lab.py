"""`netwright confirm` after the lab's own clock ended a trial, as an ordinary user types it.

The docker example's forwarding and NAT on the lab host's uplink (the device of its default
route) put its apply on trial; nobody confirms within the shortest window (5 s), so the lab
removes it at the deadline. A confirm that comes afterwards said only "topology docker is not
deployed on the lab host, so no change of it awaits confirmation" to a user who had just
applied it: it must say when the trial ended and what that undid, as revert and status do.

The lab runs in another time zone than the shell that asks (a lab started by another shell,
or a system netwrightd in the machine's zone): every command says the time the trial ended
in the zone of the shell, the same instant the same way, not the lab's.
"""

from __future__ import annotations

import json
import re
import shutil
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from svc_cli import NETWRIGHT, as_user
from svc_lab import PrivateLab

DOCKER = Path(__file__).parents[2] / "examples" / "docker-bridge.yaml"
#: The lab's zone (UTC+9) and the asking shell's (UTC-5), as POSIX TZ strings (no tzdata).
LAB_TZ, SHELL_TZ, SHELL_HOURS = "LAB-9", "SHL+5", -5
REMOVED = r"nobody confirmed it in time, so it was removed \(nothing of it was deployed before\)"


def test_a_confirm_after_the_labs_clock_ended_the_trial_says_when_and_what(
        lab: PrivateLab) -> None:
    design = lab.runtime / "docker-bridge.yaml"
    shutil.copyfile(DOCKER, design)
    design.chmod(0o644)

    def netwright(*args: str, tz: str = SHELL_TZ) -> tuple[int, str]:
        done = as_user(lab.user, [NETWRIGHT, *args[:1], "--lab", *args[1:]],
                       env={**lab.env, "TZ": tz})
        lines = [line for line in done.stderr.splitlines()
                 if "using the lab backend" not in line]
        return done.returncode, "\n".join(lines).removeprefix("netwright: ")

    # this first command starts the lab: in its zone
    code, said = netwright("apply", "--yes", "--confirm-seconds", "5", str(design), tz=LAB_TZ)
    assert code == 0 and "run 'netwright confirm --lab docker' within 5 s" in said, said
    deadline = time.monotonic() + 60  # the lab ends the trial at 5 s; a loaded machine is slow
    while True:  # "not deployed" may come while the lab's revert still holds the lock
        code, said = netwright("status", "docker")
        over = code == 1 and "the trial of docker ended" in said \
            and not any(lab.runtime.rglob("docker.lock"))
        if over or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    ended = list(lab.runtime.rglob("docker.ended"))
    assert ended, "the lab's state is not where it is looked for"
    clock = re.escape(_in_shell_zone(json.loads(ended[0].read_text())["at"]))
    assert re.fullmatch(rf"topology docker is not deployed on the lab host; the trial of docker"
                        rf" ended at {clock}: {REMOVED}", said), said

    code, said = netwright("confirm", "docker")
    assert code == 1 and re.fullmatch(
        rf"the trial of docker ended at {clock}, before this confirm: {REMOVED}; apply it"
        r" again and confirm within the window", said), said
    code, said = netwright("revert", "docker")
    assert code == 1 and re.fullmatch(
        rf"the trial of docker ended at {clock}, before this revert: {REMOVED}; nothing is"
        r" left to revert", said), said

    # applied again and kept, the earlier trial's end is no longer spoken of
    assert netwright("apply", "--yes", "--confirm-seconds", "60", str(design))[0] == 0
    assert netwright("confirm", "docker")[0] == 0
    code, said = netwright("confirm", "docker")
    assert code == 1 and said == ("topology docker has no change awaiting confirmation on the"
                                  " lab host"), said
    assert netwright("destroy", "docker")[0] == 0


def _in_shell_zone(at: float) -> str:
    """How the shell's zone says the Unix time ``at`` (the date too when not today)."""
    zone = timezone(timedelta(hours=SHELL_HOURS))
    moment = datetime.fromtimestamp(at, zone)
    if moment.date() != datetime.now(zone).date():
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.strftime("%H:%M:%S")
