"""A design with nothing to check: namespaces a and b on a bridge, and no address anywhere
(or, with ``dhcp``, only a DHCP one on a's end, unknown before the lease)."""

from __future__ import annotations


def unaddressed_design(name: str, *, prefix: str = "", dhcp: bool = False) -> str:
    """The design's YAML, named ``name``; ``prefix`` goes before every namespace and
    interface name (deployments beside others' need their own names)."""
    a, b = f"{prefix}a", f"{prefix}b"
    leased = ", addresses: [dhcp]" if dhcp else ""
    return f"""\
netwright: 1
name: {name}
namespaces: {{{a}: {{}}, {b}: {{}}}}
interfaces:
  {prefix}br0: {{kind: bridge}}
  {prefix}pa: {{kind: veth, peer: {prefix}ea, master: {prefix}br0}}
  {prefix}ea: {{kind: veth, peer: {prefix}pa, namespace: {a}{leased}}}
  {prefix}pb: {{kind: veth, peer: {prefix}eb, master: {prefix}br0}}
  {prefix}eb: {{kind: veth, peer: {prefix}pb, namespace: {b}}}
"""
