"""Kernel settings under /proc/sys/net, read-only: the ones the engine records before it
changes them and the checks take into their predictions (forwarding, reverse-path
filtering, whether bridged packets pass the IP hooks).

/proc/sys/net follows the reading thread's network namespace: the ``*_here`` functions read
the namespace the calling thread is in (a check's worker thread has entered it);
``read_sysctl`` enters a named one first. Writing is the engine's (``kernel.netns``).
"""

from __future__ import annotations

import os
from pathlib import Path

from netwright.backend.kernel import netns
from netwright.backend.kernel.netns import Where, in_netns

FORWARDING = {4: "net.ipv4.ip_forward", 6: "net.ipv6.conf.all.forwarding"}
BRIDGE_NF = {4: "net.bridge.bridge-nf-call-iptables", 6: "net.bridge.bridge-nf-call-ip6tables"}
_CONF = Path("/proc/sys/net/ipv4/conf")


def read_here(key: str) -> str | None:
    """The value of ``key`` (``net.ipv4.ip_forward``) here; None where the kernel has none
    (no IPv6, br_netfilter not loaded)."""
    try:
        return netns.sysctl_path(key).read_text().strip()
    except OSError:
        return None


def read_sysctl(name: Where, key: str) -> str | None:
    """``read_here`` inside namespace ``name`` (None: this process's)."""
    return in_netns(name, lambda: read_here(key))


def _flags_here(keys: dict[int, str]) -> dict[int, bool]:
    return {version: read_here(key) == "1" for version, key in keys.items()}


def forwarding_here() -> dict[int, bool]:
    """Per IP version, whether this namespace forwards (no IPv6 in the kernel: False)."""
    return _flags_here(FORWARDING)


def forwarding_in(paths: list[str]) -> dict[str, dict[int, bool]]:
    """``forwarding_here`` of each namespace file in ``paths`` (/run/netns/x,
    /proc/PID/ns/net), read by one thread that enters them in turn (a few µs each, where a
    thread per namespace costs ~0.5 ms); a namespace that cannot be entered is left out."""

    def work() -> dict[str, dict[int, bool]]:
        found = {}
        for path in paths:
            try:
                netns.enter(path)
            except OSError:
                continue
            found[path] = forwarding_here()
        return found

    return netns._run_in_thread(work)


def bridge_nf_here() -> dict[int, bool]:
    """Per IP version, whether bridged packets pass the IP hooks (br_netfilter absent: no)."""
    return _flags_here(BRIDGE_NF)


def rp_filter_here() -> dict[str, int]:
    """rp_filter of ``all``, ``default`` and every device here."""
    return conf_here("rp_filter")


def arp_ignore_here() -> dict[str, int]:
    """arp_ignore of ``all``, ``default`` and every device here."""
    return conf_here("arp_ignore")


def conf_here(setting: str) -> dict[str, int]:
    """net.ipv4.conf.*.``setting`` for ``all``, ``default`` and every device here.

    Read with plain system calls (a host with a deployment of 200 namespaces has 400
    devices here, and a ``Path.read_text`` each cost 20 µs, most of it Python)."""
    found = {}
    for name in os.listdir(_CONF):
        try:
            fd = os.open(f"{_CONF}/{name}/{setting}", os.O_RDONLY)
        except OSError:
            continue  # gone since the listing, or no such setting
        try:
            value = os.read(fd, 32).strip()
        except OSError:
            continue
        finally:
            os.close(fd)
        if value.isdigit():
            found[name] = int(value)
    return found
