"""The node's NIC for the Multus proofs: the same uplink (a veth to a router namespace with
the gateway and an outside address) that the checks' kernel tests use."""

from tests.checks.conftest import uplink

__all__ = ["uplink"]
