"""Which nftables features a design's tables need that the running kernel may lack.

Stateful rules on a bridge port (``stateful: true`` or a ``state`` match in ``port-firewall``)
need bridge connection tracking (nf_conntrack_bridge), and ``reject`` there needs
nft_reject_bridge; some kernels are built without them (this project's test machine is). A
plan must refuse such a design up front with the fix, not fail halfway through an apply. The
probe builds a throwaway table in a throwaway namespace (a thread that unshares its network
namespace), once per process.
"""

from __future__ import annotations

import ctypes
import threading
from collections.abc import Iterable
from typing import Any

from netwright.backend.kernel import netns
from netwright.backend.nft.ruleset import TableSpec
from netwright.backend.outcomes.errors import KernelUnsupported

#: feature → (what the kernel lacks, its module, a rule that needs it, who needs it and the
#: way around it): the refusal reads "this kernel has no <what> support (module …): …"
FEATURES = {
    "bridge-conntrack": ("bridge connection tracking", "nf_conntrack_bridge",
                         [{"match": {"op": "in", "left": {"ct": {"key": "state"}},
                                     "right": ["established"]}}, {"accept": None}],
                         "stateful rules on a bridge port need it, with nft_ct for connection"
                         " tracking expressions; without them: make the port's rules stateless"
                         " (accept the replies' ports explicitly), or filter on the namespace's"
                         " forward chain, where IP connection tracking sees bridged IPv4"
                         " traffic when net.bridge.bridge-nf-call-iptables is 1"),
    "bridge-reject": ("bridge reject", "nft_reject_bridge", [{"reject": None}],
                      "reject on a bridge port needs it; without it: drop instead of reject"),
}
_known: dict[str, bool] = {}
_lock = threading.Lock()


def _needs(tables: Iterable[TableSpec]) -> set[str]:
    needed = set()
    for table in tables:
        if table.family != "bridge":
            continue
        for command in table.rules:
            expr: list[dict[str, Any]] = command["add"]["rule"]["expr"]
            if any("ct" in item.get("match", {}).get("left", {}) for item in expr):
                needed.add("bridge-conntrack")
            if any("reject" in item for item in expr):
                needed.add("bridge-reject")
    return needed


def _probe(features: list[str]) -> dict[str, bool]:
    from netwright.backend.nft.binding import Nft, NftError

    def work() -> dict[str, bool]:
        if ctypes.CDLL(None, use_errno=True).unshare(netns.CLONE_NEWNET) != 0:
            return dict.fromkeys(features, True)  # cannot tell here; let the apply say
        nft = Nft()
        found = {}
        for feature in features:
            table = {"family": "bridge", "name": "nwprobe"}
            owner = {"family": "bridge", "table": "nwprobe"}
            commands: list[dict[str, Any]] = [
                {"add": {"table": table}},
                {"add": {"chain": {**owner, "name": "c", "type": "filter", "hook": "forward",
                                   "prio": 0, "policy": "accept"}}},
                {"add": {"rule": {**owner, "chain": "c", "expr": FEATURES[feature][2]}}}]
            try:
                nft.run(commands)
                found[feature] = True
                nft.run([{"delete": {"table": table}}])
            except NftError:
                found[feature] = False
        return found

    return netns._run_in_thread(work)


def supported(features: Iterable[str]) -> dict[str, bool]:
    """feature → whether this kernel has it (probed once per process)."""
    wanted = sorted(set(features))
    with _lock:
        todo = [f for f in wanted if f not in _known]
        if todo:
            _known.update(_probe(todo))
        return {f: _known[f] for f in wanted}


def require_table_features(tables: Iterable[TableSpec]) -> None:
    """Raise KernelUnsupported, with the fix, for a feature the tables need and the kernel
    lacks."""
    needed = sorted(_needs(tables))
    if not needed:
        return
    supported(needed)
    for feature in needed:
        if not _known[feature]:
            what, module, _expr, detail = FEATURES[feature]
            raise KernelUnsupported(what, module, detail)
