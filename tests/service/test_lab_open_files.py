"""A lab refused for open files says whose limit it is: the user's own, which root raises.

The lab (netwrightd --lab) runs as its user, with that user's limit on open files; it has no
systemd unit of its own to set LimitNOFILE= in, yet its refusals told the user to do that,
and to split a topology that is deployed already. Here the lab's hard limit is low enough
that the seed is applied in it but a check of it does not fit: the user's client that
starts the lab has that limit, as a login's nofile in limits.conf would set it, and the lab
inherits it.
"""

from __future__ import annotations

from svc_callers import run_client
from svc_lab import PrivateLab
from svc_polkit import USER_ALLOWED
from svc_topologies import SEED

from netwright.backend.kernel.descriptors import OWN, apply_needs, check_needs
from netwright.backend.topology import parse_topology

NO_SYSTEM_BUS = "unix:path=/nonexistent"
CHECK = """
try:
    await client.check('seed', timeout=0.5)
    return 'checked'
except Exception as exc:
    return f'{type(exc).__name__}: {exc}'
"""


def test_a_check_beyond_the_labs_limit_names_the_users_limit(lab: PrivateLab) -> None:
    seed = parse_topology(SEED)
    needed = check_needs(len(seed.namespaces))
    limit = needed + OWN - 1  # room for the lab's own host and the seed's apply, not a check
    assert apply_needs(3) + OWN <= limit  # the lab host: router, outside, uplink's peer
    applied = run_client(USER_ALLOWED, NO_SYSTEM_BUS, "await client.apply(seed)",
                         which="lab", env=lab.env, open_files=limit)  # the lab inherits it
    assert "raised" not in applied, applied
    try:
        outcome = run_client(USER_ALLOWED, NO_SYSTEM_BUS, CHECK, which="lab", env=lab.env)
    finally:
        run_client(USER_ALLOWED, NO_SYSTEM_BUS, "await client.destroy('seed')", which="lab",
                   env=lab.env)
    assert outcome.get("value") == (
        f"TooManyFiles: topology seed has {len(seed.namespaces)} namespaces: checking it"
        f" holds up to {needed} open files, and the lab may open only {limit} (its hard"
        f" limit; it keeps {OWN} of them for itself): have root raise your own limit, which"
        " the lab has ('ulimit -Hn'; nofile in /etc/security/limits.conf, or"
        " DefaultLimitNOFILE= of your systemd user manager), then 'netwright lab stop' (what"
        " it holds goes) so that the next lab starts with it"), outcome


def test_a_lab_whose_own_network_does_not_fit_says_so_in_a_sentence(lab: PrivateLab) -> None:
    """Under a limit too small for the lab's own network (its host, router and outside), the
    lab ended with a traceback whose last line the client showed: a class path, "topology
    nwlab" the user never named, and advice to split it."""
    limit = apply_needs(3) + OWN - 1
    outcome = run_client(USER_ALLOWED, NO_SYSTEM_BUS, "return 1", which="lab", env=lab.env,
                         open_files=limit)
    assert outcome == {
        "raised": "BackendUnavailableError",
        "message": "the lab's own network (3 namespaces: its host, its router, the outside)"
        f" holds up to {apply_needs(3)} open files, and the lab may open only {limit} (its"
        f" hard limit; it keeps {OWN} of them for itself): have root raise your own limit,"
        " which the lab has ('ulimit -Hn'; nofile in /etc/security/limits.conf, or"
        " DefaultLimitNOFILE= of your systemd user manager), then 'netwright lab stop' (what"
        " it holds goes) so that the next lab starts with it"}, outcome
    assert "Traceback" not in (lab.directory / "lab.log").read_text()
