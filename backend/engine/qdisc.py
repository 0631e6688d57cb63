"""Impairment as the kernel holds it: a root qdisc on an owned link (netem, or tbf for a rate
limit alone), built, compared and probed here.

``QdiscSpec`` is what the design asks for; its ``signature`` and the one read back from a
dumped qdisc (``observed_signature``) are compared field by field in the kernel's own units
(pyroute2's conversions: ticks, u32 fractions, bytes per second), so a hand-made ``tc qdisc
change`` shows as drift and a re-apply with the same values changes nothing. Changing an
impairment replaces the qdisc in place (NLM_F_REPLACE): the link is never re-created. A root
qdisc of another kind that someone made by hand (``RootQdisc.foreign``: htb, say) is never
replaced: it may hold classes and filters Netwright could not put back.

pyroute2's tc messages (``tcmsg``: every scheduler, classifier and action it knows, ~10 ms
to import) are imported where a qdisc is built, dumped or removed: the engine imports this
module on every command, and a design without impairment never needs them (issue 23).
"""

from __future__ import annotations

import ctypes
import errno
import functools
import struct
import threading
from collections.abc import Callable
from typing import Any

from pyroute2.netlink.rtnl import RTM_DELQDISC, RTM_GETQDISC, RTM_NEWQDISC, TC_H_ROOT

from netwright.backend.kernel import netns
from netwright.backend.kernel.encode import RawRequest
from netwright.backend.kernel.netlink import CHANGE, CREATE, Request, RtSocket
from netwright.backend.outcomes.errors import KernelUnsupported
from netwright.backend.record import record
from netwright.backend.topology.impairment import (
    TBF_LATENCY,
    Impairment,
    delay_text,
    duration_us,
    percent,
    percent_text,
    qdisc_choice,
    rate_bits,
    rate_text,
)

ROOT_HANDLE = 0x10000  # 1:0
REPLACE = CHANGE | 0x400 | 0x100  # NLM_F_CREATE | NLM_F_REPLACE, never EXCL
OURS = ("netem", "tbf")

Signature = tuple[Any, ...]
_TCMSG = struct.Struct("=BBHiIII")  # family, pads, ifindex, handle, parent, info
_NLMSGHDR_SIZE = 16


@record(frozen=True)
class QdiscSpec:
    kind: str  # "netem" or "tbf"
    params: tuple[tuple[str, Any], ...]  # pyroute2 keyword arguments
    text: str  # "40 ms ±5 · 1 % loss"

    def options(self) -> dict[str, Any]:
        from pyroute2.netlink.rtnl.tcmsg import sched_netem, sched_tbf

        kwargs = dict(self.params)
        if self.kind == "netem":
            return sched_netem.get_parameters(kwargs)  # type: ignore[no-any-return]
        return sched_tbf.get_parameters(kwargs)  # type: ignore[no-any-return]

    def signature(self) -> Signature:
        return _signature(self.kind, self.options())

    def request(self, index: int) -> RawRequest:
        """Replace the root qdisc of link ``index``. The attributes are packed once per
        distinct spec (pyroute2 computes tbf's 256-entry rate table in Python for every
        message it encodes: most of the time of 100 rate changes); only the header differs."""
        header = _TCMSG.pack(0, 0, 0, index, ROOT_HANDLE, TC_H_ROOT, 0)
        return RawRequest(RTM_NEWQDISC, REPLACE, header + _packed_attributes(self.kind,
                                                                             self.params))


@functools.lru_cache(maxsize=256)
def _packed_attributes(kind: str, params: tuple[tuple[str, Any], ...]) -> bytes:
    """TCA_KIND and TCA_OPTIONS of a qdisc, packed by pyroute2 once."""
    from pyroute2.netlink.rtnl.tcmsg import tcmsg

    spec = QdiscSpec(kind, params, "")
    encoded = Request(tcmsg, RTM_NEWQDISC, REPLACE,
                      {"index": 0, "handle": ROOT_HANDLE, "parent": TC_H_ROOT},
                      [("TCA_KIND", kind), ("TCA_OPTIONS", spec.options())]).encode(0)
    return encoded[_NLMSGHDR_SIZE + _TCMSG.size:]


def delete_request(index: int, handle: int) -> Request:
    """Remove the root qdisc, only while it is the one with ``handle`` (as observed: the
    kernel refuses with EINVAL when another is there now): it puts the default one back."""
    from pyroute2.netlink.rtnl.tcmsg import tcmsg

    return Request(tcmsg, RTM_DELQDISC, CHANGE,
                   {"index": index, "handle": handle, "parent": TC_H_ROOT}, [])


def qdisc_spec(impairment: Impairment | None) -> QdiscSpec | None:
    """The root qdisc of an impaired link in pyroute2's terms: the kind and fields chosen
    by ``qdisc_choice`` (as the exported script's tc command is), in the kernel's units."""
    choice = qdisc_choice(impairment)
    if choice is None:
        return None
    assert impairment is not None
    params = {_PARAM.get(name, name): _KERNEL_UNITS[name](value) for name, value in choice.fields}
    return QdiscSpec(choice.kind, tuple(sorted(params.items())), impairment.summary())


def _bytes_per_second(rate: str) -> int:
    """A rate of the file ("10mbit", "1.5mbit", "10 mbit") as the kernel counts it. pyroute2
    parses only a whole number glued to its unit; given a number, it takes bytes/s as is."""
    return rate_bits(rate) // 8


#: pyroute2's names for the fields tc names otherwise.
_PARAM = {"reorder": "prob_reorder", "corrupt": "prob_corrupt"}
#: Each field's value as pyroute2 takes it (a tbf's latency is tc's own words).
_KERNEL_UNITS: dict[str, Callable[[str], Any]] = {
    "delay": duration_us, "jitter": duration_us, "loss": percent, "duplicate": percent,
    "reorder": percent, "corrupt": percent, "rate": _bytes_per_second,
    "burst": int, "latency": str,
}


def _attr(attrs: list[Any], name: str) -> dict[str, Any]:
    for item in attrs:
        key, value = (item[0], item[1]) if isinstance(item, list | tuple) else (None, None)
        if key == name:
            return value if isinstance(value, dict) else dict(value or {})
    return {}


def _signature(kind: str, options: dict[str, Any]) -> Signature:
    """The fields that matter, from tc options as we send them (``QdiscSpec.options``) or
    as ``observed_signature`` rebuilds them from a dump: both are plain dicts."""
    attrs = options.get("attrs", [])
    if kind == "netem":
        reorder = _attr(attrs, "TCA_NETEM_REORDER").get("prob_reorder", 0)
        corrupt = _attr(attrs, "TCA_NETEM_CORRUPT").get("prob_corrupt", 0)
        rate = _attr(attrs, "TCA_NETEM_RATE").get("rate", 0)
        return ("netem", int(options.get("delay", 0)), int(options.get("jitter", 0)),
                int(options.get("loss", 0)), int(options.get("duplicate", 0)), int(reorder),
                int(corrupt), int(rate))
    if kind == "tbf":
        return ("tbf", int(_attr(attrs, "TCA_TBF_PARMS").get("rate", 0)))
    return (kind,)


def observed_signature(msg: Any) -> Signature | None:
    """The signature of a dumped root qdisc, None for anything that is not ours to manage."""
    kind = msg.get_attr("TCA_KIND")
    if kind not in OURS or msg["parent"] != TC_H_ROOT:
        return None
    options = msg.get_attr("TCA_OPTIONS")
    if options is None:
        return (kind,)
    if kind == "tbf":
        parms = options.get_attr("TCA_TBF_PARMS") or {}
        return ("tbf", int(parms.get("rate", 0)))
    attrs = [[name, value] for name, value in options["attrs"]] if options else []
    decoded = {field: options[field] for field in ("delay", "jitter", "loss", "duplicate")}
    return _signature("netem", {**decoded, "attrs": attrs})


@record(frozen=True)
class RootQdisc:
    """A link's root qdisc as dumped: its kind, its signature when it is ours to manage
    (netem or tbf; None for anything else, which is never planned against) and its handle
    (0 for the default qdisc the kernel gives a link by itself)."""

    kind: str
    signature: Signature | None
    handle: int = 0

    @property
    def foreign(self) -> bool:
        """Made by hand and not one Netwright manages (``tc qdisc add dev X root handle 1:
        htb``): the kernel's own default has handle 0, whatever its kind."""
        return self.signature is None and self.handle != 0

    def handle_text(self) -> str:
        """The handle as tc(8) writes it: ``1:``."""
        return f"{self.handle >> 16:x}:"


def root_qdiscs(sock: RtSocket) -> dict[int, RootQdisc]:
    """ifindex → its root qdisc."""
    from pyroute2.netlink.rtnl.tcmsg import tcmsg

    out: dict[int, RootQdisc] = {}
    for msg in sock.dump(tcmsg, RTM_GETQDISC):
        if msg["parent"] == TC_H_ROOT:
            out[int(msg["index"])] = RootQdisc(str(msg.get_attr("TCA_KIND")),
                                               observed_signature(msg), int(msg["handle"]))
    return out


FIELDS = ("delay", "jitter", "loss", "duplicate", "reorder", "corrupt", "rate")
_U32 = 2**32 - 1


def signature_values(signature: Signature) -> dict[str, str]:
    """The impairment a signature stands for, per field that is set, in the designer's
    words: ``("tbf", 1250000)`` → ``{"rate": "10 Mbit/s"}``. Kernel units back to the
    file's: psched ticks to µs, u32 fractions to %, bytes per second to bits."""
    kind, *values = signature
    if kind == "tbf":
        return {"rate": rate_text(values[0] * 8)} if values and values[0] else {}
    if kind != "netem" or not values:
        return {}
    from pyroute2.netlink.rtnl.tcmsg.common import tick_in_usec

    delay, jitter, loss, duplicate, reorder, corrupt, rate = values
    out = {name: delay_text(round(ticks / tick_in_usec))
           for name, ticks in (("delay", delay), ("jitter", jitter)) if ticks}
    out.update({name: percent_text(round(fraction * 100 / _U32, 4)) for name, fraction in
                (("loss", loss), ("duplicate", duplicate), ("reorder", reorder),
                 ("corrupt", corrupt)) if fraction})
    if rate:
        out["rate"] = rate_text(rate * 8)
    return out


def drift_text(designed: QdiscSpec | None, seen: RootQdisc | None) -> str:
    """What the kernel holds where it differs from the design, value by value: "rate 10
    Mbit/s designed, 100 Mbit/s in the kernel", "no impairment in the kernel"."""
    if seen is None or seen.signature is None:  # a foreign one is refused (foreign_text)
        return "no impairment in the kernel"
    have = signature_values(seen.signature)
    held = " · ".join(have[f] for f in FIELDS if f in have) or f"an empty {seen.kind}"
    if designed is None:
        return f"{held} in the kernel, none designed"
    want = signature_values(designed.signature())
    fields = [f for f in FIELDS if want.get(f) != have.get(f)]
    if not fields:  # the same values in another kind of qdisc, or finer than shown
        return f"{designed.text} designed, {held} in the kernel ({seen.kind})"
    return "; ".join(f"{f} {want.get(f, 'none')} designed, {have.get(f, 'none')} in the kernel"
                     for f in fields)


def foreign_text(designed: QdiscSpec, seen: RootQdisc, link: str, place: str,
                 namespace: str | None) -> str:
    """Why an impairment is not applied over a root qdisc made by hand, and the cure:
    replacing it would throw away its classes and filters, which no rollback could restore.
    ``place``: "namespace a"; ``namespace``: its name for ``tc -n`` (None on the host)."""
    tc = f"tc -n {namespace}" if namespace is not None else "tc"
    return (f"impair {link} in {place}: {designed.text} — the kernel has qdisc {seen.kind}"
            f" ({seen.handle_text()}) there instead, which Netwright did not make: it never"
            f" replaces it (its classes and filters would be lost); remove it ({tc} qdisc del"
            f" dev {link} root) and apply again, or take the impairment out of the design")


_known: dict[str, bool] = {}
_lock = threading.Lock()


def _probe(kinds: list[str]) -> dict[str, bool]:
    from pyroute2.netlink.rtnl import RTM_NEWLINK
    from pyroute2.netlink.rtnl.ifinfmsg import ifinfmsg

    def work() -> dict[str, bool]:
        if ctypes.CDLL(None, use_errno=True).unshare(netns.CLONE_NEWNET) != 0:
            return dict.fromkeys(kinds, True)  # cannot tell; let the apply say
        sock = RtSocket(netns.new_route_socket())
        try:
            sock.request_one(Request(ifinfmsg, RTM_NEWLINK, CREATE, {}, [
                ("IFLA_IFNAME", "nwq0"),
                ("IFLA_LINKINFO", {"attrs": [("IFLA_INFO_KIND", "veth"), ("IFLA_INFO_DATA", {
                    "attrs": [("VETH_INFO_PEER", {"attrs": [("IFLA_IFNAME", "nwq1")]})]})]}),
            ]))
            index = sock.link_indexes().get("nwq0", 0)
            samples = {"netem": QdiscSpec("netem", (("delay", 1000),), ""),
                       "tbf": QdiscSpec("tbf", (("burst", 32768), ("latency", TBF_LATENCY),
                                                ("rate", "1mbit")), "")}
            found = {}
            for kind in kinds:
                outcome = sock.request_one(samples[kind].request(index))
                found[kind] = outcome.error not in (errno.ENOENT, errno.EOPNOTSUPP,
                                                    errno.EINVAL)
            return found
        finally:
            sock.close()

    return netns._run_in_thread(work)


def supported(kinds: list[str]) -> dict[str, bool]:
    """qdisc kind ("netem", "tbf") → whether this kernel can make it (probed once)."""
    wanted = sorted(set(kinds))
    with _lock:
        todo = [k for k in wanted if k not in _known]
        if todo:
            _known.update(_probe(todo))
        return {k: _known[k] for k in wanted}


def require(kinds: list[str], users: dict[str, QdiscSpec] | None = None) -> None:
    """Raise KernelUnsupported, with the fix, for a qdisc kind the kernel cannot make;
    ``users`` ("eth0 in namespace a" → its spec) are named with what they ask for, so the
    message says which interfaces of a large design need the missing kind."""
    wanted = sorted(set(kinds))
    if not wanted:
        return
    found = supported(wanted)
    for kind in wanted:
        if not found[kind]:
            module = {"netem": "sch_netem", "tbf": "sch_tbf"}[kind]
            why = ("delay, jitter, loss, duplication, reordering and corruption need netem;"
                   " a rate limit alone uses tbf" if kind == "netem" else
                   "a rate limit needs the token bucket filter")
            asking = [f"{who} asks for {spec.text}" for who, spec in (users or {}).items()
                      if spec.kind == kind]
            if len(asking) > 3:
                asking = [*asking[:3], f"{len(asking) - 3} more interfaces too"]
            raise KernelUnsupported(f"{kind} impairment", module,
                                    "; ".join([*asking, why]))
