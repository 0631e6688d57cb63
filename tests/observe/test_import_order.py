"""`netwright import` lists namespaces as people number them: sv2 before sv10 (the file, its
layout's columns and so the designer's live view), not in plain text order (sv1, sv10, sv2)."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import yaml

from netwright.backend.cli.main import main
from tests.engine.conftest import sh

NUMBERS = [10, 2, 1, 11]


def test_namespaces_and_links_in_natural_order(clean_host: dict[str, Any],
                                               tmp_path: Path) -> None:
    for n in NUMBERS:
        sh(f"ip netns add obssv{n}")
        sh(f"ip link add obsv{n} type veth peer name eth0 netns obssv{n}")
    out = tmp_path / "host.yaml"
    assert main(["import", "--local", "--process-tree", str(os.getpid()), "-o", str(out),
                 "--force"]) == 0
    data = yaml.safe_load(out.read_text())
    ours = [key for key in data["namespaces"] if key.startswith("obssv")]
    assert ours == ["obssv1", "obssv2", "obssv10", "obssv11"]
    inside = [data["interfaces"][k]["namespace"] for k in data["interfaces"]
              if data["interfaces"][k].get("namespace", "").startswith("obssv")]
    assert inside == ours
    columns = [data["layout"][key]["x"] for key in ours]
    assert columns == sorted(columns)
    host_ends = [k for k in data["interfaces"] if k.startswith("obsv")]
    assert host_ends == ["obsv1", "obsv2", "obsv10", "obsv11"]
