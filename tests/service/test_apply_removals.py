"""An Apply that deletes what a deployment made needs io.netwright.destroy as well.

nwtest-peer may apply and check but not destroy (svc_polkit's rules). Applying a design with
the deployment's name and fewer objects deleted them all the same: an empty 'seed' emptied
the seed another user had applied, while Destroy of it was refused.
"""

from __future__ import annotations

from svc_callers import run_client
from svc_polkit import USER_ALLOWED, USER_PEER

EMPTY_SEED = "netwright: 1\\nname: seed\\n"


def test_an_apply_that_deletes_needs_the_destroy_permission(running, system_bus,
                                                             host) -> None:
    run_client(USER_ALLOWED, system_bus, "await client.apply(seed)")
    try:
        before = host.netns()
        emptied = run_client(USER_PEER, system_bus, f"return await client.apply('{EMPTY_SEED}')")
        assert emptied.get("raised") == "NotAuthorizedError", emptied
        assert "namespace net1" in emptied["message"], emptied
        assert "io.netwright.destroy" in emptied["message"], emptied
        assert host.netns() == before  # nothing happened
        grown = run_client(USER_PEER, system_bus, (
            "return await client.apply(seed + '  br7: {kind: bridge}\\n')"))
        assert "value" in grown, grown  # adding (or changing) needs apply alone
        allowed = run_client(USER_ALLOWED, system_bus,
                             f"return await client.apply('{EMPTY_SEED}')")
        assert "value" in allowed, allowed
        assert "lab-net1" not in host.netns()
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('seed')")


def test_an_apply_that_drops_host_settings_needs_the_destroy_permission(running, system_bus,
                                                                        host) -> None:
    """Dropping the host's forwarding and NAT from a design restores the machine as it was:
    deleting what the deployment made, as destroy does, so it needs destroy like dropping an
    object (and not io.netwright.host, which setting them needed)."""
    routed = ("netwright: 1\nname: hostnat\nhost:\n  forwarding: {ipv4: true}\n"
              "  nat: [{masquerade: {from: 10.78.0.0/24, out: hn0}}]\n"
              "interfaces:\n  hn0: {kind: bridge, addresses: [10.78.0.1/24]}\n")
    plain = "netwright: 1\nname: hostnat\ninterfaces:\n  hn0: {kind: bridge}\n"
    try:
        applied = run_client(USER_ALLOWED, system_bus,
                             f"await client.apply({routed!r}, confirm=True)\n"
                             "await client.confirm('hostnat')")
        assert applied == {"value": None}, applied
        before = host.snapshot()
        dropped = run_client(USER_PEER, system_bus, f"return await client.apply({plain!r})")
        assert dropped.get("raised") == "NotAuthorizedError", dropped
        assert "the host's IPv4 forwarding, masquerade of 10.78.0.0/24 out of hn0" in \
            dropped["message"], dropped
        assert "io.netwright.destroy" in dropped["message"], dropped
        assert host.snapshot() == before  # forwarding and the host's table still there
    finally:
        run_client(USER_ALLOWED, system_bus, "await client.destroy('hostnat')")



def test_reverting_a_first_apply_needs_the_destroy_permission(running, system_bus,
                                                              host) -> None:
    """Reverting a first apply on trial destroys the deployment: nwtest-peer removed one
    another user had just applied, with apply alone. It is refused now, saying what it would
    delete, and the change stays on trial; the user who applied it (granted destroy) may."""
    routed = ("netwright: 1\nname: hostnat\nhost:\n  forwarding: {ipv4: true}\n"
              "  nat: [{masquerade: {from: 10.78.0.0/24, out: hn0}}]\n"
              "interfaces:\n  hn0: {kind: bridge, addresses: [10.78.0.1/24]}\n")
    try:
        trial = run_client(USER_ALLOWED, system_bus,
                           f"return await client.apply({routed!r}, confirm=True)")
        assert "awaiting_confirmation" in trial["value"], trial
        before = host.snapshot()
        reverted = run_client(USER_PEER, system_bus, "return await client.revert('hostnat')")
        assert reverted.get("raised") == "NotAuthorizedError", reverted
        assert reverted["message"].startswith(
            "reverting hostnat would delete what its change made (bridge hn0, the host's IPv4"
            " forwarding, masquerade of 10.78.0.0/24 out of hn0), which needs the permission"
            " to destroy (io.netwright.destroy) besides io.netwright.apply; nothing was"
            " changed: "), reverted
        assert host.snapshot() == before  # still deployed, still on trial
        owner = run_client(USER_ALLOWED, system_bus, "return await client.revert('hostnat')")
        assert owner["value"].get("removed") is True, owner
        assert host.snapshot() != before
    finally:
        run_client(USER_ALLOWED, system_bus,
                   "try:\n    await client.destroy('hostnat')\nexcept Exception:\n    pass")
