"""The helper process that reads untrusted topology text for netwrightd.

``python -m netwright.backend.service.parser``: started by the daemon (parsing.py), never by
people. It runs at the lowest CPU priority and takes one request at a time on stdin, each
with a CPU budget it enforces on itself with RLIMIT_CPU (the kernel ends it with SIGXCPU
when a read takes longer), and answers on stdout. Frames are an 8-byte big-endian length and
a pickle, in both directions: both ends are this package, run by the same user.

Requests: (op, text, cpu seconds) with op "validate" (answer: every problem as JSON, with
line and column) or "topology" (answer: the validated model and its warnings, or the problems).
"""

from __future__ import annotations

import math
import os
import pickle
import resource
import sys
from typing import Any, BinaryIO

from netwright.backend.topology import Document, Problem, Topology, TopologyError
from netwright.backend.topology.bounds import too_many_objects
from netwright.backend.topology.check import check_plain, valid_with_warnings
from netwright.backend.topology.fastload import load_plain, to_plain
from netwright.backend.topology.yamltree import parse_yaml

HEADER = 8


def read_frame(stream: BinaryIO) -> bytes | None:
    """One frame's payload, or None at end of input."""
    header = stream.read(HEADER)
    if len(header) < HEADER:
        return None
    size = int.from_bytes(header, "big")
    payload = stream.read(size)
    return payload if len(payload) == size else None


def frame(payload: bytes) -> bytes:
    return len(payload).to_bytes(HEADER, "big") + payload


def limit_cpu(seconds: float) -> None:
    """Let the next read use at most ``seconds`` more CPU: the soft limit only (raising the
    hard limit again would need privileges a lab does not have)."""
    times = os.times()
    used = times.user + times.system
    _soft, hard = resource.getrlimit(resource.RLIMIT_CPU)
    soft = math.ceil(used + seconds)
    if hard != resource.RLIM_INFINITY:
        soft = min(soft, hard)
    resource.setrlimit(resource.RLIMIT_CPU, (soft, hard))


def validate(text: str) -> list[dict[str, Any]]:
    """Every problem with its position, as the Validate method answers.

    A file libyaml reads with no problem at all is answered without the round-trip parser
    (ten times slower); anything else is read by it so each problem has line and column.
    """
    raw = load_plain(text)
    bound = too_many_objects(raw)
    if bound is not None:  # answered before the round-trip parser spends seconds on it
        return [bound.to_json()]
    if raw is not None:
        try:
            problems, model = check_plain(to_plain(raw))
        except TopologyError:
            problems, model = [], None
        if model is not None and not problems:
            return []
    return [p.to_json() for p in located_problems(text)]


def topology(text: str) -> tuple[Topology, list[Problem]]:
    """The model of valid text and its warnings (placed), which Plan and Apply pass on;
    TopologyError with every problem placed otherwise."""
    found = valid_with_warnings(text)  # raises at once past the object bound
    if found is not None:
        return found
    raise TopologyError(located_problems(text))


def located_problems(text: str) -> list[Problem]:
    """The round-trip parser's problems, with line and column. Its re-emission (a
    document's base for saving) is not needed here and is skipped."""
    try:
        tree, yaml = parse_yaml(text)
    except TopologyError as exc:  # YAML that does not even parse
        return list(exc.problems)
    return Document(tree=tree, text=text, yaml=yaml).problems()


OPERATIONS = {"validate": validate, "topology": topology}


def answer(request: tuple[str, str, float]) -> tuple[str, Any]:
    op, text, cpu = request
    limit_cpu(cpu)
    try:
        return "ok", OPERATIONS[op](text)
    except TopologyError as exc:
        return "problems", [p.to_json() for p in exc.problems]
    except RecursionError:
        problem = Problem("error", "too-deep", (), "the file nests too deeply to be read")
        return "problems", [problem.to_json()]


def main() -> int:
    os.nice(19)  # the daemon's own work, and everyone else's, comes first
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    while True:
        payload = read_frame(requests)
        if payload is None:
            return 0
        reply = pickle.dumps(answer(pickle.loads(payload)))
        replies.write(frame(reply))
        replies.flush()


if __name__ == "__main__":
    sys.exit(main())
