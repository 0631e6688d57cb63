"""The helper process that reads untrusted topology text for netwrightd.

``python -m netwright.backend.service.parser``: started by the daemon (parsing.py), never by
people. It runs at the lowest CPU priority and takes one request at a time on stdin, each
read in a child process of its own with a CPU budget (RLIMIT_CPU: the kernel ends it with
SIGXCPU when a read takes longer) and a memory bound (RLIMIT_AS) that the child enforces on
itself (read_child.py), and answers on stdout, in parse_wire's JSON frames. Started by a
root daemon, it first imports all a read needs, then becomes ``nobody`` (helper_user.py)
before it reads a byte: text that subverts a parser gets nobody's rights for one read, and
netwrightd takes none of its answers on trust.

Requests: (op, text, cpu seconds, memory bytes) with op "validate" (answer: every problem
as JSON, with line and column) or "topology" (answer: the validated model as plain data,
and its warnings, or the problems); a read that ran over a bound is answered ["costly",
"cpu" or "memory"], one that failed otherwise ["failed", how].
"""

from __future__ import annotations

import gc
import math
import os
import resource
import sys
from typing import Any

from netwright.backend.service.helper_user import PrivilegeDropError, drop_root
from netwright.backend.service.parse_wire import HEADER, decode, frame, read_raw_frame
from netwright.backend.service.read_child import fork_spare, memory_of, read_in_child
from netwright.backend.topology import Document, Problem, Topology, TopologyError
from netwright.backend.topology.bounds import too_many_objects
from netwright.backend.topology.check import check_plain, valid_with_warnings
from netwright.backend.topology.fastload import load_plain, to_plain
from netwright.backend.topology.yamltree import parse_yaml


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


def plain_topology(text: str) -> dict[str, Any]:
    """``topology`` as JSON: the model as the file would say it (only what was set, so the
    daemon's model built from it is the same, set fields included) and the warnings."""
    model, warnings = topology(text)
    return {"topology": model.model_dump(mode="json", by_alias=True, exclude_unset=True),
            "warnings": [p.to_json() for p in warnings]}


def located_problems(text: str) -> list[Problem]:
    """The round-trip parser's problems, with line and column. Its re-emission (a
    document's base for saving) is not needed here and is skipped."""
    try:
        tree, yaml = parse_yaml(text)
    except TopologyError as exc:  # YAML that does not even parse
        return list(exc.problems)
    return Document(tree=tree, text=text, yaml=yaml).problems()


OPERATIONS = {"validate": validate, "topology": plain_topology}

#: Read once before the helper drops root, so that every module a read uses (ruamel.yaml
#: loads some only when it meets a merge key) is in memory: valid, with a warning, then
#: invalid with anchors, a merge key and an alias (the round-trip parser places those).
WARM_UP = (
    ("topology", "netwright: 1\nname: w\ninterfaces:\n"
                 "  b: {kind: bridge, persist: true, addresses: [fd00::1/64 nodad]}\n"),
    ("validate", "netwright: 1\nname: w\nbase: &b {kind: veth}\n"
                 "interfaces: {v: {<<: *b, peer: 3}}\nnamespaces: [*b]\n"),
)


def answer(request: Any) -> list[Any]:
    """The answer to one request, read in this process (read_child runs it in a child)."""
    op, text, cpu, *_memory = request
    limit_cpu(cpu)
    try:
        return ["ok", OPERATIONS[op](text)]
    except TopologyError as exc:
        return ["problems", [p.to_json() for p in exc.problems]]
    except RecursionError:
        problem = Problem("error", "too-deep", (), "the file nests too deeply to be read")
        return ["problems", [problem.to_json()]]


def main() -> int:
    os.nice(19)  # the daemon's own work, and everyone else's, comes first
    for op, text in WARM_UP:
        OPERATIONS[op](text)
    try:
        drop_root()
    except PrivilegeDropError as exc:
        print(f"netwrightd's reading helper: {exc}", file=sys.stderr)
        return 2
    gc.freeze()  # what the warm-up made stays shared with the readers (no GC writes to it)
    requests, replies = sys.stdin.buffer, sys.stdout.buffer
    spare = fork_spare(answer)
    while True:
        request = read_raw_frame(requests)
        if request is None:
            return 0
        memory = memory_of(decode(request[HEADER:]))
        read = read_in_child(spare, request, memory)
        replies.write(read if isinstance(read, bytes) else frame(read))
        replies.flush()
        spare = fork_spare(answer)  # while netwrightd reads the answer


if __name__ == "__main__":
    sys.exit(main())
