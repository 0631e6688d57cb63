"""A deployment's namespace that is not there when it is checked is named by its key, with
the way out: it said "cannot open namespace /run/netns/…: … (is the topology deployed?)" of
a deployed design. Existing (someone else's) and Netwright's own are told apart."""

from __future__ import annotations

import asyncio
import subprocess
from collections.abc import Callable

import pytest

from netwright.backend.checks.netns import NamespaceGoneError
from netwright.backend.checks.run import CheckOptions, run_check
from netwright.backend.topology import Topology, parse_topology

OWN = """
netwright: 1
name: gone
namespaces: {ga: {}, gb: {}}
interfaces:
  xa: {kind: veth, namespace: ga, peer: xb, addresses: [10.46.0.1/24]}
  xb: {kind: veth, namespace: gb, peer: xa, addresses: [10.46.0.2/24]}
"""
GHOST = """
netwright: 1
name: ghost
namespaces: {ghost: {existing: true}}
interfaces:
  ya: {kind: veth, namespace: ghost, peer: yb, existing: true, addresses: [10.47.0.1/24]}
  yb: {kind: veth, namespace: ghost, peer: ya, existing: true, addresses: [10.47.0.2/24]}
"""
FAST = CheckOptions(timeout=0.3, retries=0)


def test_a_namespace_deleted_since_the_apply(deploy: Callable[[Topology], object]) -> None:
    deployment = deploy(parse_topology(OWN))
    subprocess.run(["ip", "netns", "del", "gb"], check=True)
    with pytest.raises(NamespaceGoneError) as gone:
        asyncio.run(run_check(deployment, FAST))
    assert str(gone.value) == (
        "namespace gb of gone is not there (/run/netns/gb): it was deleted since the apply;"
        " apply the design again to recreate it (netwright status gone lists what is"
        " missing)")


def test_an_existing_namespace_that_is_not_there(deploy: Callable[[Topology], object]) -> None:
    # someone else's namespace, there when applied (an absent one is refused: nothing to
    # reference), gone since: existing objects are never made, so nothing remakes it
    subprocess.run(["ip", "netns", "add", "ghost"], check=True)
    subprocess.run(["ip", "-n", "ghost", "link", "add", "ya", "type", "veth", "peer", "name",
                    "yb"], check=True)
    deployment = deploy(parse_topology(GHOST))  # existing objects: nothing is made
    subprocess.run(["ip", "netns", "del", "ghost"], check=True)
    with pytest.raises(NamespaceGoneError) as gone:
        asyncio.run(run_check(deployment, FAST))
    assert str(gone.value).startswith(
        "namespace ghost is marked existing in ghost (someone else's, never created by"
        " Netwright), and it is not there (/run/netns/ghost): create it, or give the design"
        " the name it has"), str(gone.value)


def test_measure_and_capture_say_it_too(deploy: Callable[[Topology], object]) -> None:
    """nsenter said "cannot open /run/netns/gb", capture "there is no namespace gb"."""
    from netwright.backend.capture.errors import CaptureError
    from netwright.backend.capture.where import locate
    from netwright.backend.measure.errors import MeasureError
    from netwright.backend.measure.iperf import MeasureOptions, measure

    deployment = deploy(parse_topology(OWN))
    subprocess.run(["ip", "netns", "del", "gb"], check=True)
    said = ("namespace gb of gone is not there (/run/netns/gb): it was deleted since the"
            " apply; apply the design again to recreate it")
    with pytest.raises(MeasureError) as measured:
        measure(deployment, "ga", "gb", MeasureOptions(seconds=1))
    assert str(measured.value).startswith(said), str(measured.value)
    with pytest.raises(CaptureError) as captured:
        locate(deployment, "xb")  # type: ignore[arg-type]
    assert str(captured.value).startswith(said), str(captured.value)
