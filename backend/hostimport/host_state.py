"""The host's own settings beside the import: its forwarding and its nftables tables.

The imported file leaves the host's own settings out (``host.forwarding``, ``host.nat`` and
``host.firewall`` in a file would make Netwright own them), so the live host view would
compare a design's forwarding, NAT and firewall against nothing and call them a match. This
reads them as plain data the designer's Compare can set against the design, and names the
tables as left out of the file.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.kernel import netns
from netwright.backend.observe.host import HostView
from netwright.backend.topology.problems import NetwrightError

_VERSIONS = {4: "ipv4", 6: "ipv6"}


def host_tables(view: HostView) -> list[str]:
    """Every nftables table of the host's namespace, "family name" sorted (``inet
    netwright-docker``). NetwrightError: libnftables is missing or refused the listing."""
    from netwright.backend.nft.binding import Nft

    def work() -> list[tuple[str, str]]:
        return Nft().tables()

    return sorted(f"{family} {name}" for family, name in
                  netns.in_netns(view.namespaces[0].where, work))


def host_state(view: HostView) -> dict[str, Any]:
    """``{"forwarding": {"ipv4": bool, "ipv6": bool}, "nftables": [...]}`` of the host; when
    the tables cannot be read, ``"nftables-unread"`` says why instead of ``"nftables"``."""
    host = view.namespaces[0]
    out: dict[str, Any] = {"forwarding": {_VERSIONS[version]: bool(on)
                                          for version, on in sorted(host.forwarding.items())
                                          if version in _VERSIONS}}
    try:
        out["nftables"] = host_tables(view)
    except (NetwrightError, OSError) as exc:
        out["nftables-unread"] = str(exc)
    return out


def tables_left_out(state: dict[str, Any]) -> list[str]:
    """The sentence naming the host's nftables tables the file leaves out (none: none)."""
    if "nftables-unread" in state:
        return [f"the host's nftables tables (NAT and firewall): they could not be read"
                f" ({state['nftables-unread']})"]
    tables = state.get("nftables") or []
    if not tables:
        return []
    return [f"the host's nftables tables {', '.join(tables)} (its NAT and firewall): the file"
            " has no NAT or firewall of what is already on the host"]
