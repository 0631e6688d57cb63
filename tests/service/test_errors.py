"""Every expected error survives the trip over the bus as the same class with the same words."""

from __future__ import annotations

import json

import pytest

from netwright.backend.outcomes.errors import (
    ApplyFailed,
    BusyError,
    Cancelled,
    ConfirmationExpired,
    ConflictError,
    HostMismatch,
    KernelUnsupported,
    NotDeployed,
    NotRootError,
)
from netwright.backend.outcomes.trial_over import TrialOver
from netwright.backend.service.errors import (
    NotAuthorizedError,
    error_detail,
    error_name_for,
    exception_from_error,
)
from netwright.backend.topology import TopologyError, parse_topology
from netwright.backend.topology.problems import NetwrightError

EXPECTED = [
    (ConflictError("v1 exists and is not Netwright's"), "Conflict"),
    (HostMismatch("the lab has no wlp9s0"), "Conflict"),
    (KernelUnsupported("ipvlan", "ipvlan"), "KernelUnsupported"),
    (BusyError("topology seed is busy"), "Busy"),
    (ApplyFailed("create veth v1", "it exists", rolled_back=False), "Failed"),
    (NotRootError("needs root"), "Failed"),
    (Cancelled("apply of seed cancelled"), "Cancelled"),
    (NotDeployed("seed is not deployed"), "NotFound"),
    (NotAuthorizedError("no"), "NotAuthorized"),
]


@pytest.mark.parametrize(("error", "name"), EXPECTED, ids=[type(e).__name__ for e, _ in EXPECTED])
def test_round_trip(error: NetwrightError, name: str) -> None:
    bus_name = error_name_for(error)
    assert bus_name == f"io.netwright.Error.{name}"
    back = exception_from_error(bus_name, str(error), error_detail(error))
    assert type(back) is type(error)
    assert str(back) == str(error)
    if isinstance(error, ApplyFailed):
        assert isinstance(back, ApplyFailed)
        assert (back.step, back.reason, back.rolled_back) == ("create veth v1", "it exists", False)
    if isinstance(error, KernelUnsupported):
        assert isinstance(back, KernelUnsupported)
        assert (back.kind, back.module) == ("ipvlan", "ipvlan")


def test_invalid_topology_keeps_every_problem_with_its_path_and_position() -> None:
    with pytest.raises(TopologyError) as caught:
        parse_topology("netwright: 1\nname: x\ninterfaces:\n  a: {kind: veth, mtu: 7}\n"
                       "  b: {kind: bridge, addresses: [999.1.1.1/99]}\n")
    error = caught.value
    back = exception_from_error(error_name_for(error), str(error), error_detail(error))
    assert isinstance(back, TopologyError)
    assert back.problems == error.problems


def test_unknown_error_names_become_service_failures() -> None:
    back = exception_from_error("org.example.Weird", "odd")
    assert type(back).__name__ == "ServiceFailedError"
    assert "org.example.Weird" in str(back)


def test_the_end_of_a_trial_crosses_as_data_said_again_by_the_client() -> None:
    """The backend's sentence says the time in its own zone: the client says it again from
    the data, in its own (the lab test runs the two in different zones)."""
    over = TrialOver("docker", {"at": 1796527603.911, "how": "expired", "steps": 5,
                                "removes": True}, "confirm",
                     tail="; apply it again and confirm within the window")
    error = ConfirmationExpired.about(over)
    back = exception_from_error(error_name_for(error), "the backend's own words",
                                error_detail(error))
    assert type(back) is ConfirmationExpired and back.trial_over == over
    assert str(back) == over.words() and str(back).startswith("the trial of docker ended at")


@pytest.mark.parametrize("ended", [{"at": 1e300, "how": "expired"}, {"at": "x", "how": "expired"},
                                   {"at": 1796527603, "how": "rm -rf"}, "expired"])
def test_a_trial_end_that_is_none_leaves_the_backends_sentence(ended: object) -> None:
    detail = json.dumps({"class": "NotDeployed", "trial_over": {"name": "docker", "ended": ended}})
    back = exception_from_error("io.netwright.Error.NotFound", "as the backend said", detail)
    assert type(back) is NotDeployed and str(back) == "as the backend said"
    assert back.trial_over is None


def test_a_trial_ends_text_reaches_no_terminal_with_control_characters() -> None:
    detail = json.dumps({"class": "NotDeployed", "trial_over": {
        "name": "dock\x1b]0;owned\x07er", "ended": {"at": 1796527603, "how": "expired"},
        "head": "topology x is \x1b[2Jnot deployed; ", "tail": "\r\n"}})
    said = str(exception_from_error("io.netwright.Error.NotFound", "plain", detail))
    assert said.startswith("topology x is [2Jnot deployed; the trial of dock]0;owneder ended")
    assert not any(ord(c) < 32 for c in said), said
