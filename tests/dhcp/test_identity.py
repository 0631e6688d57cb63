"""Which client-id each dhcp interface sends, and which interfaces a server takes for one."""

from __future__ import annotations

import pytest

from netwright.backend.dhcp import (
    client_id_as_written,
    client_id_bytes,
    client_id_text,
    derived_client_id,
    requests,
    shared_identities,
)
from netwright.backend.topology import parse_topology

NEEDS_ROOT = False

IPVLANS = """\
netwright: 1
name: seed
host: {nics: {wlp2s0: {addresses: [192.168.31.240/24], gateway: 192.168.31.1}, eth1: {}}}
namespaces: {net1: {}, net2: {}, net3: {}}
interfaces:
  ipvlan1: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net1, addresses: [dhcp]}
  ipvlan2: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net2, addresses: [dhcp]}
  ipvlan3: {kind: ipvlan, parent: wlp2s0, mode: l2, namespace: net3,
            addresses: [{dhcp: {client-id: "01:02:03:04:05:06:07"}}]}
  mv: {kind: macvlan, parent: eth1, mode: bridge, addresses: [dhcp]}
"""


def test_ipvlan_children_get_derived_ids_and_broadcast_replies() -> None:
    by_key = {r.key: r for r in requests(parse_topology(IPVLANS))}
    assert by_key["ipvlan1"].origin == "derived"
    assert by_key["ipvlan1"].client_id == "netwright/seed/ipvlan1"
    assert by_key["ipvlan1"].client_id_raw == b"\x00netwright/seed/ipvlan1"
    assert by_key["ipvlan2"].client_id != by_key["ipvlan1"].client_id
    assert by_key["ipvlan1"].broadcast and not by_key["mv"].broadcast
    assert by_key["ipvlan3"].origin == "given"
    assert by_key["ipvlan3"].client_id_raw == bytes(range(1, 8))
    assert (by_key["mv"].origin, by_key["mv"].client_id) == ("mac", None)
    assert "derived" in by_key["ipvlan1"].describe()
    assert "namespace net1" in by_key["ipvlan1"].describe()
    assert "no client-id sent" in by_key["mv"].describe()


def test_derivation_is_stable_and_unique_per_topology_and_key() -> None:
    assert derived_client_id("seed", "ipvlan1") == derived_client_id("seed", "ipvlan1")
    ids = {derived_client_id(t, k) for t in ("a", "b") for k in ("x", "y")}
    assert len(ids) == 4


@pytest.mark.parametrize(("text", "raw"), [
    ("net1-i1", b"\x00net1-i1"),
    ("01:aa:BB:cc:dd:ee:ff", bytes.fromhex("01aabbccddeeff")),
    ("aa", b"\x00aa"),  # one hex byte is text: a client-id needs a type and a value
])
def test_client_id_bytes_follow_networkmanager(text: str, raw: bytes) -> None:
    assert client_id_bytes(text) == raw
    assert client_id_text(raw) == ":".join(f"{b:02x}" for b in raw)


def test_forced_same_client_id_is_one_client_to_the_server() -> None:
    text = IPVLANS.replace("addresses: [dhcp]}\n  ipvlan2",
                           "addresses: [{dhcp: {client-id: same}}]}\n  ipvlan2").replace(
        "namespace: net2, addresses: [dhcp]", "namespace: net2,"
        " addresses: [{dhcp: {client-id: same}}]")
    assert shared_identities(parse_topology(text)) == [["ipvlan1", "ipvlan2"]]
    assert shared_identities(parse_topology(IPVLANS)) == []


def test_same_configured_mac_without_client_id_collides() -> None:
    text = """\
netwright: 1
name: t
host: {nics: {eth0: {}}}
namespaces: {a: {}, b: {}}
interfaces:
  m1: {kind: macvlan, parent: eth0, namespace: a, mac: "02:00:00:00:00:01", addresses: [dhcp]}
  m2: {kind: macvlan, parent: eth0, namespace: b, mac: "02:00:00:00:00:01", addresses: [dhcp]}
"""
    assert shared_identities(parse_topology(text)) == [["m1", "m2"]]


def test_with_leases_puts_leased_addresses_where_dhcp_was() -> None:
    from netwright.backend.dhcp.substitute import with_leases
    from netwright.backend.topology.model import static_addresses

    topology = parse_topology(IPVLANS)
    filled = with_leases(topology, {"ipvlan1": "192.168.31.130/24", "nope": "10.0.0.1/8"})
    assert [str(a) for a in static_addresses(filled.interfaces["ipvlan1"])] == [
        "192.168.31.130/24"]
    assert static_addresses(filled.interfaces["ipvlan2"]) == []  # no lease: still dhcp
    assert filled.interfaces["ipvlan2"] == topology.interfaces["ipvlan2"]
    assert with_leases(topology, {}) is topology


def test_shared_identity_notes_predict_what_ipvlan_and_dnsmasq_do() -> None:
    from netwright.backend.dhcp import shared_identity_notes

    same = "{dhcp: {client-id: same}}"
    text = IPVLANS.replace("net1, addresses: [dhcp]", f"net1, addresses: [{same}]").replace(
        "net2, addresses: [dhcp]", f"net2, addresses: [{same}]")
    notes = shared_identity_notes(parse_topology(text))
    assert len(notes) == 1
    assert "ipvlan1, ipvlan2" in notes[0] and "'same'" in notes[0]
    assert "Address already assigned to an ipvlan device" in notes[0]
    assert shared_identity_notes(parse_topology(IPVLANS)) == []


@pytest.mark.parametrize("written", ["seed-net1", "pod one", "01:02:03:04:05:06:07"])
def test_a_servers_client_id_reads_as_the_design_wrote_it(written: str) -> None:
    """`netwright dhcp server` showed 'seed-net1' as 00:73:65:65:64:2d:6e:65:74:31."""
    shown = client_id_as_written(client_id_text(client_id_bytes(written)))
    assert shown == (written if ":" in written else f"'{written}'")


def test_bytes_that_are_no_text_stay_hex() -> None:
    assert client_id_as_written("00:ff:fe") == "00:ff:fe"
    assert client_id_as_written("00:30:31") == "'01'"
    assert client_id_as_written("00:30:31:3a:30:32") == "00:30:31:3a:30:32"  # '01:02' is hex
