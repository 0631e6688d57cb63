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
