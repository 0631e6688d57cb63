"""The trial dialog's countdown and its refusal to be dismissed while a decision is open."""

from __future__ import annotations

import re
import time

from PySide6.QtWidgets import QWidget

from netwright.gui.dialogs.trial import TrialDialog, countdown_words, seconds_left

REASON = "this changes brs, which carries the host's default route"


def test_seconds_left_prefers_the_deadline() -> None:
    assert seconds_left({"deadline": 1000.0, "seconds": 60}, now=958.0) == 42.0
    assert seconds_left({"seconds": 60}, now=958.0) == 60.0
    assert seconds_left({"deadline": 1000.0}, now=1005.0) == 0.0
    assert countdown_words(42.2, "guitrial", {}) == ("In 42 s, the previous configuration of"
                                                    " guitrial is restored.")


def test_counts_down_then_says_the_backend_restores(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    deadline = time.time() + 1.6
    built = time.time()  # "in 2 s" lasts only 0.1 s more: a slow build may show "in 1 s"
    dialog = TrialDialog("guitrial", {"deadline": deadline, "reason": REASON}, parent)
    dialog.show()
    assert not dialog.isModal() and dialog.reason.text() == REASON
    assert dialog.countdown.text() in {countdown_words(deadline - built, "guitrial", {}),
                                       countdown_words(deadline - time.time(), "guitrial", {})}
    dialog.reject()  # Esc: the decision is still open
    assert dialog.isVisible() and dialog.state == "waiting"
    qtbot.waitUntil(lambda: dialog.countdown.text() == countdown_words(1, "guitrial", {}),
                    timeout=2000)
    with qtbot.waitSignal(dialog.expired, timeout=3000) as expired:
        pass
    assert expired.args == ["guitrial"] and dialog.state == "restoring"
    assert not dialog.keep_button.isEnabled() and not dialog.close_button.isVisible()
    dialog.restored()
    assert dialog.countdown.text() == "Restored the previous configuration of guitrial."
    dialog.close_button.click()
    assert not dialog.isVisible()


def test_keep_asks_once_and_waits_for_the_answer(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = TrialDialog("guitrial", {"deadline": time.time() + 60, "reason": REASON}, parent)
    dialog.show()
    with qtbot.waitSignal(dialog.keep_requested) as asked:
        dialog.keep_button.click()
    assert asked.args == ["guitrial"] and dialog.state == "keeping"
    assert not dialog.keep_button.isEnabled() and not dialog.restore_button.isEnabled()
    assert not dialog.timer.isActive()
    dialog.kept()
    assert dialog.is_over() and dialog.close_button.isVisible()


def test_the_reason_no_longer_asks_to_confirm_what_was_applied(window) -> None:  # type: ignore[no-untyped-def]
    """The plan's warning ends "Confirm to go ahead; the change is then on trial …": shown
    again in the trial dialog and the log after the apply, it asked to confirm what had
    already been applied. There the reason stops at what the change may do."""
    from netwright.backend.engine.takeover import runtime_takeover
    from netwright.backend.topology import parse_topology

    examples = __import__("pathlib").Path(__file__).resolve().parents[2] / "examples"
    topology = parse_topology((examples / "docker-bridge.yaml").read_text())
    warning = runtime_takeover(topology, None, ["wlp2s0"])
    assert warning is not None and "Confirm to go ahead" in warning
    window.show_trial("docker", {"seconds": 60, "reason": warning})
    shown = window.trial_dialog.reason.text()
    assert shown == warning[:warning.index(" Confirm to go ahead")], shown
    logged = window.log.toPlainText().splitlines()[-1]
    assert "Confirm" not in logged and logged.startswith("docker: on trial, this switches"), logged
    window.trial_dialog.close_button.click()


def test_a_forwarding_trial_is_not_said_to_have_changed_a_device(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Turning the host's forwarding on is on trial too; the dialog said "It changed the
    device that carries this machine's default route", which no device was."""
    reason = ("this switches the host's forwarding (the host's default route leaves by"
              " wlp2s0): the host may lose its connection")
    dialog = TrialDialog("gw", {"seconds": 60, "reason": reason})
    qtbot.addWidget(dialog)
    assert "changed the device" not in dialog.advice.text()
    assert dialog.advice.text().startswith("It changed this machine's own network")
    assert dialog.reason.text() == reason


def test_a_window_that_ended_unrestored_says_what_status_says(qtbot) -> None:  # type: ignore[no-untyped-def]
    """NetworkManager stopped, say: the backend's status still shows the trial long after its
    deadline. The dialog says so in status's words and points to revert, not "restoring…" (or
    "0 s") for ever; Restore now tries again, and the dialog can be closed."""
    parent = QWidget()
    qtbot.addWidget(parent)
    ended = {"deadline": time.time() - 30, "seconds": 0, "reason": REASON}
    dialog = TrialDialog("guitrial", ended, parent)
    dialog.show()
    assert dialog.state == "restoring" and dialog.unrestored
    said = dialog.countdown.text()
    assert re.fullmatch(r"guitrial: the last apply was not confirmed in time \(the window"
                        r" ended 3\d s ago\), and the previous configuration could not be"
                        r" restored yet: 'netwright revert guitrial' tries again and says"
                        r" why\.", said), said  # the reason is the line above, not said twice
    assert "0 s." not in said and "is restoring" not in said, said
    assert dialog.restore_button.isVisible() and dialog.restore_button.isEnabled()
    assert not dialog.keep_button.isVisible()
    with qtbot.waitSignal(dialog.restore_requested) as asked:
        dialog.restore_button.click()
    assert asked.args == ["guitrial"] and not dialog.unrestored
    dialog.set_awaiting(ended)  # a status read while Restore now runs: its job says the end
    assert dialog.countdown.text() == "Restoring the previous configuration of guitrial…"
    dialog.restored()
    assert dialog.is_over()


def test_a_window_just_ended_is_still_being_restored(qtbot) -> None:  # type: ignore[no-untyped-def]
    parent = QWidget()
    qtbot.addWidget(parent)
    dialog = TrialDialog("guitrial", {"deadline": time.time() - 1, "reason": REASON}, parent)
    assert dialog.state == "restoring" and not dialog.unrestored
    assert "the backend is restoring" in dialog.countdown.text()
    dialog.reject()
    assert dialog.state == "restoring"  # still open: the end is not known yet


def test_the_end_of_a_first_apply_says_it_was_removed(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Nothing was deployed before (the backend's ``removes``): not "restored"."""
    dialog = TrialDialog("guitrial", {"deadline": time.time() + 60, "reason": REASON,
                                      "removes": True})
    qtbot.addWidget(dialog)
    dialog.restored()
    assert dialog.countdown.text() == ("Removed guitrial; nothing of it was deployed before,"
                                       " so what its apply had made is undone.")


def test_a_first_apply_counts_down_to_its_removal(qtbot) -> None:  # type: ignore[no-untyped-def]
    """A first apply has no previous configuration: the advice, the countdown, Restore now
    and the end of the window all say it is removed (they said "restoring the previous
    configuration")."""
    first = {"deadline": time.time() + 60, "reason": REASON, "removes": True}
    dialog = TrialDialog("guitrial", first)
    qtbot.addWidget(dialog)
    assert dialog.advice.text().endswith("do nothing: when the countdown ends, guitrial is"
                                         " removed (nothing of it was deployed before).")
    assert re.fullmatch(r"In [\d a-z]+, guitrial is removed \(nothing of it was deployed"
                        r" before\)\.", dialog.countdown.text()), dialog.countdown.text()
    dialog._restore()
    assert dialog.countdown.text() == "Removing guitrial (nothing of it was deployed before)…"
    ended = TrialDialog("guitrial", {**first, "deadline": time.time() - 1})
    qtbot.addWidget(ended)
    assert ended.countdown.text() == ("Time is up: the backend is removing guitrial (nothing"
                                      " of it was deployed before)…")
    later = TrialDialog("other", {"deadline": time.time() + 60, "reason": REASON})
    qtbot.addWidget(later)
    assert later.advice.text().endswith("when the countdown ends, the previous configuration"
                                        " of other is restored.")
    assert re.fullmatch(r"In [\d a-z]+, the previous configuration of other is restored\.",
                        later.countdown.text()), later.countdown.text()


def test_the_end_of_a_first_apply_is_said_in_the_cli_s_words(  # type: ignore[no-untyped-def]
        qtbot, monkeypatch, capsys) -> None:
    """The dialog and the log wrote their own sentences about the end of a first apply's
    trial beside the shared ones the CLI and the backend use: every one of them now comes
    from ``backend/outcomes/results``, so it carries its one "nothing of it was deployed
    before" (a marker here) and says what the CLI and the backend say."""
    from netwright.backend.cli.terminal import report_restored
    from netwright.backend.engine.trial import Ended
    from netwright.backend.outcomes import results
    from netwright.backend.outcomes.results import ApplyResult, Plan, Step
    from netwright.gui.window.trial_actions import ended_words, reverted_words

    monkeypatch.setattr(results, "NOTHING_BEFORE", "NOTHING-BEFORE-MARK")
    first = {"deadline": time.time() + 60, "reason": REASON, "removes": True}
    dialog = TrialDialog("guitrial", first)
    qtbot.addWidget(dialog)
    said = [dialog.advice.text(), dialog.countdown.text()]
    dialog._restore()
    said.append(dialog.countdown.text())
    dialog.restored()
    said.append(dialog.countdown.text())
    ended = TrialDialog("guitrial", {**first, "deadline": time.time() - 1})
    qtbot.addWidget(ended)
    said.append(ended.countdown.text())
    undone = ApplyResult(Plan("guitrial", [Step("delete", "brs", "delete bridge brs")] * 2),
                         0.25, removed=True)
    logged = [ended_words("guitrial", first), reverted_words("guitrial", undone)]
    for words in said + logged:
        assert "NOTHING-BEFORE-MARK" in words and "deployed" not in words, words
    # at the deadline: the backend's own sentence (less the steps, which no status counts)
    assert Ended("guitrial", True, 2).words() == logged[0] + " (2 steps)"
    # Restore now: what 'netwright revert' prints
    report_restored("guitrial", undone, False, removed=True)
    assert capsys.readouterr().out.strip() == logged[1]


def test_a_first_apply_whose_end_is_not_known_is_not_said_restored(window) -> None:  # type: ignore[no-untyped-def]
    """The status asked after the deadline failed: of a first apply the dialog and the log
    said "whether the previous configuration of guitrial was restored is not known"; there
    was none, the backend removes it (``trial_end_words`` in the past)."""
    window.show_trial("guitrial", {"deadline": time.time() - 1, "reason": REASON,
                                   "removes": True})
    dialog = window.trial_dialog
    assert dialog is not None and dialog.state == "restoring"
    window.trial_status_failed("guitrial", "no answer")
    assert dialog.state == "failed"
    said = dialog.countdown.text()
    assert said.startswith("Time is up, but whether guitrial was removed (nothing of it was"
                           " deployed before) is not known: asking the backend for its status"
                           " failed (no answer)."), said
    assert "previous configuration" not in said, said
    assert window.log.toPlainText().splitlines()[-1] == f"guitrial: {said}"
