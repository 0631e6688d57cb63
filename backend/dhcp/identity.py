"""Which DHCP client identity (option 61) each interface sends — pure, no kernel access.

DHCP servers tell clients apart by client identifier when there is one, else by MAC
(dnsmasq, ISC, Kea all do). ipvlan children all carry their parent's MAC, so without a
client-id a server sees every sibling as one client: the second child's DISCOVER gets the
first child's address (or nothing). Docker and Podman refuse DHCP on ipvlan for that reason;
the CNI dhcp plugin sends ``containerID/netName/ifName`` instead. Netwright does the same
with ``netwright/<topology>/<interface key>``: stable across applies and restarts (so a
renewed or re-requested lease is the same lease) and unique per interface (the key is unique
in its topology, the topology name per target).

A client-id written in the file is sent as is, with NetworkManager's meaning (``profiles.py``
hands the same text to NM's ``dhcp-client-id``): colon-separated hex (``01:aa:bb:cc:dd:ee:ff``)
is the option's raw bytes, first byte the type; any other text is sent after a zero type byte
(RFC 2132 §9.14: type 0 = not a hardware address).

The connectivity checks and the plan import this module, so it stays free of pyroute2, Qt
and D-Bus.
"""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Literal

from netwright.backend.dhcp.routes import lease_routes, route_arguments
from netwright.backend.record import record
from netwright.backend.topology.model import Ipvlan, Topology, dhcp_entries

Origin = Literal["given", "derived", "mac"]
"""given: written in the topology; derived: made by Netwright; mac: none sent, the server
falls back to the interface's MAC (what every ordinary client does)."""

_HEX_ID = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2})+$")
MAX_CLIENT_ID_BYTES = 255  # the option's length is one byte


def derived_client_id(topology: str, key: str) -> str:
    """The client-id Netwright sends for interface ``key`` of ``topology`` when none is given.

    >>> derived_client_id("seed", "ipvlan1")
    'netwright/seed/ipvlan1'
    """
    return f"netwright/{topology}/{key}"


def client_id_bytes(text: str) -> bytes:
    """The bytes of option 61 for a client-id as written (see the module docstring).

    >>> client_id_bytes("01:02:03").hex()
    '010203'
    >>> client_id_bytes("net1").hex()
    '006e657431'
    """
    if _HEX_ID.fullmatch(text):
        raw = bytes.fromhex(text.replace(":", ""))
    else:
        raw = b"\x00" + text.encode("utf-8")
    if len(raw) > MAX_CLIENT_ID_BYTES:
        raise ValueError(f"client-id {text[:20]}… is longer than {MAX_CLIENT_ID_BYTES} bytes")
    return raw


def client_id_text(raw: bytes) -> str:
    """How dnsmasq writes a client-id in its lease file: colon-separated hex."""
    return ":".join(f"{b:02x}" for b in raw)


def client_id_as_written(hex_text: str) -> str:
    """A client-id as a design writes it (``client_id_bytes``'s inverse): a text id sent
    after its zero type byte is the text, anything else the colon-separated hex.

    >>> client_id_as_written("00:6e:65:74:31")
    "'net1'"
    >>> client_id_as_written("01:02:03")
    '01:02:03'
    """
    try:
        raw = bytes.fromhex(hex_text.replace(":", ""))
        text = raw[1:].decode("utf-8")
    except ValueError:
        return hex_text
    if raw[:1] != b"\x00" or not text.isprintable() or _HEX_ID.fullmatch(text) or not text:
        return hex_text
    return f"'{text}'"


@record(frozen=True)
class DhcpRequest:
    """One interface that gets its (IPv4) address from DHCP, and how it asks for it."""

    key: str
    name: str  # kernel name
    namespace: str | None  # topology namespace key; None = the host
    kind: str
    origin: Origin
    client_id: str | None  # as written or derived; None with origin "mac"
    broadcast: bool  # ask the server to broadcast its replies (see ``requests``)
    routes: tuple[str, ...] = ()  # lease routes its client adds once bound (``routes.py``)

    @property
    def client_id_raw(self) -> bytes | None:
        return client_id_bytes(self.client_id) if self.client_id is not None else None

    def describe(self) -> str:
        """One sentence for the plan: what this interface will send."""
        where = f"namespace {self.namespace}" if self.namespace else "the host"
        if self.origin == "mac":
            ident = "identified by its MAC (no client-id sent)"
        elif self.origin == "derived":
            ident = (f"client-id '{self.client_id}' (derived: an ipvlan child shares its"
                     " parent's MAC with every sibling)")
        else:
            ident = f"client-id '{self.client_id}' (as given)"
        sentence = f"{self.name} in {where} asks DHCP for its address, {ident}"
        if self.routes:
            sentence += (f"; once leased, its client adds {route_list(self.routes)} (the"
                         " gateway is reachable only through the leased address, so the"
                         " engine cannot add it before)")
        return sentence


def route_list(routes: tuple[str, ...]) -> str:
    """``route default via 192.168.31.1`` / ``routes A, B``."""
    return ("route " if len(routes) == 1 else "routes ") + ", ".join(routes)


def requests(topology: Topology) -> list[DhcpRequest]:
    """Every interface of ``topology`` with a ``dhcp`` address, in file order.

    ipvlan children ask for broadcast replies: a server's unicast OFFER is addressed to the
    shared MAC and to an IP no child has yet, so ipvlan would hand it to the parent instead
    of the child that asked (measured on Debian 12's kernel with dnsmasq: without ``-B``
    udhcpc on an ipvlan l2 child never sees an OFFER; with it, it binds at once). One client
    runs per interface (validation refuses a second ``dhcp`` entry: ``duplicate-dhcp``).
    """
    out: list[DhcpRequest] = []
    routes: dict[str, list[str]] = {}
    for lease_route in lease_routes(topology):
        for key in lease_route.interfaces:
            routes.setdefault(key, []).append(route_arguments(lease_route.route))
    for key, link in topology.interfaces.items():
        entries = dhcp_entries(link)
        if not entries:
            continue
        given = entries[0].client_id
        is_ipvlan = isinstance(link, Ipvlan)
        origin: Origin
        if given is not None:
            origin, client_id = "given", given
        elif is_ipvlan:
            origin, client_id = "derived", derived_client_id(topology.name, key)
        else:
            origin, client_id = "mac", None
        out.append(DhcpRequest(key, topology.kernel_name(key), link.namespace, link.kind,
                               origin, client_id, broadcast=is_ipvlan,
                               routes=tuple(routes.get(key, ()))))
    return out


def shared_identities(topology: Topology) -> list[list[str]]:
    """Groups of interface keys a DHCP server will take for one client (so give one lease).

    Two interfaces collide when they send the same client-id bytes, or send none and carry
    the same MAC: the same ``mac`` written in the file, or ipvlan children of one parent.
    (Netwright derives a client-id for ipvlan children, so the last case only arises when a
    user forces the same id on two of them — the seed's problem, reproduced on purpose.)
    """
    by_identity: dict[tuple[str, str], list[str]] = defaultdict(list)
    for request in requests(topology):
        raw = request.client_id_raw
        if raw is not None:
            by_identity[("client-id", raw.hex())].append(request.key)
            continue
        link = topology.interfaces[request.key]
        if link.mac:
            by_identity[("mac", link.mac.lower())].append(request.key)
        elif isinstance(link, Ipvlan) and link.parent:
            by_identity[("parent-mac", link.parent)].append(request.key)
    return [keys for keys in by_identity.values() if len(keys) > 1]


def shared_identity_notes(topology: Topology) -> list[str]:
    """The prediction for each group of ``shared_identities``, in words (for the checks).

    Measured with dnsmasq on Debian 12's kernel: the server leases one address to the group;
    on ipvlan the first child to bind keeps it and the kernel refuses it to its siblings
    ("Address already assigned to an ipvlan device"), which stay without an address; other
    kinds would all take it, a duplicate address on the LAN.
    """
    notes = []
    by_key = {r.key: r for r in requests(topology)}
    for keys in shared_identities(topology):
        first = by_key[keys[0]]
        names = ", ".join(keys)
        same = (f"the same client-id '{first.client_id}'" if first.client_id is not None
                else "no client-id and one MAC")
        if all(isinstance(topology.interfaces[k], Ipvlan) for k in keys):
            outcome = ("the first to bind keeps it and ipvlan refuses it to the others"
                       " ('Address already assigned to an ipvlan device'), which stay without"
                       " an address")
        else:
            outcome = "each takes it: a duplicate address on the LAN"
        notes.append(f"DHCP: {names} send {same}, so a server sees one client and leases one"
                     f" address; {outcome}. Give each its own client-id (or none on ipvlan:"
                     " Netwright derives one per interface)")
    return notes
