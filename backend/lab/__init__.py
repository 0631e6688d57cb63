"""The lab host: an emulated host network inside namespaces Netwright owns.

A topology is written for a real machine (``host.nics: wlp2s0: 192.168.31.240/24, gateway
192.168.31.1``). The lab builds a stand-in for that machine so the topology can be applied
anywhere without touching the real network (tests, ``--lab``, the connectivity checks)::

    nwlab-host     the "host": wlp2s0 (a veth) with the NIC's address, default via gateway
        │ wlp2s0 ⇄ r-wlp2s0
    nwlab-router   the gateway: 192.168.31.1, ip_forward on
        │ r-outside ⇄ outside0
    nwlab-outside  an address "on the Internet": 203.0.113.114 (LAB_OUTSIDE_ADDRESS)

NICs on one subnet (Wi-Fi and Ethernet to one router) are one LAN: their router ends join a
bridge ``r-lan-<hash>`` in nwlab-router that holds the gateway once (``lans.py``).

Deploy a topology into it with ``Engine(state_dir, Target.lab())``. The lab itself is applied
by the same engine (as topology ``nwlab`` on the engine's own namespace, state under
``<state_dir>/lab-infra``), so it is marked, journalled, idempotent and destroyable like
everything else.
"""

from netwright.backend.lab.build import (
    LAB_DEFAULT_NICS,
    LAB_OUTSIDE_ADDRESS,
    LAB_TOPOLOGY_NAME,
    Lab,
    LabPrepared,
    build_lab,
    build_lab_for,
    destroy_lab,
    dhcp_server_leases,
    lab_topology,
    outside_refusal,
)

OUTSIDE_ADDRESS = LAB_OUTSIDE_ADDRESS  # the name the connectivity checks look up

__all__ = [
    "LAB_DEFAULT_NICS",
    "LAB_OUTSIDE_ADDRESS",
    "LAB_TOPOLOGY_NAME",
    "OUTSIDE_ADDRESS",
    "Lab",
    "LabPrepared",
    "build_lab",
    "build_lab_for",
    "destroy_lab",
    "dhcp_server_leases",
    "lab_topology",
    "outside_refusal",
]
