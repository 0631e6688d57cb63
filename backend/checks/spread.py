"""A big probe run spread over worker processes, so the kernel's share uses every CPU.

Each echo and its reply cross the sender's veth, the bridge and the target's veth inside the
sender's ``sendto`` (about 18 µs of kernel time a pair), so a run from one process keeps one
CPU busy whatever else is idle, and threads cannot help (they fight over the interpreter's
lock). Here the sockets, already open in their namespaces, are dealt out in whole: this
process keeps one share and probes it as usual, and each other share goes to a worker process
(``probe_worker.py``, started with ``sys.executable``, never forked from the multi-threaded
daemon) that receives its sockets by descriptor and answers with one record per probe. The
observations come back in the probes' order, the same as from one process. A check starts
its workers (``ProbeWorkers``) before it pins neighbour entries, so their start-up is done
by the time the probes go out.

A worker that fails (dies, answers nonsense, or is still busy well after this process's own
share is done) is ended and its share is probed here again, with a note saying so; on any way
out (a cancel, an error) every worker still running is killed by its PID and waited for.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import sys
import time
from collections import defaultdict
from collections.abc import AsyncIterator

from netwright.backend.checks.probe_worker import Share, observations, request, send_sockets
from netwright.backend.checks.prober import EchoProber, Key, Probe
from netwright.backend.checks.results import Observation
from netwright.backend.count_words import agreeing, counted

#: After this process's own share is done, a worker gets the probes' own wait (timeout ×
#: attempts) plus this many times the time the share took, and at least GRACE seconds more.
SLOWER = 2.0
GRACE = 5.0
#: Sequence numbers of a share probed again here start above those a worker used.
AGAIN_FROM = 0x8000
#: This process's share is dealt this much of an even share more than a worker's: a
#: worker begins 40–80 ms after it (it reads and parses its request and makes its probes
#: first), about 2,000 probes' time at 20 µs each at N = 200 (README, sixth pass).
OWN_EXTRA = 0.1


async def run_spread(prober: EchoProber, sockets: dict[Key, socket.socket],
                     refused: dict[Key, int], probes: list[Probe], processes: int
                     ) -> list[Observation]:
    """``probes`` from ``sockets`` (open, left open), over ``processes`` processes: workers
    from ``prober.workers`` while it has some, started here otherwise."""
    shares = _deal(probes, sockets, refused, processes)
    results: list[Observation | None] = [None] * len(probes)
    begun = time.monotonic()
    quiet = EchoProber(prober.timeout, prober.retries, bind=prober.bind)
    pool = prober.workers or ProbeWorkers()
    taken: list[tuple[list[int], _Worker | None, str]] = []  # share, its worker, what went wrong
    try:
        for share in shares[1:]:
            try:
                started = await pool.take()
            except OSError as exc:  # no process could be made (EAGAIN, EMFILE, ENOMEM)
                taken.append((share, None, f"could not be started ({exc.strerror or exc})"))
                continue
            taken.append((share, started, ""))
            try:
                started.ask(prober, sockets, probes, share)
            except OSError as exc:  # it died before it was asked
                taken[-1] = (share, started, f"(PID {started.pid}) could not be asked"
                                             f" ({exc.strerror or exc})")
        if prober.progress:
            prober.progress(0, len(probes), f"{counted(len(probes), 'probe')} sent from"
                            f" {len(shares)} processes, waiting for replies")
        own_share = [probes[i] for i in shares[0]]
        for index, seen in zip(shares[0], await _probe_here(quiet, sockets, refused, own_share),
                               strict=True):
            results[index] = seen
        own = time.monotonic()
        deadline = own + ((1 + prober.retries) * prober.timeout
                          + max(GRACE, SLOWER * (own - begun)))
        for share, worker, refused_work in taken:
            failure = refused_work
            if worker is not None and not failure:
                answer = await worker.answer(deadline - time.monotonic())
                if not isinstance(answer, str):
                    for index, seen in zip(worker.indices, answer, strict=True):
                        results[index] = seen
                    continue
                failure = f"(PID {worker.pid}) {answer}"
            sent = counted(len(share), "probe")
            prober.notes.append(f"a probe worker process {failure}: its {sent}"
                                f" {agreeing(len(share), 'was', 'were')} sent again from this"
                                " process")
            again = await _probe_here(quiet, sockets, {}, [probes[i] for i in share],
                                      first_sequence=AGAIN_FROM)
            for index, seen in zip(share, again, strict=True):
                results[index] = seen
    finally:
        for _share, used, _failure in taken:
            if used is not None:
                await used.end()
        if prober.workers is None:
            await pool.close()
    if prober.progress:
        prober.progress(len(probes), len(probes), "every probe answered or given up")
    complete = [seen for seen in results if seen is not None]
    assert len(complete) == len(probes), "a probe was left without an observation"
    return complete


class ProbeWorkers:
    """Worker processes started ahead of a run (each serves one share of one run, then
    ends); ``close`` ends those never used. Use from one event loop."""

    def __init__(self) -> None:
        self._idle: list[_Worker] = []

    @classmethod
    @contextlib.asynccontextmanager
    async def ahead(cls, processes: int) -> AsyncIterator[ProbeWorkers]:
        """Workers for a run over ``processes`` processes (none for 1), started now and
        ended, those never used, when the block is left, however it is left. A system that
        cannot start them now gets them started (or not) when the probes go out."""
        workers = cls()
        try:
            with contextlib.suppress(OSError):
                await workers.start(processes - 1)
            yield workers
        finally:
            await workers.close()

    async def start(self, count: int) -> None:
        """Start ``count`` more workers (OSError if the system cannot)."""
        for _ in range(count):
            self._idle.append(await _Worker.start())

    async def take(self) -> _Worker:
        """A worker started earlier, or one started now."""
        return self._idle.pop(0) if self._idle else await _Worker.start()

    async def close(self) -> None:
        """End every worker never taken (by its PID) and wait for it."""
        idle, self._idle = self._idle, []
        for worker in idle:
            await worker.end()


async def _probe_here(prober: EchoProber, sockets: dict[Key, socket.socket],
                      refused: dict[Key, int], share: list[Probe], *,
                      first_sequence: int = 0) -> list[Observation]:
    """Probe ``share`` from this process, from its own sockets alone (another share's are
    being read by a worker)."""
    mine = {key: sockets[key] for key in {_key(p) for p in share} if key in sockets}
    return await prober.run_on(mine, refused, share, first_sequence)


def _key(probe: Probe) -> Key:
    return (probe.netns, probe.version)


def _deal(probes: list[Probe], sockets: dict[Key, socket.socket], refused: dict[Key, int],
          processes: int) -> list[list[int]]:
    """The probes' indices in ``processes`` shares of whole sockets, about equal in probes
    but for this process's head start (the biggest socket first, each to the share with the
    fewest, this process's counted OWN_EXTRA of an even share fewer); the first share, this
    process's, also answers the probes whose socket could not be bound."""
    by_key: dict[Key, list[int]] = defaultdict(list)
    for index, probe in enumerate(probes):
        by_key[(probe.netns, probe.version)].append(index)
    shares: list[list[int]] = [[] for _ in range(processes)]
    shares[0] = [i for key in refused for i in by_key.pop(key, [])]
    own = shares[0]
    extra = OWN_EXTRA * len(probes) / processes
    for key in sorted(by_key, key=lambda k: -len(by_key[k])):
        if key in sockets:
            min(shares, key=lambda share: len(share) - (extra if share is own else 0)
                ).extend(by_key[key])
    return [shares[0]] + [share for share in shares[1:] if share]


class _Worker:
    """One worker process, its end of the channel, and the share it was given."""

    def __init__(self, process: asyncio.subprocess.Process, channel: socket.socket) -> None:
        self.process = process
        self.pid = process.pid
        self.channel = channel
        self.indices: list[int] = []
        self.probes: list[Probe] = []
        self.reply: asyncio.Future[bytes] | None = None

    @classmethod
    async def start(cls) -> _Worker:
        ours, theirs = socket.socketpair(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            process = await asyncio.create_subprocess_exec(
                sys.executable, "-m", "netwright.backend.checks.probe_worker",
                str(os.getpid()), str(theirs.fileno()), stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
                pass_fds=[theirs.fileno()], cwd="/")
        except BaseException:
            ours.close()
            raise
        finally:
            theirs.close()
        ours.setblocking(False)
        return cls(process, ours)

    def ask(self, prober: EchoProber, sockets: dict[Key, socket.socket],
            probes: list[Probe], indices: list[int]) -> None:
        """Hand the worker its sockets, and send it their probes and read its answer in the
        background: a big request does not fit the channel's buffer, and this process's own
        share must not wait for the worker to read it (it may still be starting)."""
        by_key: dict[Key, list[int]] = defaultdict(list)
        for index in indices:
            by_key[_key(probes[index])].append(index)
        # the worker answers socket by socket: the share's indices in that order
        self.indices = [index for group in by_key.values() for index in group]
        self.probes = [probes[i] for i in self.indices]
        share: Share = [(key[1], [probes[i] for i in group]) for key, group in by_key.items()]
        send_sockets(self.channel, [sockets[key].fileno() for key in by_key])
        self.reply = asyncio.ensure_future(
            self._talk(request(prober.timeout, prober.retries, share)))

    async def _talk(self, asked: bytes) -> bytes:
        loop = asyncio.get_running_loop()
        await loop.sock_sendall(self.channel, asked)
        chunks = []
        while chunk := await loop.sock_recv(self.channel, 1 << 16):
            chunks.append(chunk)
        return b"".join(chunks)

    async def answer(self, patience: float) -> list[Observation] | str:
        """The share's observations, or what went wrong (the worker is then ended)."""
        assert self.reply is not None
        done, _ = await asyncio.wait([self.reply], timeout=max(patience, 0.0))
        if not done:
            await self.end()
            return "was still busy long after this process's own share"
        try:
            data = self.reply.result()
        except OSError as exc:
            # a worker killed with its request unread resets the channel: its death is the
            # cause, and the reset only how this process learnt of it
            code = await self._exit_code(within=min(GRACE, 1.0))
            await self.end()
            return await self._death(code) if code else \
                f"could not be read ({exc.strerror or exc})"
        code = await self._exit_code()
        if code is None:
            await self.end()
            return "did not end after answering"
        if code:
            return await self._death(code)
        try:
            return observations(data, self.probes)
        except ValueError as exc:
            return f"answered what could not be read ({exc})"

    async def _exit_code(self, within: float = GRACE) -> int | None:
        """The worker's exit status once it has ended (within ``within`` s); None while it
        runs."""
        try:
            return await asyncio.wait_for(self.process.wait(), within)
        except TimeoutError:
            return None

    async def _death(self, code: int) -> str:
        """How a worker that ended with ``code`` (not 0) ended, with its last word."""
        err = await self.process.stderr.read() if self.process.stderr else b""
        last = err.decode(errors="replace").strip().splitlines()[-1:] or [""]
        how = f"was killed by signal {-code}" if code < 0 else f"failed (status {code})"
        return how + (f": {last[0][:200]}" if last[0] else "")

    async def end(self) -> None:
        """Kill the worker (by its PID) unless it has ended, wait for it, close the channel."""
        if self.process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self.process.kill()
        if self.reply is not None and not self.reply.done():
            self.reply.cancel()
        if self.reply is not None:
            with contextlib.suppress(asyncio.CancelledError, OSError):
                await self.reply
        await self.process.wait()
        self.channel.close()
