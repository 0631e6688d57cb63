"""Impairment as owned state: a root qdisc on our links, read back with tc(8).

On this machine's kernel (tbf, no netem): a rate limit is applied, re-applied as a no-op,
changed in place (the link keeps its ifindex), reported as drift when changed by hand (with
the designed and the kernel's values), removed when the design drops it; a root qdisc made by
hand (htb) is never replaced, not by an apply nor by a rollback; netem impairment is refused
at plan time with the fix. The stock-kernel tier applies netem over tbf and back (the kernel
never changes a qdisc's kind in place), measures its delay with ping and reads a netem
changed by hand back as drift."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from netwright.backend.engine import ApplyFailed, Engine, Step, Target
from netwright.backend.engine.qdisc import qdisc_spec, require
from netwright.backend.outcomes.errors import ConflictError, KernelUnsupported
from netwright.backend.topology.impairment import Impairment
from netwright.backend.topology.model import Topology
from netwright.backend.topology.problems import TopologyError
from tests.engine.conftest import run

PAIR = """netwright: 1
name: imp
namespaces: {a: {}, b: {}}
interfaces:
  a0: {kind: veth, name: eth0, namespace: a, peer: b0, addresses: [10.7.0.1/24]IMPAIR}
  b0: {kind: veth, name: eth0, namespace: b, peer: a0, addresses: [10.7.0.2/24]}
"""


def design(topo: Callable[[str], Topology], impairment: str = "") -> Topology:
    return topo(PAIR.replace("IMPAIR", f", impairment: {{{impairment}}}" if impairment else ""))


def qdisc(netns: str = "a") -> dict[str, Any]:
    out = subprocess.run(["tc", "-n", netns, "-j", "qdisc", "show", "dev", "eth0"],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)[0]


def tc(args: str, netns: str = "a") -> None:
    """A qdisc changed by hand, as a user would: ``tc -n a qdisc … dev eth0 …``."""
    subprocess.run(["tc", "-n", netns, *args.split()], check=True)


def ifindex(netns: str = "a") -> int:
    out = subprocess.run(["ip", "-n", netns, "-j", "link", "show", "eth0"],
                         capture_output=True, text=True, check=True).stdout
    return int(json.loads(out)[0]["ifindex"])


@pytest.mark.usefixtures("clean_host")
def test_a_rate_limit_is_owned_state(engine: Engine, topo: Callable[[str], Topology]) -> None:
    limited = design(topo, "rate: 10mbit")
    texts = [s.text for s in run(engine.plan(limited)).steps]
    assert "impair eth0 in namespace a: 10 Mbit/s" in texts
    run(engine.apply(limited))
    seen = qdisc()
    assert (seen["kind"], seen["options"]["rate"]) == ("tbf", 1250000)
    assert run(engine.plan(limited)).steps == []
    index = ifindex()

    faster = design(topo, "rate: 20mbit")
    assert [s.text for s in run(engine.plan(faster)).steps] == [
        "impair eth0 in namespace a: 20 Mbit/s"
        " (rate 20 Mbit/s designed, 10 Mbit/s in the kernel)"]
    run(engine.apply(faster))
    assert qdisc()["options"]["rate"] == 2500000 and ifindex() == index  # changed in place

    subprocess.run(["tc", "-n", "a", "qdisc", "replace", "dev", "eth0", "root", "tbf", "rate",
                    "1mbit", "burst", "32k", "latency", "50ms"], check=True)
    assert drift(engine) == [
        "impair eth0 in namespace a: 20 Mbit/s (rate 20 Mbit/s designed, 1 Mbit/s in the kernel)"]
    run(engine.apply(faster))
    assert qdisc()["options"]["rate"] == 2500000

    # ours taken off and put back by hand: the kernel gives it another handle (8001:)
    tc("qdisc del dev eth0 root")
    tc("qdisc add dev eth0 root tbf rate 1mbit burst 32k latency 50ms")
    run(engine.apply(design(topo)))
    assert qdisc()["kind"] not in ("tbf", "netem") and ifindex() == index
    run(engine.destroy("imp"))


def drift(engine: Engine) -> list[str]:
    """What ``status`` says differs on a0 (the impaired end)."""
    a0 = next(o for o in run(engine.status("imp")).objects if o.object == "a0")
    assert a0.state == "drifted", a0
    return list(a0.differences)


@pytest.mark.usefixtures("clean_host")
@pytest.mark.parametrize(("rate", "bytes_per_second"), [("1.5mbit", 187_500),
                                                         ("10 mbit", 1_250_000),
                                                         ("34gbit", 4_250_000_000)])
def test_a_rate_as_the_file_may_write_it_reaches_the_kernel(
        engine: Engine, topo: Callable[[str], Topology], rate: str,
        bytes_per_second: int) -> None:
    """Validation takes a decimal rate and a space before the unit; pyroute2's parser takes
    neither (KeyError '.5mbit'), and apply ended in a traceback halfway through."""
    run(engine.apply(design(topo, f"rate: {rate}")))
    assert qdisc()["kind"] == "tbf" and qdisc()["options"]["rate"] == bytes_per_second
    assert all(o.state == "present" for o in run(engine.status("imp")).objects)
    assert run(engine.plan(design(topo, f"rate: {rate}"))).steps == []
    netem = qdisc_spec(Impairment(delay="1ms", rate=rate))  # netem's rate (no netem here)
    assert netem is not None
    assert dict(netem.options()["attrs"])["TCA_NETEM_RATE"]["rate"] == bytes_per_second


def test_a_rate_beyond_what_the_kernel_holds_is_a_problem_not_a_traceback(
        topo: Callable[[str], Topology]) -> None:
    """tbf's rate is 32 bits of bytes per second: 50gbit validated, then failed in apply
    ("'I' format requires 0 <= number <= 4294967295")."""
    with pytest.raises(TopologyError, match="'50gbit' is outside 8kbit–34gbit"):
        design(topo, "rate: 50gbit")


@pytest.mark.usefixtures("clean_host")
def test_status_says_what_the_kernel_holds_instead(engine: Engine,
                                                    topo: Callable[[str], Topology]) -> None:
    run(engine.apply(design(topo, "rate: 10mbit")))
    subprocess.run(["tc", "-n", "a", "qdisc", "del", "dev", "eth0", "root"], check=True)
    assert drift(engine) == [
        "impair eth0 in namespace a: 10 Mbit/s (no impairment in the kernel)"]
    tc("qdisc add dev eth0 root handle 1: htb")
    assert drift(engine) == [BY_HAND]
    tc("qdisc del dev eth0 root")
    run(engine.apply(design(topo, "rate: 10mbit")))
    assert qdisc()["kind"] == "tbf"
    assert [s.text for s in run(engine.plan(design(topo))).steps] == [
        "remove the impairment of eth0 in namespace a (10 Mbit/s in the kernel, none designed)"]
    run(engine.destroy("imp"))


BY_HAND = ("impair eth0 in namespace a: 10 Mbit/s — the kernel has qdisc htb (1:) there"
           " instead, which Netwright did not make: it never replaces it (its classes and"
           " filters would be lost); remove it (tc -n a qdisc del dev eth0 root) and apply"
           " again, or take the impairment out of the design")


@pytest.mark.usefixtures("clean_host")
def test_a_qdisc_made_by_hand_is_never_replaced(engine: Engine, state_dir: Path,
                                                topo: Callable[[str], Topology]) -> None:
    limited = design(topo, "rate: 10mbit")
    run(engine.apply(limited))
    # the kernel lets a replace under another handle through: the apply would drop the htb
    tc("qdisc replace dev eth0 root handle 2: htb")
    with pytest.raises(ConflictError, match=r"qdisc htb \(2:\)"):
        run(engine.apply(limited))
    assert (qdisc()["kind"], qdisc()["handle"]) == ("htb", "2:")

    # under our handle the kernel refuses to change its kind: the apply would half-fail
    tc("qdisc del dev eth0 root")
    tc("qdisc add dev eth0 root handle 1: htb")
    with pytest.raises(ConflictError) as refused:
        run(engine.plan(limited))
    assert str(refused.value) == BY_HAND
    with pytest.raises(ConflictError):
        run(engine.apply(limited))
    assert qdisc()["kind"] == "htb"

    # an apply that drops the impairment fails elsewhere: its rollback leaves the htb too
    plain = topo(PAIR.replace("IMPAIR", "").replace("10.7.0.2/24", "10.7.0.2/24, 10.7.1.2/24"))

    def fail_first(at: int, step: Step) -> None:
        if at == 0:
            raise RuntimeError("injected")

    with pytest.raises(ApplyFailed) as failed:
        run(Engine(state_dir, Target.host(), fault=fail_first).apply(plain))
    assert failed.value.rolled_back, failed.value
    assert qdisc()["kind"] == "htb" and drift(engine) == [BY_HAND]

    # the design without impairment leaves the htb where it is
    assert [s.text for s in run(engine.plan(plain)).steps] == [
        "add address 10.7.1.2/24 to eth0 in namespace b"]
    run(engine.apply(plain))
    assert qdisc()["kind"] == "htb"
    assert all(o.state == "present" for o in run(engine.status("imp")).objects)
    run(engine.destroy("imp"))


@pytest.mark.usefixtures("clean_host")
def test_netem_on_a_kernel_without_it_is_refused_up_front(
        engine: Engine, topo: Callable[[str], Topology]) -> None:
    try:
        require(["netem"])
    except KernelUnsupported:
        pass
    else:
        pytest.skip("this kernel has netem (the stock-kernel tier measures it)")
    with pytest.raises(KernelUnsupported, match=r"sch_netem.*a rate limit alone uses tbf"
                       ) as refused:
        run(engine.plan(design(topo, "delay: 40ms, loss: 1%")))
    # which interface needs netem, and for what: a large design says it too
    assert "(eth0 in namespace a asks for 40 ms · 1 % loss; delay, jitter" in str(refused.value)
    assert run(engine.deployments()) == []


@pytest.mark.kernel
@pytest.mark.usefixtures("clean_host")
def test_netem_delay_is_what_ping_measures(engine: Engine,
                                           topo: Callable[[str], Topology]) -> None:
    subprocess.run(["modprobe", "-a", "sch_netem", "sch_tbf"], check=True)  # no autoloading
    run(engine.apply(design(topo, "rate: 10mbit")))
    assert qdisc()["kind"] == "tbf"
    run(engine.apply(design(topo, "delay: 40ms, jitter: 1ms")))  # tbf 1: → netem 1:
    assert qdisc()["kind"] == "netem"
    out = subprocess.run(["ip", "netns", "exec", "a", "ping", "-c", "5", "-i", "0.2", "-q",
                          "10.7.0.2"], capture_output=True, text=True, check=True).stdout
    average = float(out.rsplit("=", 1)[1].split("/")[1])
    assert 38.0 <= average <= 60.0, out  # one impaired direction: ~40 ms, plus the VM's pace
    subprocess.run(["tc", "-n", "a", "qdisc", "change", "dev", "eth0", "root", "netem", "delay",
                    "20ms", "1ms", "loss", "1%"], check=True)
    assert drift(engine) == [
        "impair eth0 in namespace a: 40 ms ±1 (delay 40 ms designed, 20 ms in the kernel;"
        " loss none designed, 1 % in the kernel)"]
    run(engine.apply(design(topo, "rate: 10mbit")))  # and back: netem 1: → tbf 1:
    assert (qdisc()["kind"], qdisc()["options"]["rate"]) == ("tbf", 1250000)
    run(engine.destroy("imp"))
