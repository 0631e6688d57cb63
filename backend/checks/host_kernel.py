"""The host namespace read once for a check: what ARP flux and the host's routes need.

A check of a deployed design reads the host's kernel for what the design may not say: the
host's devices and IPv4 addresses, ``arp_ignore`` and its route to each macvlan child
(``host_lan.py``, for ARP flux), and, when the design names no host gateway, its routes
through a gateway (``host_routes.py``). Both come from one observation of the namespace
(``observe_ns``: links, addresses and routes in three dumps); only the route to each child
is asked by itself (``RtSocket.route_oif``), as only the kernel knows which of two connected
routes wins. Read-only; call it from a worker thread (it enters the namespace).
"""

from __future__ import annotations

from netwright.backend.checks.arpflux import HostLan
from netwright.backend.checks.host_lan import host_lan_of
from netwright.backend.checks.host_routes import HostRoutes, host_routes_of
from netwright.backend.checks.netns import call_in
from netwright.backend.observe.sysctls import arp_ignore_here


def read_host(path: str, children: list[str], routes: bool
              ) -> tuple[HostLan | None, HostRoutes | None]:
    """The host namespace at ``path``: its ``HostLan`` when there are macvlan ``children``
    (their IPv4 addresses) to route replies to, its ``HostRoutes`` when ``routes`` is
    asked; None for what was not asked."""
    # imported here: the netlink layer (pyroute2's codec) is loaded only when a check reads
    from netwright.backend.observe.host import PathKernel
    from netwright.backend.observe.state import observe_ns

    kernel = PathKernel()
    reply_dev: dict[str, str] = {}
    try:
        state = observe_ns(kernel, path, learned=True)
        if children and state.exists:
            sock = kernel.socket(path)
            for address in children:  # no route at all: the reply is lost either way
                link = state.by_index(sock.route_oif(address))
                if link is not None:
                    reply_dev[address] = link.name
    finally:
        kernel.close()
    lan = host_lan_of(state, call_in(path, arp_ignore_here), reply_dev) if children else None
    return lan, host_routes_of(state) if routes else None
