"""The lab says why it stays once per reason, not once per idle check (idle.StayNotes).

The lab itself is tried in test_lab_lifetime.py; here the times a lab would meet are played
through the notes directly, to show what a user reading lab.log sees over a longer life."""

from __future__ import annotations

import logging

import pytest

from netwright.backend.service.idle import StayNotes, clients_reason, holding_reason

SECONDS = 60.0


def said(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [record.getMessage() for record in caplog.records]


def test_a_deployment_is_said_once_until_the_reason_changes(caplog) -> None:
    caplog.set_level(logging.INFO, logger="netwrightd")
    notes = StayNotes(SECONDS)
    seed = holding_reason(["seed"], SECONDS)
    for minute in range(5):  # idle checks that all decide to stay for seed
        notes.note(None, minute * 61.0)
        notes.note(seed, minute * 61.0 + 60, decided=True)
    assert said(caplog) == ["no client for 60 s, but holding deployment seed: staying"
                            " (netwright lab stop ends it)"]
    notes.note(clients_reason(1, SECONDS), 400.0)  # a command, for a moment
    notes.note(None, 401.0)
    notes.note(seed, 461.0, decided=True)
    assert len(said(caplog)) == 1, said(caplog)  # a short visit changes nothing
    both = holding_reason(["seed", "docker"], SECONDS)
    notes.note(both, 600.0, decided=True)
    assert said(caplog)[1:] == ["no client for 60 s, but holding deployments docker, seed:"
                                " staying (netwright lab stop ends it)"]


def test_a_client_is_said_once_it_has_held_the_lab_for_the_idle_time(caplog) -> None:
    caplog.set_level(logging.INFO, logger="netwrightd")
    notes = StayNotes(SECONDS)
    one = clients_reason(1, SECONDS)
    for second in range(0, 60, 10):
        notes.note(one, float(second))
    assert said(caplog) == []
    for second in range(60, 300, 10):
        notes.note(one, float(second))
    assert said(caplog) == ["1 client connected for over 60 s: staying until it leaves"]
    notes.note(clients_reason(2, SECONDS), 300.0)
    notes.note(clients_reason(2, SECONDS), 361.0)
    assert said(caplog)[1:] == ["2 clients connected for over 60 s: staying until they leave"]
