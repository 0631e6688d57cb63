"""A mistyped key names the key that place accepts and was probably meant, read from the
model itself (aliases and union members included), and nothing when no key is close."""

from __future__ import annotations

import pytest

from tests.topology.rule_cases import problems

SEED = """\
host:
  nics:
    wlp2s0: {addresses: [192.168.31.240/24], @gateway@: 192.168.31.1}
namespaces:
  net1:
    routes: [{to: default, @via@: 192.168.31.1}]
@interfaces@:
  ipvlan1: {kind: ipvlan, parent: wlp2s0, @mode@: l2, namespace: net1,
            @addresses@: [192.168.31.5/24]}
  tap0:
    kind: veth
    peer: tap1
    @port_firewall@: {to-port: {policy: drop}}
  tap1: {kind: veth, peer: tap0}
"""
RIGHT = {"gateway": "gateway", "via": "via", "interfaces": "interfaces", "mode": "mode",
         "addresses": "addresses", "port_firewall": "port-firewall"}


def _file(keys: dict[str, str]) -> str:
    text = SEED
    for token, key in keys.items():
        text = text.replace(f"@{token}@", key)
    return text


@pytest.mark.parametrize(("key", "typo", "path"), [
    ("gateway", "gatway", "host.nics.wlp2s0.gatway"),
    ("via", "vai", "namespaces.net1.routes[0].vai"),
    ("interfaces", "interface", "interface"),
    ("mode", "mdoe", "interfaces.ipvlan1.mdoe"),
    ("addresses", "adresses", "interfaces.ipvlan1.adresses"),
    ("port_firewall", "port-firewal", "interfaces.tap0.port-firewal"),
])
def test_a_typo_names_the_key_meant(key: str, typo: str, path: str) -> None:
    text = _file({**RIGHT, key: typo})
    unknown = [(p.path_text, p.message) for p in problems(text) if p.code == "unknown-key"]
    meant = RIGHT[key].replace("_", "-")
    assert unknown == [(path, f"unknown key '{typo}'; did you mean '{meant}'?")]


def test_a_key_like_none_of_that_place_is_only_unknown() -> None:
    # 'gateway' is a host NIC's key, not an interface's: never suggested where refused
    text = _file({**RIGHT, "addresses": "gateway"})
    unknown = [(p.path_text, p.message) for p in problems(text) if p.code == "unknown-key"]
    assert unknown == [("interfaces.ipvlan1.gateway", "unknown key 'gateway'")]
