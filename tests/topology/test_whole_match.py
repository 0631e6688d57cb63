"""Names and other closed grammars are matched whole: a final newline is not a valid character.

Python's ``$`` also matches just before a final newline, so ``re.match(r"^…$", "c1\\n")``
succeeds; a topology named "nl\\n" with a namespace "c1\\n" used to validate, and then became
state files and /run/netns entries with a newline in their names.
"""

from __future__ import annotations

import pytest
from pydantic_core import PydanticCustomError

from netwright.backend.dhcp.identity import client_id_bytes
from netwright.backend.topology import TopologyError, format_path, parse_topology
from netwright.backend.topology.fields import (
    check_identifier,
    check_mac,
    check_sysctl_key,
    check_sysctl_value,
)


@pytest.mark.parametrize("check, value", [
    (check_identifier, "nl\n"),
    (check_identifier, "c1\r\n"),
    (check_mac, "02:42:ac:11:00:02\n"),
    (check_sysctl_key, "net.ipv4.ip_forward\n"),
    (check_sysctl_value, "1\n"),
])
def test_a_final_newline_is_refused(check: object, value: str) -> None:
    assert callable(check)
    with pytest.raises(PydanticCustomError):
        check(value)
    check(value.rstrip())  # the same value without it is fine


def test_a_topology_with_newlines_in_its_names_does_not_validate() -> None:
    text = ('netwright: 1\nname: "nl\\n"\nnamespaces:\n  "c1\\n": {}\n'
            'interfaces:\n  v0: {kind: veth, peer: v1, namespace: "c1\\n"}\n'
            '  v1: {kind: veth, peer: v0}\n')
    with pytest.raises(TopologyError) as error:
        parse_topology(text)
    paths = {(p.code, p.path) for p in error.value.problems}
    assert ("invalid-name", ("name",)) in paths
    assert ("invalid-name", ("namespaces", "c1\n")) in paths


def test_the_service_refuses_such_a_name() -> None:
    from netwright.backend.service.calls import decode_name
    from netwright.backend.service.errors import InvalidArgumentsError

    with pytest.raises(InvalidArgumentsError):
        decode_name("nl\n")


def test_paths_and_client_ids_are_matched_whole() -> None:
    assert format_path(("namespaces", "c1\n")) == 'namespaces["c1\n"]'
    assert client_id_bytes("01:02:03\n") == b"\x00" + b"01:02:03\n"
    assert client_id_bytes("01:02:03") == b"\x01\x02\x03"
