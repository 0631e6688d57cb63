"""The ports of a check are probed side by side, in waves no bigger than one port's slice.

``run.waves`` decides which (proto, port) groups share a wave: a check with several dropped
ports then waits one timeout for them all, while a big mesh never holds more sockets at once
than one port's slice did. The verdicts themselves are the kernel tests' business
(test_firewall_kernel's port cases run through these waves).
"""

from __future__ import annotations

from netwright.backend.checks.run import waves


def test_small_ports_share_one_wave() -> None:
    groups = [(("tcp", 22), [1, 2]), (("tcp", 9), [1, 2]), (("udp", 53), [1]),
              (("udp", 9), [1])]
    assert waves(groups, 256) == [groups]


def test_a_wave_stays_within_the_limit_and_keeps_the_order() -> None:
    groups = [(port, list(range(size))) for port, size in
              [(1, 100), (2, 100), (3, 100), (4, 156), (5, 1)]]
    packed = waves(groups, 256)
    assert [[port for port, _slots in wave] for wave in packed] == [[1, 2], [3, 4], [5]]
    assert all(sum(len(slots) for _port, slots in wave) <= 256 for wave in packed)


def test_a_group_bigger_than_the_limit_is_a_wave_of_its_own() -> None:
    groups = [(1, list(range(3))), (2, list(range(600))), (3, list(range(4)))]
    assert waves(groups, 256) == [[groups[0]], [groups[1]], [groups[2]]]


def test_nothing_to_probe_makes_no_wave() -> None:
    assert waves([], 256) == []
