"""A first apply left on trial, not kept: at the deadline the backend restores "nothing",
and the dialog says it restored (it stayed at "Time is up: the backend is restoring…" with
no button but the title bar's, because the status then answers "not deployed" instead of a
status without a trial). Against a real lab backend, whose uplink carries the lab host's
default route: the docker example's NAT and forwarding on it put the apply on trial. The
test waits for the backend's shortest trial window (5 s): the deadline is its subject."""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace

import pytest
from lab_waits import idle

from netwright.gui.dialogs import trial as trial_dialog
from netwright.gui.dialogs.trial import TrialDialog
from netwright.gui.window.main import MainWindow

DOCKER = Path(__file__).parents[2] / "examples" / "docker-bridge.yaml"
WINDOW = 5  # seconds on trial: the shortest the backend accepts


async def trial_opened(window: MainWindow, timeout: float = 120) -> TrialDialog:
    """The trial dialog, as soon as the apply's end has opened it."""
    deadline = time.monotonic() + timeout
    while (dialog := window.trial_dialog) is None:
        assert time.monotonic() < deadline, f"no trial dialog: {window.log.toPlainText()}"
        await asyncio.sleep(0.02)
    return dialog


def applied_on_trial(window: MainWindow, tmp_path: Path, loop: asyncio.AbstractEventLoop,
                     seconds: int) -> TrialDialog:
    """The docker example, renamed guitrial, applied for the first time from its plan (Apply
    anyway): its trial dialog, as soon as the apply's end has opened it."""
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    design = tmp_path / "guitrial.yaml"
    design.write_text(DOCKER.read_text().replace("name: docker", "name: guitrial"))
    assert window.open_path(design)
    window.trial_seconds = seconds
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    loop.run_until_complete(asyncio.sleep(0.05))  # the plan is asked on the next turn
    loop.run_until_complete(idle(window))
    plan = window.plan_dialog
    assert plan is not None and plan.warnings, window.log.toPlainText()
    plan.go.click()  # Apply anyway
    # looked at as soon as it opens, not after the status refresh that follows the apply:
    # under load that refresh alone can take most of the 5 s window
    return loop.run_until_complete(trial_opened(window))


def settle(loop: asyncio.AbstractEventLoop, window: MainWindow, ended: Callable[[], bool],
           timeout: float, why: Callable[[], object]) -> None:
    """Run the loop until ``ended()`` and then until the window is idle, in one run: qasync
    ends each run with a pass over Qt's events, which runs any task step then due with no
    running loop (a status asked at that moment then failed: "no running event loop")."""
    async def wait() -> None:
        started = time.monotonic()
        while not ended():
            assert time.monotonic() - started < timeout, why()
            await asyncio.sleep(0.05)
        await idle(window)

    loop.run_until_complete(wait())


def test_a_first_apply_not_kept_ends_restored(window: MainWindow, own_lab: Path,
                                              tmp_path: Path,
                                              loop: asyncio.AbstractEventLoop) -> None:
    trial = applied_on_trial(window, tmp_path, loop, WINDOW)
    assert trial.state == "waiting", (trial.countdown.text(), window.log.toPlainText())
    settle(loop, window, lambda: trial.state == "restored", WINDOW + 15, trial.countdown.text)
    # nothing was deployed before: removed, not "the previous configuration was restored"
    assert trial.countdown.text() == ("Removed guitrial; nothing of it was deployed before, so"
                                      " what its apply had made is undone.")
    assert trial.close_button.isVisible()
    assert window.deploy_label.text() == "not deployed"
    opened = next(line for line in window.log.toPlainText().splitlines() if "on trial" in line)
    assert re.search(r"keep it within \d+ s or it is removed \(nothing of it was deployed"
                     r" before\)$", opened), opened
    logged = window.log.toPlainText().rsplit("guitrial: on trial", 1)[-1]
    assert ("removed guitrial: it was not confirmed in time; nothing of it was deployed before,"
            " so what its apply had made is undone") in logged, logged
    assert "previous configuration was restored" not in logged, logged


def test_restore_now_of_a_first_apply_logs_that_it_was_removed(
        window: MainWindow, own_lab: Path, tmp_path: Path,
        loop: asyncio.AbstractEventLoop) -> None:
    """Restore now (the backend's Revert) of a first apply: its result says "removed", and
    the log says so rather than "the previous configuration was restored"."""
    trial = applied_on_trial(window, tmp_path, loop, 60)
    trial.restore_button.click()
    settle(loop, window, lambda: trial.state == "restored", 30,
           lambda: (trial.countdown.text(), window.log.toPlainText()))
    logged = window.log.toPlainText().rsplit("guitrial: on trial", 1)[-1]
    assert re.search(r"^removed guitrial; nothing of it was deployed before, so what its apply"
                     r" had made is undone \(\d+ steps?, [\d.]+ s\)$", logged, re.M), logged
    assert "previous configuration was restored" not in logged, logged
    assert window.deploy_label.text() == "not deployed"


def test_a_keep_that_comes_after_the_backends_clock_ended_the_trial(
        window: MainWindow, own_lab: Path, tmp_path: Path, loop: asyncio.AbstractEventLoop,
        monkeypatch: pytest.MonkeyPatch) -> None:
    """The designer's clock is behind the backend's (a remote netwrightd, a machine that
    slept): Keep is clicked while the dialog still counts down, but the backend already
    removed the topology at its deadline. The dialog and the log say that, and when, not
    "Not kept: topology guitrial is not deployed …, so no change of it awaits confirmation"."""
    behind = SimpleNamespace(time=lambda: time.time() - 60)  # the dialog's clock
    monkeypatch.setattr(trial_dialog, "time", behind)
    trial = applied_on_trial(window, tmp_path, loop, WINDOW)
    backend = window.runner.backend
    assert backend is not None
    started = time.monotonic()
    while True:  # until the backend's clock has ended the trial, and its revert is over
        try:
            loop.run_until_complete(backend.status("guitrial"))
        except Exception as exc:  # the client raises the engine's NotDeployed
            assert type(exc).__name__ == "NotDeployed", exc
            # "not deployed" while the revert still holds the topology's lock (a confirm
            # then is Busy); its lock file goes with the lock, after the end is written
            if "the trial of guitrial ended" in str(exc) \
                    and not any(own_lab.rglob("guitrial.lock")):
                break
        assert time.monotonic() - started < WINDOW + 30, "the backend did not end the trial"
        loop.run_until_complete(asyncio.sleep(0.2))
    assert trial.state == "waiting" and trial.keep_button.isEnabled()
    trial.keep_button.click()
    settle(loop, window, lambda: trial.state != "keeping", 60, window.log.toPlainText)
    assert trial.state == "restored", (trial.countdown.text(), window.log.toPlainText())
    assert trial.countdown.text() == ("Removed guitrial; nothing of it was deployed before, so"
                                      " what its apply had made is undone.")
    logged = window.log.toPlainText().rsplit("on trial", 1)[-1]
    assert re.search(r"guitrial: too late to keep, the trial of guitrial ended at"
                     r" \d\d:\d\d:\d\d, before this confirm: nobody confirmed it in time, so it"
                     r" was removed \(nothing of it was deployed before\); apply it again and"
                     r" confirm within the window", logged), logged
