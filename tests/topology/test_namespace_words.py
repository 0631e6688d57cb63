"""Validation names a namespace whose key is a word its sentences use as the checks do.

"next hop 10.0.9.1 is not on any subnet of gateway" reads as the route's gateway having
subnets; the checks and the no-default-route warning say "namespace gateway"
(backend/topology/sentence_names.py), and every rule that names a namespace by its key now
says it the same way, while an ordinary key stays bare ("in net1").
"""

from __future__ import annotations

import pytest

from tests.topology.rule_cases import only

ROUTES = """
namespaces:
  {ns}:
    routes:
      - {{to: 10.9.0.0/16}}
      - {{to: 10.8.0.0/16, dev: nosuch}}
      - {{to: 10.7.0.0/16, dev: {ns}d}}
      - {{to: 10.6.0.0/16, via: 10.0.9.1}}
      - {{to: 10.5.0.0/16, via: 10.0.1.9}}
      - {{to: 10.3.0.0/16, via: 10.0.0.9}}
      - {{to: 10.3.0.0/16, via: 10.0.0.9}}
      - {{to: 10.4.0.0/16, via: 10.0.0.9, src: 10.0.0.77}}
interfaces:
  {ns}a: {{kind: veth, peer: {ns}b, namespace: {ns}, addresses: [10.0.0.1/24]}}
  {ns}b: {{kind: veth, peer: {ns}a}}
  {ns}d: {{kind: veth, peer: {ns}e, namespace: {ns}, state: down, addresses: [10.0.1.1/24]}}
  {ns}e: {{kind: veth, peer: {ns}d}}
"""

DHCP_V6 = """
namespaces:
  {ns}: {{routes: [{{to: "fd00:9::/64", via: "fd00::1"}}]}}
interfaces:
  {ns}a: {{kind: veth, peer: {ns}b, namespace: {ns}, addresses: [dhcp]}}
  {ns}b: {{kind: veth, peer: {ns}a}}
"""

VXLAN = """
namespaces:
  {ns}: {{}}
  far: {{}}
interfaces:
  u1: {{kind: veth, peer: u2, namespace: {ns}, addresses: [10.1.0.1/24]}}
  u2: {{kind: veth, peer: u1, namespace: far, addresses: [10.1.0.2/24]}}
  x1: {{kind: vxlan, vni: 7, remote: 10.1.0.2, namespace: {ns}}}
  x2: {{kind: vxlan, vni: 7, remote: 10.1.0.99, namespace: far}}
"""


@pytest.mark.parametrize(("ns", "named"), [("gateway", "namespace gateway"), ("net1", "net1")])
def test_route_sentences_name_the_namespace_unambiguously(ns: str, named: str) -> None:
    body = ROUTES.format(ns=ns)
    said = {code: only(body, code).message for code in (
        "invalid-route", "unknown-reference", "route-link-down", "gateway-off-link",
        "gateway-link-down", "duplicate-route", "route-src-not-local")}
    assert said["invalid-route"].startswith(f"route to 10.9.0.0/16 in {named} needs 'via'")
    assert said["unknown-reference"].startswith(
        f"route to 10.8.0.0/16 in {named} uses dev nosuch, but {named} has no interface")
    assert said["route-link-down"].startswith(f"route to 10.7.0.0/16 in {named} goes out")
    assert said["gateway-off-link"].startswith(f"next hop 10.0.9.1 is not on any subnet of"
                                               f" {named}:")
    assert said["gateway-link-down"].startswith(f"next hop 10.0.1.9 in {named} is on-link")
    assert said["duplicate-route"].startswith(f"{named} already has a route to 10.3.0.0/16")
    assert said["route-src-not-local"].startswith(
        f"route 10.4.0.0/16 in {named} prefers source 10.0.0.77, which is not an IPv4 address"
        f" of {named}:")
    assert f"use one of {named}'s own addresses" in said["route-src-not-local"]


@pytest.mark.parametrize(("ns", "named"), [("router", "namespace router"), ("net1", "net1")])
def test_the_dhcp_only_ipv6_next_hop_names_the_namespace(ns: str, named: str) -> None:
    message = only(DHCP_V6.format(ns=ns), "gateway-off-link").message
    assert message.startswith(f"next hop fd00::1 in {named} could only be on-link through a"
                              " DHCP lease,"), message


@pytest.mark.parametrize(("ns", "named"), [("parent", "namespace parent"), ("net1", "net1")])
def test_a_vxlan_that_does_not_send_back_names_the_namespace(ns: str, named: str) -> None:
    message = only(VXLAN.format(ns=ns), "vxlan-remote-unmatched").message
    assert f"not back to {named}: frames from x2 never reach x1" in message, message
    assert f"'remote: an underlay address of {named}'" in message, message
