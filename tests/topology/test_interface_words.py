"""Validation names an interface whose key is a word its sentences use as the checks do.

"parent cannot be its own parent" or "bridge names br0 as its master, but br0 is a veth"
read as sentences about a parent or a bridge; validation now says "interface parent …",
"interface bridge …" (backend/topology/sentence_names.py, as the checks' reasons do),
while an ordinary key stays bare ("port0 …").
"""

from __future__ import annotations

import pytest

from tests.topology.rule_cases import only

MASTER_NOT_BRIDGE = """
interfaces:
  {key}: {{kind: veth, peer: other, master: other}}
  other: {{kind: veth, peer: {key}}}
"""

OWN_PARENT = """
interfaces:
  {key}: {{kind: macvlan, parent: {key}, mode: bridge}}
"""


@pytest.mark.parametrize(("key", "named"), [("bridge", "interface bridge"),
                                            ("parent", "interface parent"),
                                            ("port0", "port0")])
def test_interface_sentences_name_the_interface_unambiguously(key: str, named: str) -> None:
    said = only(MASTER_NOT_BRIDGE.format(key=key), "master-not-bridge").message
    assert said.startswith(f"{named} names other as its master, but other is a veth"), said
    loop = only(OWN_PARENT.format(key=key), "loop").message
    assert loop == f"{named} cannot be its own parent", loop
