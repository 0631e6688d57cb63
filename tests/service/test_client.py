"""The project's client against the real daemon: typed results, errors as the engine's classes."""

from __future__ import annotations

from pathlib import Path

from svc_callers import run_client
from svc_polkit import USER_ALLOWED, USER_DEFAULT, USER_DENIED

SEED = (Path(__file__).parent / "data" / "seed-macvlan.yaml").read_text()


def test_version_mode_and_target(running, system_bus) -> None:
    """A system netwrightd (Mode) that manages the lab host (--target lab): Target says so."""
    outcome = run_client(USER_DENIED, system_bus, "return [await client.version(),"
                         " await client.mode(), await client.target()]")
    assert outcome == {"value": ["1.20", "system", "lab"]}


def test_invalid_topology_comes_back_with_its_problems(running, system_bus) -> None:
    outcome = run_client(USER_ALLOWED, system_bus, (
        "return await client.apply(seed.replace('192.168.31.6/24', '999.1.1.1/99'))"
    ))
    assert outcome["raised"] == "TopologyError", outcome
    [problem] = [p for p in outcome["problems"] if p["severity"] == "error"]
    assert problem["code"] == "invalid-address"
    assert problem["path"] == "interfaces.mv2.addresses[0]"
    assert problem["line"] > 0 and problem["column"] > 0


def test_validate_returns_problems_as_objects(running, system_bus) -> None:
    outcome = run_client(USER_DEFAULT, system_bus, (
        "problems = await client.validate(seed.replace('name: seed', 'name: a/b'))\n"
        "return [[p.code, p.line] for p in problems if p.severity == 'error']"
    ))
    line = SEED.splitlines().index("name: seed") + 1
    assert outcome["value"] == [["invalid-name", line]], outcome


def test_refusals_raise_not_authorized(running, system_bus) -> None:
    for user in (USER_DENIED, USER_DEFAULT):
        outcome = run_client(user, system_bus, "return await client.apply(seed)")
        assert outcome["raised"] == "NotAuthorizedError", outcome


def test_bad_arguments_raise_invalid_arguments(running, system_bus) -> None:
    outcome = run_client(USER_ALLOWED, system_bus, "return await client.status('a/b')")
    assert outcome["raised"] == "InvalidArgumentsError", outcome


def test_no_backend_raises_backend_unavailable(service_run_dir) -> None:
    # A bus address where nothing listens.
    outcome = run_client(USER_ALLOWED, f"unix:path={service_run_dir}/nothing-here",
                         "return 1")
    assert outcome.get("raised") == "BackendUnavailableError", outcome
