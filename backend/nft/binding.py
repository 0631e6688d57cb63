"""libnftables through Debian's Python binding, with JSON in and JSON out.

Debian ships the binding as ``python3-nftables`` in dist-packages (it is not on PyPI), while
Netwright runs in a private virtual environment that does not see dist-packages. So the one
package is loaded from there by path when a plain import fails; nothing else of dist-packages
comes along. The binding opens its netlink socket on first use, in the network namespace of
the calling thread: create a ``Nft`` inside the namespace you mean.
"""

from __future__ import annotations

import importlib
import importlib.util
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path
from types import ModuleType
from typing import Any

from netwright.backend.topology.problems import NetwrightError

DIST_PACKAGES = Path("/usr/lib/python3/dist-packages")


class NftUnavailableError(NetwrightError):
    """libnftables or its Python binding is not installed."""


class NftError(NetwrightError):
    """libnftables refused a command; the message is nft's own error text."""


_lock = threading.Lock()
_loaded: list[ModuleType] = []


def _module() -> ModuleType:
    """The binding, loaded once (threads of one plan may ask at the same time)."""
    with _lock:
        if not _loaded:
            _loaded.append(_load())
        return _loaded[0]


def _load() -> ModuleType:
    try:
        return importlib.import_module("nftables")
    except ImportError:
        pass
    init = DIST_PACKAGES / "nftables" / "__init__.py"
    spec = importlib.util.spec_from_file_location(
        "nftables", init, submodule_search_locations=[str(init.parent)])
    if spec is None or spec.loader is None or not init.exists():
        raise NftUnavailableError("firewall and NAT rules need libnftables and its Python binding:"
                             " install the Debian packages nftables and python3-nftables")
    module = importlib.util.module_from_spec(spec)
    sys.modules["nftables"] = module
    try:
        spec.loader.exec_module(module)
    except OSError as exc:  # the binding loads libnftables.so.1 with ctypes
        del sys.modules["nftables"]
        raise NftUnavailableError(f"libnftables cannot be loaded ({exc}): install the Debian"
                             " package libnftables1") from None
    return module


NETLINK_NETFILTER = 12


FD_SETSIZE = 1024
# descriptors other threads might open between the probe and libnftables' own socket
FD_MARGIN = 64
NFT_COMMAND_PATH = "/usr/sbin:/sbin:/usr/bin:/bin"
#: The longest the nft command may take over one transaction (a large topology's ruleset
#: takes well under a second): a hung nft must not hold the daemon's job for ever.
NFT_COMMAND_SECONDS = 60.0


def _require_nfnetlink() -> int:
    """libnftables ends the whole process (exit 3) when it cannot open its netlink socket:
    open one first, so a kernel without nf_tables is a sentence, not a dead daemon.
    Returns the probe's descriptor: the lowest free one, which libnftables' socket gets."""
    try:
        probe = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW, NETLINK_NETFILTER)
    except OSError as exc:
        raise NftUnavailableError(
            f"this kernel has no nf_tables netlink interface ({exc.strerror}): load it with"
            " 'modprobe nf_tables' or use a kernel built with nftables") from None
    number = probe.fileno()
    probe.close()
    return number


class Nft:
    """One libnftables context in the current thread's network namespace.

    libnftables waits for a transaction's answer with select(), whose descriptor set ends
    at FD_SETSIZE (1024): a socket numbered above it makes glibc abort the whole process
    ("bit out of range 0 - FD_SETSIZE on fd_set"). netwrightd or the lab holding a
    thousand namespaces' descriptors (a large apply or check beside this one) would die
    there. In such a process the same JSON goes through the ``nft`` command instead: the
    same library in a new process that holds a handful of descriptors."""

    def __init__(self) -> None:
        crowded = _require_nfnetlink() >= FD_SETSIZE - FD_MARGIN
        self._ctx = None if crowded else _module().Nftables()
        if self._ctx is not None:
            self._ctx.set_json_output(True)
            self._ctx.set_handle_output(False)

    def _json_cmd(self, payload: dict[str, Any]) -> tuple[int, Any, str]:
        if self._ctx is not None:
            rc, output, error = self._ctx.json_cmd(payload)
            return rc, output, error
        return _nft_command(payload)

    def run(self, commands: list[dict[str, Any]]) -> None:
        """Send commands in one transaction: all of them take effect, or none."""
        if not commands:
            return
        rc, _output, error = self._json_cmd({"nftables": commands})
        if rc != 0:
            raise NftError(f"nftables refused the change: {error.strip() or f'error {rc}'}")

    def list_table(self, family: str, name: str) -> list[dict[str, Any]] | None:
        """The table's chains and rules as nft lists them (without handles), None if absent."""
        rc, output, _error = self._json_cmd(
            {"nftables": [{"list": {"table": {"family": family, "name": name}}}]})
        if rc != 0:
            return None
        items = (output or {}).get("nftables", [])
        return [item for item in items if "metainfo" not in item]

    def tables(self) -> list[tuple[str, str]]:
        """Every table in this namespace, ours or not: (family, name)."""
        rc, output, error = self._json_cmd({"nftables": [{"list": {"tables": None}}]})
        if rc != 0:
            raise NftError(f"cannot list nftables tables: {error.strip()}")
        items = (output or {}).get("nftables", [])
        return [(i["table"]["family"], i["table"]["name"]) for i in items if "table" in i]


def _nft_command(payload: dict[str, Any]) -> tuple[int, Any, str]:
    """``payload`` run by the nft command (``nft -j -f -``), in the calling thread's network
    namespace (a child process starts in it): (exit status, its JSON output, its errors),
    as the binding's ``json_cmd`` answers."""
    command = shutil.which("nft", path=NFT_COMMAND_PATH)
    if command is None:
        raise NftUnavailableError(
            f"this process holds more than {FD_SETSIZE - FD_MARGIN} descriptors, where"
            " libnftables would end it (its select() stops at 1024), and the nft command"
            " that would run the rules instead is missing: install the Debian package"
            " nftables")
    with subprocess.Popen([command, "-j", "-f", "-"], stdin=subprocess.PIPE,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) as child:
        try:
            stdout, stderr = child.communicate(json.dumps(payload), timeout=NFT_COMMAND_SECONDS)
        except subprocess.TimeoutExpired:
            _end(child)
            raise NftError(
                f"the nft command (process {child.pid}) did not answer within"
                f" {NFT_COMMAND_SECONDS:g} s and was ended (whether the kernel took a change"
                " it was sending is unknown): try again, and look at 'nft list ruleset' if it"
                " fails the same way") from None
    try:
        output = json.loads(stdout) if stdout.strip() else ""
    except json.JSONDecodeError:
        output = ""
    return child.returncode, output, stderr


def _end(child: subprocess.Popen[str]) -> None:
    """Kill the nft process by its PID (not yet reaped, so the PID is still its own) and
    reap it; its pipes are closed by the caller's ``with``, so a descendant holding them
    open does not keep the caller waiting."""
    if child.poll() is None:
        os.kill(child.pid, signal.SIGKILL)
    child.wait()
