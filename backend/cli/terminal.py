"""What every command prints the same way: JSON for machines, one progress line for people.

Shared by the direct path (``--local``, cmd_engine), the backend path (cli/via_backend) and
``check``, so both paths of a command print exactly alike.
"""

from __future__ import annotations

import contextlib
import json
import os
import select
import signal
import sys
import threading
import time
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from netwright.backend.count_words import counted

if TYPE_CHECKING:
    from netwright.backend.topology.model import Topology
    from netwright.backend.topology.problems import Problem


def emit_json(data: Any) -> None:
    """``--json`` output: indented, UTF-8 as is, one trailing newline."""
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False)
    print()


def say_notices(client: Any) -> None:
    """From now on, what the client does by itself (a new lab started in place of one older
    than Netwright's files) is said on standard error."""
    notices = getattr(client, "notices", None)
    if isinstance(notices, list):
        notices.append(lambda line: print(line, file=sys.stderr))


def say_if_lab(client: Any, quiet: bool = False) -> None:
    """Say that the lab answered (no system backend did, or --lab asked for it): a result
    of the emulated network must never pass for one of this machine's; and, from then on,
    the client's notices (say_notices)."""
    say_notices(client)
    if client.lab and not quiet:
        print("netwright: using the lab backend (an emulated network, no root needed)",
              file=sys.stderr)


def process_tree_refusal(lab: bool) -> str:
    """Why ``--process-tree`` without ``--local`` is refused (import, check --host): only a
    read in this process can be narrowed to a process tree; a backend reads every namespace
    of its host, and the lab's backend is no netwrightd and its host not this machine."""
    if lab:
        return ("--process-tree narrows a read of this machine (with --local), not of the"
                " lab: the lab's backend reads every namespace of the lab host; drop"
                " --process-tree")
    return ("--process-tree is for --local (a read in this process, as root): the backend"
            " reads every namespace of its host; add --local, or drop --process-tree")


def fit_to_terminal(text: str) -> str:
    """``text`` with each long line folded to the terminal's width, its continuation indented
    under the line's own indent plus four; unchanged when standard output is no terminal (a
    pipe or a file keeps one line per pair, for grep). Lines with colour codes (the matrix)
    are left as they are: their length is not their width."""
    if not sys.stdout.isatty():
        return text
    import shutil
    import textwrap

    width = max(shutil.get_terminal_size().columns, 40)
    out: list[str] = []
    for line in text.split("\n"):
        if len(line) <= width or "\033" in line:
            out.append(line)
            continue
        indent = " " * (len(line) - len(line.lstrip(" ")))
        out += textwrap.wrap(line, width, subsequent_indent=indent + "    ",
                             break_long_words=False, break_on_hyphens=False)
    return "\n".join(out)


def names_a_file(subject: str) -> bool:
    """A command's subject is a topology file when it exists or looks like one ('-':
    standard input), else a name."""
    return subject == "-" or os.path.exists(subject) or subject.endswith((".yaml", ".yml"))


def subject_name(subject: str) -> str:
    """The topology name a command's NAME|FILE subject stands for."""
    if names_a_file(subject):
        return read_topology(subject).name
    return subject


def read_topology(path: str) -> Topology:
    """A file's model, for a command: a valid file is read with libyaml and no round-trip
    parser (``topology.check``); an invalid one through the document, so each problem is
    reported with its file, line and column (TopologyError)."""
    return read_topology_warned(path)[0]


def read_topology_warned(path: str) -> tuple[Topology, list[Problem]]:
    """``read_topology`` and the file's warnings, placed at FILE:LINE:COL as ``netwright
    validate`` places them: plan and apply with --local show them before asking."""
    from netwright.backend.topology.check import valid_with_warnings
    from netwright.backend.topology.source import file_label, read_topology_text

    text = read_topology_text(path)
    found = valid_with_warnings(text, file_label(path))
    if found is not None:
        return found
    from netwright.backend.topology.document import Document

    document = Document.from_text(text, file_label(path))
    topology = document.topology()  # raises with every problem when there is an error
    return topology, [p for p in document.problems() if p.severity == "warning"]


def confirm_window(args: Any) -> dict[str, int]:
    """apply's ``--confirm-seconds`` as keyword arguments (none: the backend's default)."""
    seconds = getattr(args, "confirm_seconds", None)
    return {} if seconds is None else {"confirm_seconds": seconds}


def refuse_unconfirmed_apply(assume_yes: bool) -> int | None:
    """Ask before applying a shown plan; an exit code when the answer is not yes, else None.

    Off a terminal nobody can answer, so ``--yes`` is required (exit 2); "no" exits 1.
    """
    if assume_yes:
        return None
    if not sys.stdin.isatty():
        print("netwright: not applying without confirmation; add --yes", file=sys.stderr)
        return 2
    try:
        with ctrl_c_raises():
            answer = typed_input("Apply these changes? [y/N] ")
    except KeyboardInterrupt:
        print("\nnothing changed")
        return EXIT_INTERRUPTED
    except EOFError:  # Ctrl+D: no answer is no
        answer = ""
        print()
    if answer.strip().lower() not in ("y", "yes"):
        print("nothing changed")
        return 1
    return None


EXIT_INTERRUPTED = 130  # 128 + SIGINT, as a shell reports a command Ctrl+C ended


@contextlib.contextmanager
def ctrl_c_raises() -> Iterator[None]:
    """Python's own SIGINT handler while a prompt waits. The prompts run inside asyncio.run,
    whose handler only cancels the command's task, which a blocking read never notices: the
    first Ctrl+C at "Apply these changes? [y/N]" was swallowed and the command waited on."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    previous = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGINT, previous)


#: How long one wait for a typed line lasts before pending signals are looked at again.
_SLICE = 0.2


def typed_input(question: str) -> str:
    """``input(question)`` on a terminal, except that a Ctrl+C at any moment of the wait
    raises KeyboardInterrupt (within ``_SLICE``): input() misses one that lands between
    writing the question and starting its read (CPython looks for signals only when the
    read is interrupted), and the command then waits for a line that nobody will type.
    EOFError at end of input (Ctrl+D), as input() raises it."""
    sys.stdout.write(question)
    sys.stdout.flush()
    line = _typed_line(None)
    if not line:
        raise EOFError
    return line.rstrip("\n")


def _typed_line(seconds: float | None) -> str | None:
    """The next line on standard input ("" at its end), waited for in slices so that a
    pending signal's handler runs; None when ``seconds`` pass first (None: no limit)."""
    deadline = None if seconds is None else time.monotonic() + seconds
    while True:
        wait = _SLICE if deadline is None else min(_SLICE, deadline - time.monotonic())
        if wait <= 0:
            return None
        if select.select([sys.stdin], [], [], wait)[0]:
            return sys.stdin.readline()


def show(result: Any, as_json: bool) -> None:
    """A Plan or a Status: its JSON for machines, its rendering for people."""
    if as_json:
        emit_json(result.to_json())
    else:
        print(fit_to_terminal(result.render()))


def show_all(statuses: dict[str, Any], target: str, as_json: bool) -> None:
    """``status`` without a name: every deployment's Status, one after another (in JSON, by
    name); none deployed is said on standard error, as ``list`` says it."""
    if as_json:
        emit_json({"target": target,
                   "statuses": {n: s.to_json() for n, s in sorted(statuses.items())}})
        return
    if not statuses:
        _say_none_deployed(target)
        return
    print("\n\n".join(fit_to_terminal(statuses[n].render()) for n in sorted(statuses)))


def _say_none_deployed(target: str) -> None:
    """``target``: the backend's (``BackendClient.target``), not how it was reached: a
    system netwrightd may manage the lab host."""
    from netwright.backend.outcomes.target_words import target_words

    print(f"netwright: no topology is deployed on {target_words(target)}", file=sys.stderr)


def report_list(sources: dict[str, Any], target: str, as_json: bool) -> None:
    """The deployed topologies of a target ("host" or "lab"), each with where its last apply
    came from when that was recorded (a ``Provenance``, or None): "seed  deployed from
    /home/alice/seed.yaml by alice at 12:03"."""
    names = sorted(sources)
    if as_json:
        emit_json({"deployments": names, "target": target,
                   "sources": {n: s.to_json() for n, s in sources.items() if s is not None}})
        return
    if not names:  # said on standard error: a script reading the names gets none
        _say_none_deployed(target)
        return
    width = max((len(n) for n in names), default=0)
    for name in names:
        words = sources[name].words() if sources[name] is not None else ""
        print(f"{name:{width}}  deployed {words}" if words else name)


def report_destroyed(name: str, result: Any, as_json: bool, **extra: Any) -> None:
    """The last words of a destroy; ``extra`` goes into the JSON (e.g. ``lab_removed``)."""
    if as_json:
        emit_json({**result.to_json(), "destroyed": True, **extra})
    else:
        steps = counted(len(result.plan.steps), "step")
        print(f"destroyed {name} ({steps}, {result.seconds:.2f} s)")
        for note in result.plan.notes:  # e.g. what was left because it is not ours
            print(f"  * {note}")


def report_applied(result: Any, as_json: bool) -> None:
    """The last words of a successful apply, the same on both paths."""
    if as_json:
        emit_json({**result.to_json(), "applied": True})
    else:
        print(f"applied {counted(len(result.plan.steps), 'step')} in {result.seconds:.2f} s")


def report_kept(name: str, as_json: bool) -> None:
    if as_json:
        emit_json({"topology": name, "confirmed": True})
    else:
        print(f"kept the new configuration of {name}")


def report_restored(name: str, result: Any, as_json: bool, *, removed: bool = False,
                    why: str = "") -> None:
    """The end of a trial undone now; ``removed``: a first apply, so nothing was restored
    (the trial's ``removes``), ``why``: not asked for (no answer in time, say)."""
    if as_json:
        emit_json({**result.to_json(), "restored": True, **({"removed": True} if removed else {})})
    else:
        from netwright.backend.outcomes.results import undone_words

        print(undone_words(name, removed, len(result.plan.steps), why=why,
                           seconds=result.seconds))


ANSWER_MARGIN = 2.0
"""Seconds kept between the end of the keep question and the backend's deadline, so a "yes"
typed at the last moment still reaches the backend in time."""


async def settle_trial(name: str, awaiting: dict[str, Any] | None, as_json: bool,
                       keep: Callable[[], Awaitable[Any]],
                       restore: Callable[[], Awaitable[Any]]) -> int:
    """After an apply that is only on trial: ask whether to keep it, like ``netplan try``.

    If the change cut this terminal off, nobody answers and the backend restores the
    previous configuration at the deadline; a "no", or no answer in time, restores it now.
    Off a terminal (or with ``--json``) nobody can answer here: say how to keep it.
    """
    if awaiting is None:
        return 0
    deadline = float(awaiting.get("deadline", 0))
    from netwright.backend.outcomes.results import applied_reason, trial_end_words

    if as_json or not (sys.stdin.isatty() and sys.stderr.isatty()):
        print(f"netwright: this change is on trial: run 'netwright confirm {name}' within"
              f" {max(0, deadline - time.time()):.0f} s to keep it, else"
              f" {trial_end_words(awaiting)}", file=sys.stderr)
        return 0

    print(f"WARNING: {applied_reason(awaiting)}", file=sys.stderr)  # not "Confirm to go …"
    seconds = max(0.0, deadline - time.time() - ANSWER_MARGIN)
    coming = "removing it" if awaiting.get("removes") else "restoring the previous one"
    answer = ask_with_timeout(
        f"Keep this configuration? [y/N] ({coming} in {seconds:.0f} s) ", seconds)
    if answer in ("y", "yes"):
        await keep()
        report_kept(name, False)
        return 0
    if answer is None:
        print("no answer in time", file=sys.stderr)
    report_restored(name, await restore(), False, removed=bool(awaiting.get("removes")),
                    why="not confirmed in time" if answer is None else "")
    return 1


def ask_with_timeout(question: str, seconds: float) -> str | None:
    """A line typed on the terminal within ``seconds``, lowercased; None if none came."""
    try:
        # Python's handler before the question shows: a Ctrl+C typed as soon as it appears
        # went to asyncio's handler, which only cancels the task, and the wait ran on to its
        # deadline (a test timed out at load 2.6)
        with ctrl_c_raises():
            sys.stderr.write(question)
            sys.stderr.flush()
            line = _typed_line(seconds)
    except KeyboardInterrupt:  # Ctrl+C: no, as with netplan try
        sys.stderr.write("\n")
        return "n"
    if not line:  # no answer in time (None) or Ctrl+D (""): end the question's line
        sys.stderr.write("\n")
    return None if line is None else line.strip().lower()


class TerminalProgress:
    """A one-line progress display on a terminal's stderr (nothing when not on one)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.shown = False

    def __call__(self, done: int, total: int, text: str) -> None:
        if not self.enabled:
            return
        line = f"[{done}/{total}] {text}"
        try:
            width = (os.get_terminal_size(sys.stderr.fileno()).columns or 80) - 1
        except OSError:
            width = 79
        sys.stderr.write("\r" + line[:width].ljust(width))
        sys.stderr.flush()
        self.shown = True

    def close(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
