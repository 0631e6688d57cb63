"""The rules for ``existing`` objects (validate_existing.py): each triggered by a small file,
asserting code, path and sentence; and an imported-style file that must stay quiet."""

from __future__ import annotations

import textwrap

import pytest

from netwright.backend.engine.desired import desired_state
from netwright.backend.engine.target import Target
from netwright.backend.topology import parse_topology
from netwright.backend.topology.problems import format_path
from tests.topology.rule_cases import HEAD, problems

CASES = [
    ("new-in-existing", """
        namespaces: {c1: {existing: true}}
        interfaces:
          v1: {kind: veth, peer: v2}
          v2: {kind: veth, peer: v1, namespace: c1}
        """, "new-in-existing", "interfaces.v2.namespace", "namespaces it creates"),
    ("existing-impaired", """
        interfaces:
          br0: {kind: bridge, existing: true, impairment: {delay: 10ms}}
        """, "existing-changed", "interfaces.br0.impairment", "never changes it"),
    ("existing-on-new", """
        interfaces:
          br0: {kind: bridge}
          v1: {kind: veth, peer: v2, existing: true, master: br0}
          v2: {kind: veth, peer: v1, existing: true}
        """, "existing-needs-new", "interfaces.v1.master", "cannot depend on one"),
    ("existing-namespace-forwarding", """
        namespaces: {c1: {existing: true, forwarding: {ipv4: true}}}
        """, "existing-changed", "namespaces.c1", "never changes it"),
]


@pytest.mark.parametrize(("body", "code", "path", "words"), [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_rule(body: str, code: str, path: str, words: str) -> None:
    found = [p for p in problems(body) if p.code == code]
    assert len(found) == 1, [p.render() for p in problems(body)]
    assert found[0].severity == "error"
    assert format_path(found[0].path) == path
    assert words in found[0].message


IMPORTED = """
    host: {nics: {eth9: {addresses: [10.0.0.2/24]}}}
    namespaces: {c1: {existing: true, routes: [{to: default, via: 172.17.0.1}]}}
    interfaces:
      docker0: {kind: bridge, existing: true, addresses: [172.17.0.1/16]}
      veth1: {kind: veth, existing: true, peer: eth0, master: docker0}
      eth0: {kind: veth, existing: true, peer: veth1, namespace: c1,
             addresses: [172.17.0.2/16]}
      mv0: {kind: macvlan, existing: true, parent: eth9, mode: bridge}
      new0: {kind: macvlan, parent: eth9, mode: bridge}
    """


def test_existing_objects_validate_and_the_engine_wants_none_of_them() -> None:
    assert [p.render() for p in problems(IMPORTED) if p.severity == "error"] == []
    desired = desired_state(parse_topology(HEAD + textwrap.dedent(IMPORTED)), Target.host())
    assert list(desired.links) == ["new0"]  # only what the file itself makes
    assert desired.namespaces == {}
