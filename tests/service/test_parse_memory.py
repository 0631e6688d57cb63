"""Each read of netwrightd's reading helper has a memory bound (RLIMIT_AS, read_child.py), and
a read that runs out of it is a file too costly to read, never a crash of netwrightd nor a
wrong answer: libyaml, ruamel.yaml and pydantic-core fail in many ways when an allocation
fails (a MemoryError, SIGSEGV, an abort, a MemoryError swallowed into "not valid YAML"), and
each must come back as ["costly", "memory"]. The helper is the real one (parser.py, started
as netwrightd starts it), asked over its pipe with a smaller bound than netwrightd's; a read
at netwrightd's own bound of the valid file that needs the most memory still answers.

No file within the text and object bounds explodes memory: aliases are bounded by the values
a file may hold (a "billion laughs" file is refused after ~4 MiB), merge keys cannot repeat
keys, and the worst invalid files found (1 MiB that the round-trip parser reads) reach
~250 MiB only after 18 s of CPU, far past their 4 s budget.
"""

from __future__ import annotations

import io
import subprocess
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from svc_topologies import SEED, big_layout

from netwright.backend.service.parse_wire import frame, read_frame
from netwright.backend.service.parsing import (
    PARSE_MEMORY_BYTES,
    HelperFailedError,
    ReadFailedError,
    checked_answer,
)
from netwright.backend.topology import TopologyError

LARGEST_VALID = big_layout("lay")


@pytest.fixture(scope="module")
def helper() -> Iterator[subprocess.Popen[bytes]]:
    process = subprocess.Popen([sys.executable, "-m", "netwright.backend.service.parser"],
                               stdin=subprocess.PIPE, stdout=subprocess.PIPE, cwd="/")
    yield process
    assert process.stdin is not None
    process.stdin.close()
    process.wait(30)


def ask(helper: subprocess.Popen[bytes], op: str, text: str, memory: int) -> Any:
    assert helper.stdin is not None and helper.stdout is not None
    helper.stdin.write(frame([op, text, 30, memory]))
    helper.stdin.flush()
    return read_frame(helper.stdout)


@pytest.mark.parametrize("op", ["validate", "topology"])
def test_a_read_over_its_memory_bound_is_too_costly_and_the_helper_goes_on(helper, op) -> None:
    assert ask(helper, op, LARGEST_VALID, 80 * 2**20) == ["costly", "memory"]
    assert ask(helper, op, SEED, PARSE_MEMORY_BYTES)[0] == "ok"  # a fresh reader


def test_the_valid_file_that_needs_the_most_memory_reads_within_netwrightds_bound(
        helper) -> None:
    assert ask(helper, "validate", LARGEST_VALID, PARSE_MEMORY_BYTES) == ["ok", []]


def test_netwrightd_answers_a_read_out_of_memory_as_a_too_costly_file() -> None:
    """The daemon's side: the helper's ["costly", "memory"] is the file's cost, a
    "too-large" problem, not an incident; ["failed", how] is netwrightd's incident."""
    with pytest.raises(TopologyError) as costly:
        checked_answer("validate", ["costly", "memory"])
    assert [p.code for p in costly.value.problems] == ["too-large"]
    assert f"more memory than netwrightd allows one read ({PARSE_MEMORY_BYTES // 2**20} MiB)" \
        in costly.value.problems[0].message
    with pytest.raises(ReadFailedError, match="ended by SIGSEGV"):
        checked_answer("topology", ["failed", "the reading process (pid 7) was ended by"
                                              " SIGSEGV after using 60 MiB"])
    with pytest.raises(HelperFailedError):
        checked_answer("validate", ["costly", "patience"])


HOSTILE = """
import os, sys
from netwright.backend.service.parse_wire import frame
from netwright.backend.service.read_child import fork_spare, read_in_child
def hostile(request):  # a read a file subverted: it writes a frame on every descriptor
    for fd in map(int, os.listdir("/proc/self/fd")):
        if fd != 2:
            try:
                os.write(fd, frame(["ok", "forged"]))
            except OSError:
                pass
    return ["ok", "second"]
read = read_in_child(fork_spare(hostile), frame(["validate", "", 4, 512 << 20]), 512 << 20)
sys.stdout.buffer.write(read if isinstance(read, bytes) else frame(read))
"""


def test_a_subverted_read_answers_once_and_never_on_the_helpers_own_pipes() -> None:
    """It can lie about its own file (netwrightd checks the answer), but not answer the next
    request, another user's, with a second frame: the helper passes on one frame only,
    and the child's stdin and stdout lead nowhere."""
    done = subprocess.run([sys.executable, "-c", HOSTILE], capture_output=True, timeout=60,
                          check=True, cwd="/")
    stream = io.BytesIO(done.stdout)
    first = read_frame(stream)
    assert first == ["ok", "forged"] or first[0] == "failed", first  # EPIPE on its second
    assert read_frame(stream) is None, done.stdout
