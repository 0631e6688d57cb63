"""The one entry point for a check: predict every pair, probe them all, put both side by side.

``run_check(subject, options, progress)`` takes the engine's ``Deployment`` (it knows the
on-disk namespace names) or a bare ``Topology`` whose namespaces exist under their own keys
in this process's namespace. The D-Bus ``Check`` method and the CLI both call it; the result
serialises with ``CheckResult.to_json()``.
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager
from dataclasses import dataclass, replace
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from netwright.backend.checks.collector import collector_paused
from netwright.backend.checks.dad import AddressState, dad_to_wait_for, read_states
from netwright.backend.checks.errors import CheckOptionsError
from netwright.backend.checks.explain import Explainer, Step
from netwright.backend.checks.filtering import Ruleset
from netwright.backend.checks.flow import has_rules
from netwright.backend.checks.foreign import read_foreign
from netwright.backend.checks.host_kernel import read_host
from netwright.backend.checks.host_lan import child_addresses
from netwright.backend.checks.host_routes import HostRoutes
from netwright.backend.checks.netns import (
    NamespaceGoneError,
    call_in,
    gone_words,
    netns_path,
)
from netwright.backend.checks.network import OUTSIDE, HostForwarding, Place
from netwright.backend.checks.nothing import nothing_to_check
from netwright.backend.checks.prober import EchoProber, Probe, processes_for
from netwright.backend.checks.results import CheckResult, Observation, Pair
from netwright.backend.checks.services import from_outside, responders_needed, with_services
from netwright.backend.checks.source import split_source
from netwright.backend.checks.spread import ProbeWorkers
from netwright.backend.count_words import agreeing, counted
from netwright.backend.dhcp.identity import shared_identity_notes
from netwright.backend.dhcp.substitute import with_leases
from netwright.backend.kernel.descriptors import allow_open_files, check_needs
from netwright.backend.kernel.open_files import open_files_for
from netwright.backend.observe.sysctls import bridge_nf_here, forwarding_here, rp_filter_here
from netwright.backend.topology.fields import is_identifier
from netwright.backend.topology.model import Topology, static_addresses
from netwright.backend.topology.problems import NetwrightError, quote

if TYPE_CHECKING:
    from netwright.backend.kernel.netlink import RtSocket

Progress = Callable[[int, int, str], None]
K = TypeVar("K")
T = TypeVar("T")
NEIGHBOUR_TABLE_LIMIT = 1024  # gc_thresh3: dynamic entries for all namespaces together
DAD_WAIT_LIMIT = 5.0  # seconds; DAD takes about 1–2 s after an address is added
LINK_WAIT_LIMIT = 2.0  # seconds; the kernel's link watch runs within one (its rate limit)


@dataclass(frozen=True)
class CheckOptions:
    """``outside``: an address beyond the gateway to probe (none by default on a real host).
    ``host_forwarding``: None reads the host's IPv4 and IPv6 forwarding from the kernel.
    ``neighbour_budget``: dynamic neighbour entries a check may cause before it pins entries.
    ``size``: the don't-fragment probe sent besides the small echo to each pair predicted
    reachable: None sends each at the sender's MTU on its route (a full-size packet), a
    number sends every one at that many bytes, 0 sends none.
    ``source``: probe only from the place holding this address, sent from it (``--from``).
    ``observed``: the subject is the live host as it is (``checks/observed.py``), not a
    deployment: no neighbour entry is pinned, and every namespace's rules are read.
    """

    timeout: float = 1.0
    retries: int = 1
    outside: str | None = None
    tcp_port: int | None = None
    host_forwarding: bool | None = None
    neighbour_budget: int = 512
    probe: bool = True
    outside_netns: str | None = None  # where ``outside`` lives (the lab's): probed from there
    outside_refused: str | None = None
    """Why ``outside`` cannot be probed where the check runs (the lab, which has one outside
    address), said when probing, after a sentence about an outside the design holds."""
    size: int | None = None
    source: str | None = None
    observed: bool = False

    def __post_init__(self) -> None:
        if not 0.01 <= self.timeout <= 30:
            raise CheckOptionsError(f"timeout {self.timeout} s is out of range (0.01–30 s)")
        if not 0 <= self.retries <= 5:
            raise CheckOptionsError(f"retries {self.retries} is out of range (0–5)")
        for flag, value in (("--target-outside", self.outside), ("--from", self.source)):
            if value is None:
                continue
            try:
                ipaddress.ip_address(split_source(value)[0] if flag == "--from" else value)
            except ValueError:
                raise CheckOptionsError(f"{flag} {quote(value)} is not an IP address" + (
                    " (or ADDR@NAMESPACE)" if flag == "--from" else "")) from None
        if self.outside is not None:
            outside = ipaddress.ip_address(self.outside)
            nowhere = not_beyond_a_gateway(outside)
            if nowhere:
                example = "198.51.100.7" if outside.version == 4 else "2001:db8::7"
                raise CheckOptionsError(
                    f"--target-outside {quote(self.outside)} is {nowhere}, not an address"
                    f" beyond the gateway: name one out there (e.g. {example})")
        place = split_source(self.source)[1] if self.source is not None else None
        if place is not None and place != "host" and not is_identifier(place):
            raise CheckOptionsError(f"--from {quote(self.source)} names no namespace after '@'"
                                    " (ADDR@NAMESPACE, or ADDR@host)")
        if self.tcp_port is not None and not 1 <= self.tcp_port <= 65535:
            raise CheckOptionsError(f"TCP port {self.tcp_port} is out of range (1–65535)")
        if self.size is not None and self.size != 0 and not 68 <= self.size <= 65535:
            raise CheckOptionsError(f"probe size {self.size} bytes is out of range (68–65535,"
                                    " or 0 for no full-size probes)")

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> CheckOptions:
        """Options as the D-Bus method receives them (unknown keys are refused)."""
        known = {"timeout", "retries", "outside", "tcp_port", "host_forwarding",
                 "neighbour_budget", "probe", "size", "source"}
        unknown = set(data) - known
        if unknown:
            raise CheckOptionsError(f"unknown check {agreeing(len(unknown), 'option', 'options')}:"
                                    f" {', '.join(sorted(unknown))}")
        return cls(**data)


def not_beyond_a_gateway(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str:
    """What ``address`` is when no router forwards to it (a namespace's own loopback, a
    link's multicast or link-local scope), in words; "" for an address out there."""
    if address.is_loopback:
        return "a loopback address (every namespace answers it itself)"
    if address.is_unspecified:
        return "the unspecified address"
    if address.is_multicast or address == ipaddress.IPv4Address("255.255.255.255"):
        return "a multicast or broadcast address"
    if address.is_link_local:
        return "a link-local address (no router forwards it)"
    return ""


@dataclass(frozen=True)
class Where:
    """Namespace files for each place of a deployed topology."""

    namespaces: dict[str, str]  # topology namespace key -> on-disk name
    host: str | None  # on-disk name of the namespace playing the host; None = ours
    outside: str | None = None  # on-disk name of the namespace holding the outside address
    files: dict[str, str] | None = None  # key -> namespace file (an observed host's)

    def path(self, place: Place) -> str:
        if place is None:
            return netns_path(self.host)
        if place == OUTSIDE and self.outside is not None:
            return netns_path(self.outside)
        if self.files is not None and place in self.files:
            return self.files[place]
        return netns_path(self.namespaces.get(place, place))


def _where(subject: Any) -> tuple[Topology, Where]:
    if isinstance(subject, Topology):
        return subject, Where({ns: ns for ns in subject.namespaces}, None)
    topology = getattr(subject, "topology", None)
    if not isinstance(topology, Topology):
        raise NetwrightError("run_check needs a Topology or an engine Deployment")
    files = getattr(subject, "files", None)
    if files is not None:  # the live host: its namespaces are files, no lease to fill in
        return topology, Where({}, subject.host_netns, files=dict(files))
    # leased addresses are probed like static ones (an interface without a lease stays out)
    topology = with_leases(topology, getattr(subject, "leases", None) or {},
                           getattr(subject, "lease_gateways", None) or {})
    return topology, Where(dict(subject.namespaces), subject.host_netns)


def _read_host_forwarding(where: Where) -> dict[int, bool]:
    """Whether the host forwards IPv4 and IPv6: Netwright never changes either."""
    return call_in(where.path(None), forwarding_here)


def _read_host_rp_filter(where: Where) -> dict[str, int]:
    """The host's rp_filter, ``all`` and per device: Netwright never changes it."""
    return call_in(where.path(None), rp_filter_here)


def _place_of(source: str, explainer: Explainer) -> Place:
    if source == "outside" and "outside" not in explainer.net.topology.namespaces:
        return OUTSIDE
    return None if source == "host" and "host" not in explainer.net.topology.namespaces \
        else source


def _designed_tables(topology: Topology, places: dict[Place, str]
                     ) -> dict[Place, dict[tuple[str, str], Any]]:
    """The design's own nftables tables in each place, by (family, name), with the
    signature the engine writes them with: what ``read_foreign`` compares with the kernel's."""
    from netwright.backend.nft.ruleset import places_tables

    return {place: {(t.family, t.name): t.signature() for t in tables}
            for place, tables in places_tables(topology, places).items()}


def _meets_the_hosts_network(topology: Topology) -> bool:
    """Whether anything of ``topology`` can lead beyond the host's gateway: a host NIC it
    names, or an address in the host (whose own traffic follows the host's routes)."""
    return bool(topology.host.nics) or any(
        link.namespace is None and static_addresses(link)
        for link in topology.interfaces.values())


class CheckError(NetwrightError):
    """The kernel refused something the check itself needed (a socket, a netlink request)."""


async def run_check(
    subject: Any, options: CheckOptions | None = None, progress: Progress | None = None
) -> CheckResult:
    """Predict and (unless ``options.probe`` is False) measure every pair. A deployment
    (not a bare Topology) is predicted from the kernel's facts even when nothing is probed
    (``netwright explain --deployed``).

    Failures are NetwrightErrors with a sentence; neighbour entries pinned for the check
    are removed on every way out, the failing ones included.
    """
    try:
        with _open_files(subject, options), collector_paused():
            async with ProbeWorkers.ahead(_processes_ahead(subject, options)) as workers:
                return await _run_check(subject, options, progress, workers)
    except NamespaceGoneError as exc:
        raise _gone_in_words(subject, exc) from None
    except OSError as exc:
        raise CheckError(f"the check could not finish: {exc.strerror or exc}") from None


def _gone_in_words(subject: Any, exc: NamespaceGoneError) -> NamespaceGoneError:
    """A deployment's namespace that is not there, named by its key with the way out: it
    said "cannot open namespace /run/netns/lab-ghost: … (is the topology deployed?)" of a
    deployed design, in the lab's on-disk name. The live host's (``files``) is left to
    ``observed.check_live_host``, which observes again."""
    topology = getattr(subject, "topology", None)
    on_disk = getattr(subject, "namespaces", None)
    if not isinstance(topology, Topology) or not isinstance(on_disk, dict) \
            or getattr(subject, "files", None) is not None:
        return exc
    key = next((k for k, name in on_disk.items() if netns_path(name) == exc.path), None)
    if key is None or key not in topology.namespaces:
        return exc
    said = gone_words(topology, key, exc.path)
    return NamespaceGoneError(said, exc.path)


def _open_files(subject: Any, options: CheckOptions | None) -> AbstractContextManager[None]:
    """The open files a check that reads the kernel holds (sockets in every namespace it
    probes from), set aside beside the applies, statuses and other checks running now in
    this process, or TooManyFiles before anything is opened. Explaining a design file alone
    opens nothing."""
    topology = subject if isinstance(subject, Topology) else getattr(subject, "topology", None)
    probe = (options or CheckOptions()).probe
    if not isinstance(topology, Topology) or (isinstance(subject, Topology) and not probe):
        return contextlib.nullcontext()
    namespaces = len(topology.namespaces)
    return open_files_for(topology.name, namespaces, "checking it", check_needs(namespaces))


def _processes_ahead(subject: Any, options: CheckOptions | None) -> int:
    """The processes a check of ``subject`` will likely probe from (``processes_for``),
    guessed from its addresses (a full mesh of them, at most) before anything is read, so
    that the workers start while the pairs are explained."""
    options = options or CheckOptions()
    topology = subject if isinstance(subject, Topology) else getattr(subject, "topology", None)
    if not options.probe or not isinstance(topology, Topology):
        return 1
    addresses = sum(len(static_addresses(link)) for link in topology.interfaces.values())
    return processes_for(addresses * (addresses - 1), len(topology.namespaces))


def predict(explainer: Explainer, options: CheckOptions, *, outside_named: bool,
            leased: bool = False, kernel_notes: Sequence[str] = ()) -> CheckResult:
    """What explain and check show before probing: pairs, notes, why none. ``outside_named``:
    not the lab's nor explain's stand-in, so refused if held; ``leased``: DHCP leases in."""
    if outside_named and (held := explainer.outside_held()):
        raise CheckOptionsError(held)
    if options.probe and options.outside_refused:
        raise CheckOptionsError(options.outside_refused)
    pairs = with_services(explainer, explainer.pairs(options.source),
                          outside_served=options.outside_netns is not None and options.probe)
    if not options.probe and options.source is None:
        pairs += from_outside(explainer)
    notes = [*kernel_notes, *explainer.notes(any_pairs=bool(pairs))]
    result = CheckResult(explainer.net.topology.name, pairs, notes=notes)
    if not pairs:
        result.nothing_to_check = nothing_to_check(explainer.net.topology,
                                                   observed=options.observed, leased=leased)
    return result


async def _run_check(
    subject: Any, options: CheckOptions | None, progress: Progress | None,
    workers: ProbeWorkers
) -> CheckResult:
    options = options or CheckOptions()
    topology, where = _where(subject)
    if options.outside_netns is not None and not _meets_the_hosts_network(topology):
        # the lab's own outside, probed by default: beyond a gateway the design never
        # reaches, it is no question the design asks (explain FILE leaves it out too)
        options = replace(options, outside=None, outside_netns=None)
    where = replace(where, outside=options.outside_netns)
    # the kernel's facts (forwarding, foreign rules, rp_filter, DAD) decide for what exists
    reads = options.probe or not isinstance(subject, Topology)
    report = progress or (lambda done, total, text: None)
    timings: dict[str, float] = {}
    started = time.perf_counter()
    loop = asyncio.get_running_loop()
    host_forwarding: HostForwarding = bool(options.host_forwarding)
    if options.host_forwarding is None and reads:
        with ThreadPoolExecutor(max_workers=1) as pool:
            host_forwarding = await loop.run_in_executor(
                pool, lambda: _read_host_forwarding(where))
    foreign: dict[Place, Ruleset] = {}
    bridge_nf: dict[int, bool] | None = None
    kernel_notes: list[str] = []
    host_rp_filter: dict[str, int] | None = None
    host_lan = None
    host_routes: HostRoutes | None = None
    if reads:  # a deployed design: the kernel's other rules decide too
        places: dict[Place, str] = {None: where.path(None)}
        if has_rules(topology) or options.observed:
            places.update({ns: where.path(ns) for ns in topology.namespaces})
        with ThreadPoolExecutor(max_workers=1) as pool:
            foreign, kernel_notes = await loop.run_in_executor(
                pool, lambda: read_foreign(topology.name, places, observed=options.observed,
                                           designed=None if options.observed
                                           else _designed_tables(topology, places)))
            bridge_nf = await loop.run_in_executor(
                pool, lambda: call_in(where.path(None), bridge_nf_here))
            host_rp_filter = await loop.run_in_executor(
                pool, lambda: _read_host_rp_filter(where))
            # replies to macvlan children: which host NIC they leave by; and when the design
            # gives no host route, the host's own traffic goes by the kernel's
            children = child_addresses(topology)
            routes = not options.observed and not any(
                nic.gateway for nic in topology.host.nics.values())
            if children or routes:
                host_lan, host_routes = await loop.run_in_executor(
                    pool, lambda: read_host(where.path(None), children, routes))
    address_states = None
    dad_paths = _ipv6_places(topology, where)
    if reads and dad_paths:
        with ThreadPoolExecutor(max_workers=1) as pool:
            waited, address_states = await loop.run_in_executor(
                pool, lambda: _settle_dad(topology, dad_paths))
        if waited:
            timings["dad_wait"] = waited
            kernel_notes.append(f"waited {waited:.1f} s for IPv6 duplicate address detection"
                                " to finish (tentative addresses can neither send nor answer)")
    if reads:  # the kernel's facts above, apart from the explanation (in its time too)
        timings["reads"] = time.perf_counter() - started
    explainer = Explainer(topology, options.outside, host_forwarding,
                          foreign if reads else None, bridge_nf,
                          probe_size=options.size, host_rp_filter=host_rp_filter,
                          address_states=address_states,
                          loopback_down=getattr(subject, "loopback_down", frozenset()),
                          forwarding_read=options.host_forwarding is None and reads,
                          observed=options.observed, host_lan=host_lan,
                          host_routes=host_routes)
    result = predict(explainer, options, outside_named=options.outside_netns is None,
                     leased=not isinstance(subject, Topology), kernel_notes=kernel_notes)
    timings["explain"] = time.perf_counter() - started
    pairs, notes, result.seconds = result.pairs, result.notes, timings
    if topology is not getattr(subject, "topology", topology):  # leases were filled in
        notes += [n for n in shared_identity_notes(subject.topology) if n not in notes]
    if not options.probe or not pairs:
        return result
    report(0, len(pairs), f"predicted {counted(len(pairs), 'pair')}; probing")
    # an echo socket per namespace and version, and a netlink socket per namespace to pin
    allow_open_files(3 * len(explainer.sources()) + 64)
    begun = time.perf_counter()
    # each pair makes at most two entries (request and reply): small checks skip the count
    steps = explainer.neighbour_steps if 2 * len(pairs) > options.neighbour_budget else set()
    timings["plan_neighbours"] = time.perf_counter() - begun
    pins = None
    limited = False
    try:
        if len(steps) > options.neighbour_budget and options.observed:
            limited = True
            result.notes.append(
                f"{len(steps)} neighbour entries needed, more than the"
                f" {options.neighbour_budget} a check may take from the kernel's shared table"
                f" ({NEIGHBOUR_TABLE_LIMIT}): none were pinned, as a check of the live host"
                " writes nothing, so a pair may fail for the table's sake (marked)")
        elif len(steps) > options.neighbour_budget:
            from netwright.backend.checks.neighbours import NeighbourPins

            report(0, len(pairs), f"pinning {len(steps)} neighbour entries (the kernel's table"
                   f" holds {NEIGHBOUR_TABLE_LIMIT} for all namespaces)")
            pins = NeighbourPins()
            begun = time.perf_counter()
            with ThreadPoolExecutor(max_workers=1) as pool:
                pinned, unpinned = await loop.run_in_executor(
                    pool, lambda: _pin(pins, explainer, where, steps))
            timings["pin_neighbours"] = time.perf_counter() - begun
            limited = unpinned > options.neighbour_budget
            result.neighbour_table = {"limit": NEIGHBOUR_TABLE_LIMIT,
                                      "entries_needed": len(steps), "pinned": pinned,
                                      "dynamic": unpinned}
            result.notes.append(
                f"{len(steps)} neighbour entries needed, more than the"
                f" {options.neighbour_budget} a check may take from the kernel's shared table"
                f" ({NEIGHBOUR_TABLE_LIMIT}): {pinned} were pinned as temporary permanent"
                " entries and removed afterwards")
        # the pins' sockets, open in their namespaces already, ask for the links too
        opened = pins.route_sockets() if pins is not None else {}
        with ThreadPoolExecutor(max_workers=1) as pool:
            waited = await loop.run_in_executor(pool, lambda: _settle_links(
                sorted(set(_places(topology, where).values())), opened=opened))
        if waited:
            timings["link_wait"] = waited
            result.notes.append(f"waited {waited:.1f} s for the kernel to finish bringing links"
                                " up (a link with carrier drops every frame until then)")
        make = _probe_maker(explainer, where)
        begun = time.perf_counter()
        bind = {}
        if options.source is not None:
            place = explainer.place_of_address(options.source)
            bind[where.path(place)] = str(ipaddress.ip_address(split_source(options.source)[0]))
        prober = EchoProber(options.timeout, options.retries, progress, bind, workers=workers)
        observations = await _echo(prober, pairs, make)
        timings["probe"] = time.perf_counter() - begun
        result.notes.extend(note for note in prober.notes if note not in result.notes)
        await workers.close()  # any not used
        probes: list[Probe] = []  # every pair's small echo, made for the probes below alone
        if any(link.impairment for link in topology.interfaces.values()):
            from netwright.backend.checks.impaired import measure_impaired

            begun = time.perf_counter()
            probes = probes or _probes(pairs, make)
            observations = await measure_impaired(
                pairs, probes, observations, explainer,
                place_of=lambda source: _place_of(source, explainer), timeout=options.timeout)
            timings["impairment"] = time.perf_counter() - begun
        if options.tcp_port is not None:
            from netwright.backend.checks.tcp import probe_tcp

            begun = time.perf_counter()
            probes = probes or _probes(pairs, make)
            tcp = await probe_tcp(probes, options.tcp_port, options.timeout)
            timings["tcp"] = time.perf_counter() - begun
            observations = [_with_tcp(o, t) for o, t in zip(observations, tcp, strict=True)]
        if any(p.services for p in pairs):
            begun = time.perf_counter()
            probes = probes or _probes(pairs, make)
            pairs = await _probe_services(pairs, probes, where, options.timeout)
            timings["services"] = time.perf_counter() - begun
    finally:
        if pins is not None:
            begun = time.perf_counter()
            with ThreadPoolExecutor(max_workers=1) as pool:
                await loop.run_in_executor(pool, pins.remove_all)
            timings["unpin_neighbours"] = time.perf_counter() - begun
    if limited:
        observations = [_limited(o) for o in observations]
    result.pairs = Pair.observe_all(pairs, observations)
    result.probed = True
    timings["total"] = time.perf_counter() - started
    if progress:  # counting them is not free (40 ms for a mesh of 200)
        progress(len(pairs), len(pairs), counted(len(result.mismatches), "mismatch", "mismatches"))
    return result


async def _probe_services(pairs: list[Pair], probes: list[Probe], where: Where,
                          timeout: float) -> list[Pair]:
    """Connect (TCP) and ask (UDP) every service of every pair, with responders serving the
    targets' ports meanwhile; the pairs come back with the services observed.

    The ports are probed side by side, in waves of at most ``SLICE`` probes (as many sockets
    as one port's probes ever hold at once): a check whose rules drop several ports waits
    one timeout for them all, not one per port."""
    from netwright.backend.checks.responder import Responders
    from netwright.backend.checks.tcp import SLICE, probe_tcp
    from netwright.backend.checks.udp import probe_udp

    wanted = {(where.path(place), address, proto, port)
              for place, address, proto, port in responders_needed(pairs)}
    by_port: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for index, pair in enumerate(pairs):
        for number, service in enumerate(pair.services):
            by_port.setdefault((service.proto, service.port), []).append((index, number))
    seen: dict[tuple[int, int], Observation] = {}

    async def probe_port(proto: str, port: int, slots: list[tuple[int, int]]) -> None:
        chosen = [probes[index] for index, _number in slots]
        probe = probe_tcp if proto == "tcp" else probe_udp
        for slot, answer in zip(slots, await probe(chosen, port, timeout), strict=True):
            seen[slot] = Observation(answer["verdict"], answer.get("error"),
                                     answer.get("rtt_ms"), answer.get("errno"))

    async with Responders(wanted):
        for wave in waves(list(by_port.items()), SLICE):
            await asyncio.gather(*(probe_port(proto, port, slots)
                                   for (proto, port), slots in wave))
    return [Pair(p.source, p.target, p.predicted, p.observed, tuple(
        replace(service, observed=seen.get((index, number)))
        for number, service in enumerate(p.services))) for index, p in enumerate(pairs)]


def waves(groups: list[tuple[K, list[T]]], limit: int) -> list[list[tuple[K, list[T]]]]:
    """The groups, in order, packed into waves of at most ``limit`` members in all; a group
    bigger than ``limit`` makes a wave of its own."""
    packed: list[list[tuple[K, list[T]]]] = []
    size = limit
    for group in groups:
        if size + len(group[1]) > limit:
            packed.append([])
            size = 0
        packed[-1].append(group)
        size += len(group[1])
    return packed


ProbeMaker = Callable[[Pair, int], Probe]


def _probe_maker(explainer: Explainer, where: Where) -> ProbeMaker:
    """``make(pair, size)``: the pair's probe of ``size`` (0: the small echo); namespace
    paths and addresses are worked out once each, however many probes are made."""
    paths: dict[str, str] = {}
    targets: dict[str, Probe] = {}
    like = Probe.like

    def make(pair: Pair, size: int = 0) -> Probe:
        path = paths.get(pair.source)
        if path is None:
            path = paths[pair.source] = where.path(_place_of(pair.source, explainer))
        model = targets.get(pair.target.address)
        if model is None:
            model = targets[pair.target.address] = Probe(path, pair.target.address)
        return like(model, path, size)

    return make


def _probes(pairs: list[Pair], make: ProbeMaker) -> list[Probe]:
    """One small echo per pair (what TCP, services and impairments probe from and to)."""
    return [make(pair, 0) for pair in pairs]


async def _echo(prober: EchoProber, pairs: list[Pair], make: ProbeMaker
                ) -> list[Observation]:
    """The small echo and the full-size don't-fragment probe of every pair, as one
    observation each, at about the cost of one probe per pair.

    A pair predicted unreachable gets the small echo only (a big one has nothing to add); one
    predicted to drop full-size packets gets both at once; one predicted to pass them gets
    the full-size probe only, since its reply answers for the small echo too, and the small
    echo follows in a second round only where the full-size probe failed (a mismatch). Only
    the probes sent are made (a mesh of 200 sends 39,800 full-size ones and 200 small).
    """
    # the full-size probes, their pairs' indices and sizes side by side: what follows the
    # probing reads these lists alone, not 40,000 pairs and probes scattered in memory
    sized: list[Probe] = []
    sized_at: list[int] = []
    sizes: list[int] = []
    big_only: set[int] = set()
    small_first: list[Probe] = []  # the small echoes of the first round, in order
    small_at: list[int] = []  # and their pairs' indices
    for index, pair in enumerate(pairs):
        predicted = pair.predicted
        size = predicted.size
        if size and predicted.verdict == "reachable":
            sized.append(make(pair, size))
            sized_at.append(index)
            sizes.append(size)
            if predicted.size_verdict == "reachable":
                big_only.add(index)
                continue
        small_first.append(make(pair, 0))
        small_at.append(index)
    seen = await prober.run(small_first + sized)
    observations: list[Observation | None] = [None] * len(pairs)
    for index, observed in zip(small_at, seen, strict=False):
        observations[index] = observed
    big = seen[len(small_at):]
    again = [i for i, observed in zip(sized_at, big, strict=True)
             if observed.verdict != "reachable" and i in big_only]
    if again:
        for index, observed in zip(again, await prober.run([make(pairs[i], 0) for i in again]),
                                   strict=True):
            observations[index] = observed
    for index, size, observed in zip(sized_at, sizes, big, strict=True):
        error = pairs[index].predicted.size_send_failure if observed.errno == "ENOBUFS" \
            else None
        small = observations[index]
        if small is None:  # the full-size probe answers for both: no copy
            _add_size(observed, size, observed, error)
            observations[index] = observed
        else:
            observations[index] = _with_size(small, size, observed, error)
    return [observed for observed in observations if observed is not None]


def _with_size(small: Observation, size: int, seen: Observation, error: str | None = None
               ) -> Observation:
    """The small echo's observation with the full-size probe's verdict and error (``error``
    in the path's words, else the probe's). Its fields are copied in one dictionary update:
    a frozen dataclass's ``__init__`` sets each of its eleven fields through
    ``object.__setattr__`` (1.5 µs; ``dataclasses.replace`` twice that), and a mesh of 200
    makes 39,800 of these."""
    joined = object.__new__(Observation)
    joined.__dict__.update(small.__dict__)
    _add_size(joined, size, seen, error)
    return joined


def _add_size(observation: Observation, size: int, seen: Observation, error: str | None
              ) -> None:
    """Set the full-size probe's fields on ``observation``, which must be one made just now
    for this pair alone (a prober's answer or a copy) and seen by no one else yet: a frozen
    dataclass, but nothing can have hashed or kept it."""
    fields = observation.__dict__
    fields["size"] = size
    fields["size_verdict"] = seen.verdict
    fields["size_error"] = error or seen.error


def _with_tcp(observation: Observation, tcp: dict[str, Any]) -> Observation:
    return replace(observation, tcp=tcp)


def _limited(observation: Observation) -> Observation:
    if observation.verdict == "reachable" or observation.limited_by:
        return observation
    return replace(observation, limited_by="neighbour-table")


def _ipv6_places(topology: Topology, where: Where) -> dict[Place, str]:
    """The namespace file of every place where the design puts an IPv6 address."""
    return _places(topology, where, version=6)


def _places(topology: Topology, where: Where, version: int | None = None
            ) -> dict[Place, str]:
    """The namespace file of every place where the design makes an interface (with an
    address of ``version``, if given)."""
    return {link.namespace: where.path(link.namespace)
            for link in topology.interfaces.values()
            if not link.existing and (version is None or any(
                a.version == version for a in static_addresses(link)))}


def _settle_dad(topology: Topology, paths: dict[Place, str]
                ) -> tuple[float, dict[tuple[str, str], AddressState]]:
    """Wait for duplicate address detection, then read which addresses it left unusable."""
    waited = wait_for_dad(sorted(set(paths.values())), DAD_WAIT_LIMIT) \
        if dad_to_wait_for(topology) else 0.0
    return waited, read_states(topology, paths)


def wait_for_dad(paths: list[str], limit: float = DAD_WAIT_LIMIT) -> float:
    """Wait until no IPv6 address in these namespaces (files) is tentative; seconds waited.
    A check waits so; so does a measurement (iperf3 cannot connect from or to a tentative
    address)."""
    from netwright.backend.observe.addressing import tentative

    return _wait_in(paths, lambda sockets: any(tentative(s) for s in sockets), limit, 0.05)


def _settle_links(paths: list[str], limit: float = LINK_WAIT_LIMIT,
                  opened: dict[str, RtSocket] | None = None) -> float:
    """Make sure no link in these namespaces still drops what it sends because the kernel
    has not handled its carrier yet (``carrier_unhandled``): right after an apply, the end
    of a veth pair brought up first gets carrier when its peer comes up, and under load the
    kernel's worker can take longer than a probe's timeout to enable its queue; an ARP
    request lost there is sent again only a second later. Seconds waited. ``opened``: route
    sockets open already, by namespace file (left open)."""
    from netwright.backend.observe.addressing import carrier_unhandled

    # every namespace is asked each time (a list, not a short-circuit): the asking is what
    # makes the kernel handle a link's pending carrier change
    return _wait_in(paths, lambda sockets: any([carrier_unhandled(s) for s in sockets]),
                    limit, 0.01, opened)


def _wait_in(paths: list[str], busy: Callable[[list[RtSocket]], bool], limit: float,
             interval: float, opened: dict[str, RtSocket] | None = None) -> float:
    """Poll ``busy`` on a route socket in each of these namespaces every ``interval`` until
    it is False or ``limit`` seconds have passed; the seconds waited (0 under 50 ms). A
    socket in ``opened`` is used as it is, and left open; the others are opened here."""
    from netwright.backend.checks.netns import route_socket

    given = opened or {}
    mine: list[RtSocket] = []
    sockets = []
    try:
        for path in paths:
            sock = given.get(path)
            if sock is None:
                sock = route_socket(path)
                mine.append(sock)
            sockets.append(sock)
        begun = time.monotonic()
        while busy(sockets) and time.monotonic() - begun < limit:
            time.sleep(interval)
    finally:
        for sock in mine:
            sock.close()
    waited = time.monotonic() - begun
    return waited if waited > 0.05 else 0.0


# -- the neighbour table ------------------------------------------------------------------------

def _pin(pins: Any, explainer: Explainer, where: Where, steps: set[Step]) -> tuple[int, int]:
    """Install permanent entries for steps whose answering device's MAC the kernel gives."""
    from netwright.backend.checks.neighbours import Entry

    by_path: dict[str, Any] = {}
    # by place: its namespace file and links, worked out once (a mesh of 200 has 39,800
    # steps, and a path is a string join: that was most of the pinning's time)
    places: dict[Place, tuple[str, Any]] = {}

    def place_of(place: Place) -> tuple[str, Any]:
        found = places.get(place)
        if found is None:
            path = where.path(place)
            if path not in by_path:
                by_path[path] = pins.links(path)
            found = places[place] = (path, by_path[path])
        return found

    devices = explainer.net.devices
    # by sending device and by answering device, what an entry takes from each (None: no
    # entry), worked out once each: the steps are pairs of a few hundred devices
    senders: dict[tuple[Place, str], tuple[str, int] | None] = {}
    macs: dict[str | None, bytes | None] = {}

    def sender(place: Place, out_dev: str) -> tuple[str, int] | None:
        path, links = place_of(place)
        link = links.get(devices[out_dev].name)
        return None if link is None else (path, link.index)

    def mac_of(answering: str | None) -> bytes | None:
        target = devices.get(answering or "")
        if target is None or target.kind in ("lan", "nic"):
            return None
        link = place_of(target.place)[1].get(target.name)
        return link.mac if link is not None and link.mac else None

    entries = []
    unpinned = 0
    new_entry = partial(tuple.__new__, Entry)  # Entry._make, without its length check
    for place, out_dev, hop, answering in steps:
        if devices[out_dev].kind in ("lan", "nic"):
            unpinned += 1
            continue
        mac = macs[answering] if answering in macs else macs.setdefault(
            answering, mac_of(answering))
        if mac is None:
            unpinned += 1
            continue
        key = (place, out_dev)
        sent = senders[key] if key in senders else senders.setdefault(key, sender(*key))
        if sent is None:
            unpinned += 1
            continue
        entries.append(new_entry((*sent, hop, mac)))
    pinned = pins.add(entries)
    return pinned, unpinned + len(entries) - pinned
