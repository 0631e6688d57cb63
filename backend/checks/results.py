"""What a check produces: pairs with a prediction and an observation, as plain data.

The JSON shape is the contract of issue 5, shared by the CLI's ``--json``, the D-Bus ``Check``
method and the GUI: an object with a ``pairs`` list, each pair with ``source``, ``target``,
``role``, ``predicted`` {verdict, reason, fix} and ``observed`` {verdict, error, rtt_ms}.
Extra keys (``disposition``, ``target_name``, ``match`` …) only add detail.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

Verdict = Literal["reachable", "unreachable"]
Role = Literal["peer", "parent", "gateway", "outside", "self"]

# Batfish-style dispositions: why a flow ends where it ends.
Disposition = Literal[
    "accepted",  # the target is the source's own address
    "delivered",  # the echo reached the target and the reply came back
    "no_route",  # the sender's kernel has no route: ENETUNREACH "Network is unreachable"
    "no_route_back",  # the target has no route to the sender: no reply
    "neighbor_unreachable",  # the next hop is not on the link the route points at
    "isolated",  # the link type forbids it by design (macvlan/ipvlan rules)
    "link_down",  # an interface on the way is down or has no carrier
    "not_forwarded",  # a router on the way has forwarding off
    "beyond_model",  # the path leaves what the topology describes
    "denied",  # a firewall rule or policy drops or refuses it (the reason names which)
    "address_unusable",  # an IPv6 address tentative or failed in duplicate address detection
]

ROLES: tuple[Role, ...] = ("self", "peer", "parent", "gateway", "outside")


@dataclass(frozen=True)
class Target:
    """An address worth probing, with what it is and who holds it.

    ``place`` is where the address lives: a namespace key, None for the host, or a pseudo
    place (``@lan:<nic>`` for the LAN behind a host NIC, ``@outside``).
    """

    address: str
    role: Role
    owner: str  # interface key, host NIC, "gateway" or "outside"
    place: str | None
    label: str  # how people read it: "net2/ipvlan2", "wlp2s0 (parent)", "gateway"


@dataclass(frozen=True)
class Prediction:
    """The small echo's verdict, and for a reachable pair its path MTU: ``size`` is the
    full-size packet the sender would send (its MTU on the route), ``size_verdict`` whether
    such a packet with don't-fragment set gets there and back."""

    verdict: Verdict
    disposition: Disposition
    reason: str
    fix: str | None = None
    mtu: int | None = None
    size: int | None = None
    size_verdict: Verdict | None = None
    # what the sender's kernel refusing the full-size send (ENOBUFS) means on this path:
    # "1500-byte packets are dropped at b's eth0 (MTU 1400)", the veth peer that drops it
    size_send_failure: str | None = None

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verdict": self.verdict,
            "reason": self.reason,
            "fix": self.fix,
            "disposition": self.disposition,
        }
        if self.size is not None:
            data.update(mtu=self.mtu, size=self.size, size_verdict=self.size_verdict)
        return data


@dataclass(frozen=True)
class Observation:
    """What a probe saw. ``error`` is None when a reply came back.

    ``errno`` is the symbolic kernel error when the sender's kernel reported one
    (``ENETUNREACH``, ``EHOSTUNREACH`` …); ``limited_by`` names a host limit, not the design,
    that may explain a failure (``neighbour-table``).
    """

    verdict: Verdict
    error: str | None = None
    rtt_ms: float | None = None
    errno: str | None = None
    attempts: int = 1
    limited_by: str | None = None
    tcp: dict[str, Any] | None = None
    size: int | None = None  # the don't-fragment probe's packet size, when one was sent
    size_verdict: Verdict | None = None
    size_error: str | None = None
    impairment: dict[str, Any] | None = None  # echoes measured against the design's (impaired.py)

    @classmethod
    def reply(cls, rtt_ms: float, attempts: int) -> Observation:
        """A reply after ``rtt_ms``, its fields a copy of a template's given to it as its
        ``__dict__``: the frozen ``__init__`` sets each of the eleven fields through
        ``object.__setattr__`` (1.3 µs), and a mesh of 200 gets 39,800 replies. (Updating
        the fresh object's own ``__dict__`` instead was 20% slower: 0.55 against 0.45 µs.)"""
        fields = _REPLY.copy()
        fields["rtt_ms"] = rtt_ms
        fields["attempts"] = attempts
        made = object.__new__(cls)
        object.__setattr__(made, "__dict__", fields)
        return made

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "verdict": self.verdict,
            "error": self.error,
            "rtt_ms": None if self.rtt_ms is None else round(self.rtt_ms, 3),
            "errno": self.errno,
            "attempts": self.attempts,
        }
        if self.limited_by:
            data["limited_by"] = self.limited_by
        if self.tcp is not None:
            data["tcp"] = self.tcp
        if self.size is not None:
            data.update(size=self.size, size_verdict=self.size_verdict,
                        size_error=self.size_error)
        if self.impairment is not None:
            data["impairment"] = self.impairment
        return data


_REPLY = Observation("reachable").__dict__.copy()


@dataclass(frozen=True)
class Service:
    """A TCP or UDP port of the target that the design's rules or publishes name (or one they
    leave out): does a connection (TCP) or a request and its answer (UDP) get through?"""

    proto: Literal["tcp", "udp"]
    port: int
    predicted: Prediction
    observed: Observation | None = None

    @property
    def matches(self) -> bool | None:
        if self.observed is None:
            return None
        return self.observed.verdict == self.predicted.verdict

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "proto": self.proto, "port": self.port, "predicted": self.predicted.to_json(),
            "observed": None if self.observed is None else self.observed.to_json()}
        if self.observed is not None:
            data["match"] = self.matches
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Service:
        predicted, observed = data["predicted"], data.get("observed")
        return cls(data["proto"], int(data["port"]), Prediction(
            predicted["verdict"], predicted.get("disposition", "beyond_model"),
            predicted["reason"], predicted.get("fix")),
            None if observed is None else Observation(
                observed["verdict"], observed.get("error"), observed.get("rtt_ms"),
                observed.get("errno"), observed.get("attempts", 1)))


@dataclass(frozen=True)
class Pair:
    """One source namespace (``"host"`` for the host) and one target address; ``services``
    are the TCP/UDP ports probed besides the echo when the design has rules."""

    source: str
    target: Target
    predicted: Prediction
    observed: Observation | None = None
    services: tuple[Service, ...] = ()

    @classmethod
    def unprobed(cls, source: str, target: Target, predicted: Prediction) -> Pair:
        """``Pair(source, target, predicted)``, its fields set in one dictionary update (as
        ``Observation.reply``: a mesh of 200 explains 40,000 pairs)."""
        made = object.__new__(cls)
        made.__dict__.update(source=source, target=target, predicted=predicted,
                             observed=None, services=())
        return made

    def with_observed(self, observed: Observation) -> Pair:
        """This pair with ``observed``, copied the same way."""
        made = object.__new__(Pair)
        fields = made.__dict__
        fields.update(self.__dict__)
        fields["observed"] = observed
        return made

    @staticmethod
    def observe_all(pairs: list[Pair], observations: list[Observation]) -> list[Pair]:
        """Each pair with its observation. The pairs must be ones a check made for itself
        (``unprobed``) and has given no one yet: a frozen dataclass, but nothing can have
        hashed or kept them, so each unobserved one takes its observation in place (40,000
        copies by ``with_observed`` cost 23 ms at N = 200, this a few); a pair seen twice,
        or observed already, is copied."""
        out = []
        for pair, observed in zip(pairs, observations, strict=True):
            fields = pair.__dict__
            if fields["observed"] is None:
                fields["observed"] = observed
                out.append(pair)
            else:
                out.append(pair.with_observed(observed))
        return out

    @property
    def matches(self) -> bool | None:
        """None before probing; otherwise whether the model predicted what the kernel did
        (for the echo and for every port probed)."""
        if self.observed is None:
            return None
        return self.observed.verdict == self.predicted.verdict and all(
            s.matches is not False for s in self.services) and (
            self.observed.size_verdict is None
            or self.observed.size_verdict == self.predicted.size_verdict) and (
            self.observed.impairment is None or self.observed.impairment.get("within", True))

    def mismatch_text(self) -> str | None:
        """The sentence users want when the model or the host surprised us."""
        if self.observed is None or self.matches:
            return None
        texts = []
        if self.observed.verdict != self.predicted.verdict:
            seen = self.observed.error or f"reply in {self.observed.rtt_ms or 0:.2f} ms"
            text = (f"predicted {self.predicted.verdict}: {self.predicted.reason};"
                    f" observed: {seen}")
            if self.observed.limited_by:
                text += f" (limited by the {self.observed.limited_by}, not the design)"
            elif self.target.role == "gateway" and self.observed.errno == "EHOSTUNREACH":
                text += (f" (nothing on that segment answered ARP for {self.target.address}:"
                         " the gateway is not part of the design, so check that it is there,"
                         " up, and has this address)")
            texts.append(text)
        elif self.observed.size_verdict not in (None, self.predicted.size_verdict):
            seen = self.observed.size_error or "a reply"
            texts.append(f"predicted {self.observed.size}-byte packets"
                         f" {self.predicted.size_verdict}: {self.predicted.reason}; observed"
                         f" with {self.observed.size} bytes and don't-fragment: {seen}")
        if self.observed.impairment is not None and not self.observed.impairment["within"]:
            texts.append(f"outside the designed impairment: {self.observed.impairment['text']}")
        for service in self.services:
            if service.matches is False and service.observed is not None:
                seen = service.observed.error or "answered"
                texts.append(f"{service.proto}/{service.port}: predicted"
                             f" {service.predicted.verdict}: {service.predicted.reason};"
                             f" observed: {seen}")
        return "; ".join(texts)

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "source": self.source,
            "target": self.target.address,
            "target_name": self.target.label,
            "role": self.target.role,
            "predicted": self.predicted.to_json(),
            "observed": None if self.observed is None else self.observed.to_json(),
        }
        if self.services:
            data["services"] = [s.to_json() for s in self.services]
        if self.observed is not None:
            data["match"] = self.matches
            if not self.matches:
                data["mismatch"] = self.mismatch_text()
        return data


@dataclass(repr=False)
class CheckResult:
    """The whole check: every pair, plus what limited or shaped the probing.

    The repr is a summary that costs nothing to make: asyncio formats a finished task's
    result into its repr (Python 3.11 does so when asyncio.run restores the SIGINT handler),
    and forty thousand pairs took a second to format (counting their mismatches, 40 ms).
    """

    topology: str
    pairs: list[Pair]
    probed: bool = False
    seconds: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    neighbour_table: dict[str, Any] = field(default_factory=dict)
    # with no pair, why nothing was checked and what would change that (nothing.py)
    nothing_to_check: str | None = None

    def __repr__(self) -> str:
        return f"CheckResult({self.topology!r}, {len(self.pairs)} pairs, probed={self.probed})"

    @property
    def mismatches(self) -> list[Pair]:
        return [p for p in self.pairs if p.matches is False]

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckResult:
        """The result as a backend sent it (``Check`` over D-Bus), for rendering here.

        The JSON names a target by address, label and role only; owner and place, which the
        prober needed, are not part of it and are left empty.
        """
        pairs = []
        for item in data.get("pairs", []):
            predicted, observed = item["predicted"], item.get("observed")
            pairs.append(Pair(
                source=item["source"],
                target=Target(item["target"], item["role"], item.get("target_name", ""), None,
                              item.get("target_name", item["target"])),
                predicted=Prediction(predicted["verdict"], predicted.get("disposition",
                                     "beyond_model"), predicted["reason"], predicted.get("fix"),
                                     predicted.get("mtu"), predicted.get("size"),
                                     predicted.get("size_verdict")),
                observed=None if observed is None else Observation(
                    observed["verdict"], observed.get("error"), observed.get("rtt_ms"),
                    observed.get("errno"), observed.get("attempts", 1),
                    observed.get("limited_by"), observed.get("tcp"), observed.get("size"),
                    observed.get("size_verdict"), observed.get("size_error"),
                    observed.get("impairment")),
                services=tuple(Service.from_json(s) for s in item.get("services", [])),
            ))
        return cls(data.get("topology", ""), pairs, probed=bool(data.get("probed")),
                   seconds=dict(data.get("seconds", {})), notes=list(data.get("notes", [])),
                   neighbour_table=dict(data.get("neighbour_table", {})),
                   nothing_to_check=data.get("nothing_to_check"))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "topology": self.topology,
            "probed": self.probed,
            "pairs": [p.to_json() for p in self.pairs],
            "mismatches": len(self.mismatches),
            "notes": list(self.notes),
        }
        if self.seconds:
            data["seconds"] = {k: round(v, 4) for k, v in self.seconds.items()}
        if self.neighbour_table:
            data["neighbour_table"] = dict(self.neighbour_table)
        if self.nothing_to_check:
            data["nothing_to_check"] = self.nothing_to_check
        return data
