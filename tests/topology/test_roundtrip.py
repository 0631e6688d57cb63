"""Load → save is byte-identical; an edit changes only what it edits; saves are atomic."""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

from netwright.backend.topology import Document

EXAMPLES = sorted(Path(__file__).parents[2].joinpath("examples").glob("*.yaml"))

# Hand-written styles ruamel.yaml would re-emit differently: odd spacing in flow collections,
# extra spaces after colons, 4-space indents, indented sequences, comments everywhere, quotes,
# blank lines, a document start marker, trailing comments, CRLF-free but tabs in comments.
HAND_WRITTEN = {
    "spacing": """\
---
# My lab    (spacing is mine)
netwright:   1
name:  lab   # trailing comment

host:
    nics:
        wlp2s0:
            addresses: [ 192.168.31.240/24 ]     # the Wi-Fi card
            gateway:   192.168.31.1
namespaces:
    net1: { }
    net2:   {}
interfaces:
    ipvlan1:
        kind: ipvlan
        parent: 'wlp2s0'
        mode: "l2"
        namespace: net1
        addresses:
            - 192.168.31.5/24      # first child
    ipvlan2:   {kind: ipvlan,  parent: wlp2s0, mode: l2, namespace: net2,
                addresses: [192.168.31.6/24]}
# end of file
""",
    "indented-sequences": """\
netwright: 1
name: docker
namespaces:
  c1:
    routes:
    - to: default
      via: 172.17.0.1
    sysctls:
      net.ipv4.ip_forward: 1   # a router
interfaces:
  docker0:
    kind: bridge
    addresses:
    - 172.17.0.1/16
  veth-c1:
    kind: veth
    peer: c1-eth0
    master: docker0


  c1-eth0:
    kind: veth
    name: eth0
    namespace: c1
    peer: veth-c1
    addresses:
    - 172.17.0.2/16
""",
}


def _diff(a: str, b: str) -> list[str]:
    return [
        line for line in difflib.unified_diff(a.splitlines(), b.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.name for p in EXAMPLES])
def test_examples_round_trip_byte_identical(path: Path, tmp_path: Path) -> None:
    document = Document.from_file(path)
    target = tmp_path / path.name
    document.save(target)
    assert target.read_bytes() == path.read_bytes()


@pytest.mark.parametrize("name", sorted(HAND_WRITTEN))
def test_hand_written_round_trip_byte_identical(name: str, tmp_path: Path) -> None:
    source = tmp_path / "in.yaml"
    source.write_text(HAND_WRITTEN[name])
    document = Document.from_file(source)
    assert document.problems() == [] or all(p.severity == "warning" for p in document.problems())
    document.save(tmp_path / "out.yaml")
    assert (tmp_path / "out.yaml").read_text() == HAND_WRITTEN[name]


@pytest.mark.parametrize(("name", "path", "value", "old", "new"), [
    ("spacing", ("interfaces", "ipvlan1", "addresses", 0), "192.168.31.7/24",
     "            - 192.168.31.5/24      # first child",
     "            - 192.168.31.7/24      # first child"),
    ("spacing", ("host", "nics", "wlp2s0", "gateway"), "192.168.31.254",
     "            gateway:   192.168.31.1",
     "            gateway: 192.168.31.254"),
    ("indented-sequences", ("namespaces", "c1", "routes", 0, "via"), "172.17.0.254",
     "      via: 172.17.0.1", "      via: 172.17.0.254"),
    ("indented-sequences", ("interfaces", "docker0", "kind"), "bridge", None, None),
])
def test_one_field_edit_changes_only_that_field(
    name: str, path: tuple[str | int, ...], value: str, old: str | None, new: str | None,
) -> None:
    document = Document.from_text(HAND_WRITTEN[name])
    document.set(path, value)
    changed = _diff(HAND_WRITTEN[name], document.render())
    assert changed == ([] if old is None else [f"-{old}", f"+{new}"])


def test_adding_and_removing_an_interface_touches_only_its_lines() -> None:
    text = HAND_WRITTEN["spacing"]
    document = Document.from_text(text)
    document.set(("interfaces", "br0"), {"kind": "bridge", "addresses": ["10.9.0.1/24"]})
    added = _diff(text, document.render())
    assert all(line.startswith("+") for line in added)
    assert any("br0:" in line for line in added)
    assert Document.from_text(document.render()).topology().interfaces["br0"].kind == "bridge"

    document = Document.from_text(text)
    document.delete(("interfaces", "ipvlan1"))
    removed = _diff(text, document.render())
    assert all(line.startswith("-") for line in removed)
    assert {line for line in removed if "ipvlan1:" in line}
    assert "ipvlan2" in document.render() and "# end of file" in document.render()


def test_edit_in_example_keeps_comments(tmp_path: Path) -> None:
    source = tmp_path / "seed.yaml"
    seed = next(p for p in EXAMPLES if p.name == "seed-ipvlan-l2.yaml")
    source.write_bytes(seed.read_bytes())
    document = Document.from_file(source)
    document.set(("namespaces", "net1", "routes"), [{"to": "default", "via": "192.168.31.1"}])
    document.save()
    saved = source.read_text()
    assert saved.startswith("# yaml-language-server: $schema=")
    reread = Document.from_file(source).topology()
    assert reread.namespaces["net1"].routes[0].via == "192.168.31.1"
    assert not [p for p in source.parent.iterdir() if p.name.endswith(".tmp")]


def test_failed_save_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    source = tmp_path / "seed.yaml"
    source.write_text(HAND_WRITTEN["spacing"])
    os.chmod(source, 0o640)
    document = Document.from_file(source)
    document.set(("name", ), "renamed")

    def disk_full(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", disk_full)
    with pytest.raises(OSError):
        document.save()
    monkeypatch.undo()
    assert source.read_text() == HAND_WRITTEN["spacing"]
    assert [p.name for p in tmp_path.iterdir()] == ["seed.yaml"]
    document.save()
    assert "name: renamed" in source.read_text()
    assert os.stat(source).st_mode & 0o777 == 0o640


def test_problems_of_edited_nodes_point_at_their_nearest_loaded_ancestor() -> None:
    document = Document.from_text(HAND_WRITTEN["indented-sequences"])
    document.set(("interfaces", "v9"), {"kind": "veth", "peer": "nowhere"})
    [problem] = [p for p in document.problems() if p.severity == "error"]
    assert (problem.code, problem.line, problem.column) == ("veth-peer-missing", 10, 1)
    document = Document.from_text(HAND_WRITTEN["indented-sequences"])
    document.set(("interfaces", "docker0", "addresses"), ["not-an-address"])
    [problem] = document.problems()
    assert (problem.code, problem.line, problem.column) == ("invalid-address", 13, 5)
