"""The designer's live-host calls (gui/link/live.py) through netwrightd, as users polkit
refuses: each refusal is the sentence the designer shows, naming what was refused."""

from __future__ import annotations

from svc_callers import run_client
from svc_polkit import USER_DENIED

OBSERVE = ("from netwright.gui.link.live import observe\n"
           "return (await observe(client)).text")
ADOPT = ("from netwright.gui.link.live import adopt\n"
         "return await adopt(client, 'guilive', ['obsvh1'], preview=True)")


def test_a_refused_observation_is_a_sentence(running, system_bus: str) -> None:  # type: ignore[no-untyped-def]
    outcome = run_client(USER_DENIED, system_bus, OBSERVE)
    assert outcome["raised"] == "LiveHostError", outcome
    assert outcome["message"].startswith("not authorised to read the live host: "), outcome
    assert "denied" in outcome["message"]
    assert "io.netwright" not in outcome["message"].split(":")[0]


def test_a_refused_adopt_is_a_sentence(running, system_bus: str) -> None:  # type: ignore[no-untyped-def]
    outcome = run_client(USER_DENIED, system_bus, ADOPT)
    assert outcome["raised"] == "LiveHostError", outcome
    assert outcome["message"].startswith("not authorised to adopt into guilive: "), outcome
