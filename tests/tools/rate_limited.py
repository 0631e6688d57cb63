"""The smallest design with a rate limit: namespaces a and b joined by a veth pair whose end
in a sends through a tbf at 10 Mbit/s; what the throughput tests measure against."""

from __future__ import annotations

#: The rate limit of a0, in bits per second.
LIMIT = 10_000_000


def rate_limited_design(name: str) -> str:
    """The design's YAML, named ``name`` (each test deploys its own)."""
    return f"""\
netwright: 1
name: {name}
namespaces: {{a: {{}}, b: {{}}}}
interfaces:
  a0: {{kind: veth, peer: b0, namespace: a, addresses: [10.9.0.1/24],
       impairment: {{rate: 10mbit}}}}
  b0: {{kind: veth, peer: a0, namespace: b, addresses: [10.9.0.2/24]}}
"""
