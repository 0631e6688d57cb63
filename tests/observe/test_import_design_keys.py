"""`netwright import` of a host where a Netwright design is deployed names each interface by
the key its design gave it (read from the owner's marker on the link), so the file reads as
the design did: the example's two vxlan devices, both ``vxlan100`` in the kernel, were
imported as ``vxlan100`` and ``hostb-vxlan100``. A marker anyone could have written with a
key that is no interface key counts for nothing."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import yaml

from netwright.backend.cli.main import main
from netwright.backend.engine import Engine
from netwright.backend.topology import parse_topology
from tests.engine.conftest import sh

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "vxlan-overlay.yaml"


def _import(out: Path, *extra: str) -> dict[str, Any]:
    code = main(["import", "--local", "--namespace", "hosta", "--namespace", "hostb",
                 "-o", str(out), "--force", *extra])
    assert code == 0
    parse_topology(out.read_text(), str(out))  # validates, or raises with the problems
    data: dict[str, Any] = yaml.safe_load(out.read_text())
    return data


def test_an_imported_deployment_keeps_its_designs_keys(engine: Engine, tmp_path: Path,
                                                        clean_host: dict[str, Any]) -> None:
    asyncio.run(engine.apply(parse_topology(EXAMPLE.read_text())))
    sh("ip -n hosta link add forged type veth peer name forged-p")
    sh("ip -n hosta link set forged alias 'netwright:vxlan:no/key'")  # not an interface key
    links = _import(tmp_path / "imported.yaml")["interfaces"]
    assert {"underlay-a", "underlay-b", "vxlan-a", "vxlan-b"} <= set(links)
    assert links["vxlan-a"] == {**links["vxlan-a"], "name": "vxlan100", "namespace": "hosta",
                                "dev": "underlay-a", "existing": True}
    assert links["vxlan-b"] == {**links["vxlan-b"], "name": "vxlan100", "namespace": "hostb",
                                "dev": "underlay-b"}
    assert links["underlay-a"]["peer"] == "underlay-b"
    assert "name" not in links["underlay-a"]  # key and kernel name agree
    assert links["forged"]["peer"] == "forged-p"  # named as the kernel names it
    assert not any(key.startswith("hostb-") for key in links)


def test_a_design_copy_of_a_deployment_imports_the_same_again(
        engine: Engine, tmp_path: Path, clean_host: dict[str, Any]) -> None:
    """import --as-design of the deployment, applied where it stood, imports as the same
    file: the copy's markers carry the keys the first import read from the design's."""
    asyncio.run(engine.apply(parse_topology(EXAMPLE.read_text())))
    first = tmp_path / "first.yaml"
    _import(first, "--as-design")
    asyncio.run(engine.destroy("vxlan"))
    asyncio.run(engine.apply(parse_topology(first.read_text())))
    again = tmp_path / "again.yaml"
    _import(again, "--as-design")
    assert again.read_text() == first.read_text()
    assert {"vxlan-a", "vxlan-b"} <= set(yaml.safe_load(first.read_text())["interfaces"])
