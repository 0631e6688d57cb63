"""Problems only the host's facts can see: a macvlan on a Wi-Fi NIC, a kind the kernel lacks.

The topology alone cannot know that wlp2s0 is Wi-Fi, so validation is silent; but an access
point only accepts frames from the MAC address that associated, so a macvlan child (a MAC of
its own) gets no traffic there. The seed uses ipvlan on wlp2s0 for exactly that reason. These
warnings join the document's problems in the Problems dock and on the canvas. Likewise a
kind the backend's kernel cannot create (ipvlan on a kernel without it) is an error while
designing, from Inspect's ``kinds``, not only when Plan fails; and so is, as a warning (the
design is right, this backend's kernel cannot carry it), an impairment that needs netem or a
port firewall that needs bridge connection tracking or bridge reject, from its ``features``.
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError

from netwright.backend.topology.impairment import Impairment
from netwright.backend.topology.problems import Problem
from netwright.gui.model.host_facts import HostFacts
from netwright.gui.model.snapshot import Snapshot

MACVLAN_ON_WIFI = "macvlan-on-wifi"
KERNEL_LACKS_KIND = "kernel-lacks-kind"
KERNEL_LACKS_FEATURE = "kernel-lacks-feature"
PORT_FIREWALL = "Inspector › Port firewall"
ALTERNATIVE = {"ipvlan": "use macvlan (mode bridge): its children reach each other and the"
                         " gateway as ipvlan l2 ones do"}


def wifi_sentence(key: str, parent: str) -> str:
    """Why a macvlan ``key`` on the Wi-Fi NIC ``parent`` fails, and what to use instead."""
    return (f"{key} is a macvlan on {parent}, a Wi-Fi NIC: the access point only accepts the"
            f" MAC address that associated, so {key} (a MAC of its own) gets no traffic; use"
            f" an ipvlan (mode l2) on {parent} instead, as the seed does")


def facts_problems(snapshot: Snapshot, facts: HostFacts | None) -> list[Problem]:
    """A warning at each macvlan whose parent the facts say is Wi-Fi; an error at each
    interface whose kind the backend's kernel lacks."""
    if facts is None:
        return []
    problems = []
    for key, link in snapshot.interfaces.items():
        kind = str(link.get("kind") or "")
        if facts.lacks(kind):
            instead = ALTERNATIVE.get(kind, f"use a kernel with {kind}")
            problems.append(Problem(
                "error", KERNEL_LACKS_KIND, ("interfaces", key, "kind"),
                f"the backend's kernel has no {kind}, so {key} cannot be created; {instead}"))
        problems += _feature_problems(key, link, facts)
        nic = facts.nic(link.get("parent"))
        if link.get("kind") == "macvlan" and nic is not None and nic.wifi:
            problems.append(Problem("warning", MACVLAN_ON_WIFI, ("interfaces", key, "parent"),
                                    wifi_sentence(key, nic.name)))
    return problems


def _feature_problems(key: str, link: dict[str, Any], facts: HostFacts) -> list[Problem]:
    """What interface ``key`` needs of the kernel beyond its kind, where the facts say the
    backend's kernel lacks it (the same needs Plan's probes refuse)."""
    found = []
    if facts.lacks_feature("netem") and _needs_netem(link.get("impairment")):
        found.append(Problem(
            "warning", KERNEL_LACKS_FEATURE, ("interfaces", key, "impairment"),
            f"the backend's kernel has no netem (module sch_netem), so {key}'s impairment"
            " cannot be applied: delay, jitter, loss, duplication, reordering and corruption"
            f" need it; keep only its Rate limit (select {key}, clear the other impairment"
            " fields in the Inspector), or apply on a kernel with netem"))
    rules = link.get("port-firewall")
    rules = rules if isinstance(rules, dict) else {}
    chains = [chain for side in ("to-port", "from-port")
              if isinstance(chain := rules.get(side), dict)]
    stateful = any(c.get("stateful") or any(r.get("state") for r in _rules(c)) for c in chains)
    if stateful and facts.lacks_feature("bridge-conntrack"):
        found.append(Problem(
            "warning", KERNEL_LACKS_FEATURE, ("interfaces", key, "port-firewall"),
            "the backend's kernel has no bridge connection tracking (module"
            f" nf_conntrack_bridge), so {key}'s stateful port rules cannot be applied:"
            " untick “Accept replies (stateful)” and clear the rules' state (select"
            f" {key}, {PORT_FIREWALL}), accepting the replies' ports explicitly; or filter"
            " in the namespace's forward chain instead"))
    rejects = any(r.get("action") == "reject" for c in chains for r in _rules(c))
    if rejects and facts.lacks_feature("bridge-reject"):
        found.append(Problem(
            "warning", KERNEL_LACKS_FEATURE, ("interfaces", key, "port-firewall"),
            f"the backend's kernel has no bridge reject (module nft_reject_bridge), so {key}'s"
            f" port rules that reject cannot be applied: drop instead (select {key},"
            f" {PORT_FIREWALL})"))
    return found


def _needs_netem(raw: Any) -> bool:
    """Whether an impairment as written needs netem (one the model refuses is the
    validation's to report)."""
    if not isinstance(raw, dict):
        return False
    try:
        return Impairment.model_validate(raw).needs_netem()
    except ValidationError:
        return False


def _rules(chain: dict[str, Any]) -> list[dict[str, Any]]:
    rules = chain.get("rules")
    return [r for r in rules if isinstance(r, dict)] if isinstance(rules, list) else []
