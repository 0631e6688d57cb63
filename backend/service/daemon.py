"""``netwrightd``: serve io.netwright.Backend1 on the system bus, or run a lab.

System mode (root, started by D-Bus activation through systemd): polkit authorises every
call. ``--lab``: an ordinary user's private backend in its own user + network + mount
namespace, on a private bus, without polkit (see lab.py). Logs go to stderr at INFO, one line
per job step; SIGTERM cancels running jobs (the engine rolls them back), then releases the
bus name and answers every call that reached it (closing.py) before exiting.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

from dbus_fast import BusType
from dbus_fast.aio import MessageBus
from dbus_fast.auth import UID_NOT_SPECIFIED, AuthExternal
from dbus_fast.constants import NameFlag, RequestNameReply
from dbus_fast.errors import DBusError

from netwright.backend.count_words import counted
from netwright.backend.engine import Target, default_state_dir
from netwright.backend.kernel.open_files import runs_in
from netwright.backend.service import names
from netwright.backend.service.authority import Authority, LabAuthority, PolkitAuthority
from netwright.backend.service.callers import Callers
from netwright.backend.service.checking import run_check_for_bus
from netwright.backend.service.closing import StopBudget, answer_last_calls
from netwright.backend.service.codefiles import remember_started_code
from netwright.backend.service.dispatch import DRAIN_SECONDS, Dispatcher
from netwright.backend.service.incidents import incident
from netwright.backend.service.interface import Backend1, Prepare
from netwright.backend.service.outdated import OutdatedGuard
from netwright.backend.service.patient import make_patient
from netwright.backend.service.worker import EngineWorker
from netwright.backend.topology import Topology
from netwright.backend.topology.problems import NetwrightError

log = logging.getLogger("netwrightd")

#: How long SIGTERM waits for running jobs to roll back before the daemon exits anyway.
SHUTDOWN_TIMEOUT_SECONDS = 60.0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="netwrightd", description="The Netwright backend (D-Bus service)."
    )
    parser.add_argument("--lab", action="store_true",
                        help="run a private lab backend as this user, with no root and no polkit")
    parser.add_argument("--bus", default="system",
                        help="'system' (default), 'session' or a D-Bus address to serve on")
    parser.add_argument("--state-dir", type=Path, default=None,
                        help="where deployments are recorded (default $NETWRIGHT_STATE_DIR"
                             " or /var/lib/netwright)")
    parser.add_argument("--target", choices=("host", "lab"), default="host",
                        help="manage the real host (default) or build and manage an emulated"
                             " lab host inside this daemon's network namespace")
    parser.add_argument("--no-polkit", action="store_true",
                        help="authorise nothing through polkit: every caller may do everything"
                             " (only for a private bus that only one user can reach)")
    parser.add_argument("--idle-exit", type=float, default=None, metavar="SECONDS",
                        help="with --lab: stop after SECONDS with no client while nothing is"
                             " deployed (default $NETWRIGHT_LAB_IDLE_SECONDS or 60; 0: never)")
    parser.add_argument("--lab-inner", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--debug", action="store_true", help="log at DEBUG level")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    started_code = remember_started_code()  # before anything is imported lazily
    args = build_parser().parse_args(argv)
    args.started_code = started_code
    logging.basicConfig(
        level=logging.DEBUG if args.debug else logging.INFO, stream=sys.stderr,
        format="%(asctime)s netwrightd[%(process)d]: %(levelname)s %(message)s",
    )
    if args.no_polkit and args.bus == "system":
        print("netwrightd: --no-polkit is refused on the system bus: every user could change"
              " the network; use it only with a private bus address", file=sys.stderr)
        return 2
    if args.lab and not args.lab_inner:
        from netwright.backend.service.lab import run_lab_launcher

        return run_lab_launcher(args)
    try:
        return asyncio.run(serve(args))
    except KeyboardInterrupt:
        return 130


async def connect(bus: str, *, inside_user_namespace: bool = False) -> MessageBus:
    """Connect to the named bus; inside a user namespace let the kernel vouch for the uid."""
    auth = AuthExternal(UID_NOT_SPECIFIED) if inside_user_namespace else None
    # Unix fds: Capture receives the caller's output file as a descriptor.
    if bus == "system":
        connected = await MessageBus(bus_type=BusType.SYSTEM, auth=auth,
                                     negotiate_unix_fd=True).connect()
    elif bus == "session":
        connected = await MessageBus(bus_type=BusType.SESSION, auth=auth,
                                     negotiate_unix_fd=True).connect()
    else:
        connected = await MessageBus(bus_address=bus, auth=auth,
                                     negotiate_unix_fd=True).connect()
    make_patient(connected)  # a full socket must not cost the daemon its bus
    return connected


async def serve(args: argparse.Namespace) -> int:
    # SIGTERM and SIGINT stop the daemon cleanly from the start: one that comes while the lab
    # host is being built waits for the build, and the helpers it started are then stopped
    # (the signal's default action ended the lab at once and left its dnsmasq running)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    received: list[str] = []

    def on_signal(signum: signal.Signals) -> None:
        received.append(signum.name)
        stop.set()

    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, on_signal, signum)
    received.extend(getattr(args, "stop_requested", None) or [])  # before the loop ran
    if received:
        stop.set()
    runs_in("lab" if args.lab_inner else "netwrightd")  # whose limit a TooManyFiles names
    bus = await connect(args.bus, inside_user_namespace=args.lab_inner)
    if args.lab_inner:
        from netwright.backend.service.lab import prepare_inner

        prepare_inner()
    state_dir = args.state_dir or default_state_dir()
    target = Target.lab() if (args.target == "lab" or args.lab_inner) else Target.host()
    worker = EngineWorker(state_dir, target)
    prepare = None
    if target.host_netns is not None:
        try:
            prepare = await _lab_host(worker)
        except NetwrightError as exc:  # a sentence (too few open files …), not a traceback
            log.error("cannot build the lab's own network: %s", exc)
            print(f"netwrightd: {exc}", file=sys.stderr)  # the line the client shows
            _stop_lab_helpers(state_dir, target)
            bus.disconnect()
            return 1
        if stop.is_set():
            log.info("stopping on %s while the lab host was being built", received[0])
            _stop_lab_helpers(state_dir, target)
            bus.disconnect()
            return 0
    await _recover(worker)
    authority: Authority = (
        LabAuthority() if (args.lab_inner or args.no_polkit) else PolkitAuthority(bus)
    )
    mode = "lab" if args.lab_inner else "system"
    interface = Backend1(worker, authority, Callers(bus), mode=mode, prepare=prepare,
                         check_runner=run_check_for_bus)
    await interface.trials.start()  # changes on trial a previous netwrightd left

    def stop_outdated() -> None:
        received.append("its files being replaced")
        stop.set()

    guard = _guard(args, interface, stop_outdated)
    dispatcher = Dispatcher(bus, interface, names.OBJECT_PATH, interface.callers,
                            guard=guard, stopping=interface.stopping)
    bus.export(names.OBJECT_PATH, interface)
    try:
        reply = await bus.request_name(names.BUS_NAME, NameFlag.DO_NOT_QUEUE)
    except DBusError as exc:
        log.error("cannot own %s: %s (%s)", names.BUS_NAME, exc.text, exc.type)
        return 1
    if reply is not RequestNameReply.PRIMARY_OWNER:
        log.error("cannot own %s: another netwrightd is running (%s)", names.BUS_NAME,
                  reply.name)
        return 1
    log.info("serving %s (%s mode, target %s, state in %s)", names.BUS_NAME, mode,
             target.key, state_dir)

    def stop_idle() -> None:
        received.append("idle")
        stop.set()

    idle = _watch_idle(args, bus, interface, stop_idle)
    disconnected = asyncio.ensure_future(
        bus.wait_for_disconnect()  # type: ignore[no-untyped-call]
    )
    stopping = asyncio.ensure_future(stop.wait())
    await asyncio.wait([disconnected, stopping], return_when=asyncio.FIRST_COMPLETED)
    interface.stopping.begin()  # from here every call that would do something is refused
    budget = StopBudget()  # the rollback, then the last calls and replies, fit in it
    if stop.is_set():
        log.info("stopping on %s: cancelling %s", received[0],
                 counted(len(interface.jobs.running()), "running job"))
    else:
        log.warning("the bus went away: cancelling %s",
                    counted(len(interface.jobs.running()), "running job"))
    interface.trials.stop()  # the next netwrightd (or NetworkManager's timer) takes over
    await interface.jobs.shutdown(SHUTDOWN_TIMEOUT_SECONDS)
    # what was past its refusal ends before the helpers (a renew)
    await dispatcher.drain(budget.left(DRAIN_SECONDS))
    if target.host_netns is not None:  # the lab's DHCP helpers must not outlive its backend
        _stop_lab_helpers(state_dir, target)
    await answer_last_calls(bus, dispatcher, budget)  # no caller gets NoReply from our exit
    await interface.reader.close()
    stopping.cancel()
    if idle is not None:
        idle.cancel()
    if not disconnected.done():
        bus.disconnect()
    log.info("stopped")
    return 0


def _guard(args: argparse.Namespace, interface: Backend1,
           stop: Callable[[], None]) -> OutdatedGuard:
    """What answers once this daemon's files are replaced: a lab stops only when it holds
    nothing (stopping it ends its networks), the system daemon whatever is deployed."""
    files = getattr(args, "started_code", None) or remember_started_code()

    async def deployed() -> list[str]:
        return list(await interface.worker.with_engine(lambda e: e.deployments()))

    return OutdatedGuard(files, running=lambda: len(interface.jobs.running()),
                         deployed=deployed if args.lab_inner else None, stop=stop)


def _stop_lab_helpers(state_dir: str | Path, target: Target) -> None:
    from netwright.backend.dhcp.lab_server import stop_lab_helpers

    stop_lab_helpers(Path(state_dir), target)


def _watch_idle(args: argparse.Namespace, bus: MessageBus, interface: Backend1,
                on_idle: Callable[[], object]) -> asyncio.Future[None] | None:
    """A lab stops by itself once nobody uses it and it holds nothing (see idle.py)."""
    if not args.lab_inner:
        return None
    from netwright.backend.service.idle import IDLE_ENV, idle_seconds, wait_until_idle

    seconds = (args.idle_exit if args.idle_exit is not None
               else idle_seconds(os.environ.get(IDLE_ENV)))
    if seconds > 0:
        log.info("the lab stops by itself %.0f s after its last client leaves, unless"
                 " something is deployed in it", seconds)

    async def holdings() -> list[str]:
        return list(await interface.worker.with_engine(lambda e: e.deployments()))

    async def watch() -> None:
        await wait_until_idle(bus, seconds, working=lambda: bool(interface.jobs.running()),
                              holdings=holdings)
        on_idle()

    return asyncio.ensure_future(watch())


async def _recover(worker: EngineWorker) -> None:
    """Finish what a killed netwrightd left half done; a failure here must not stop serving.

    The engine also recovers before each operation, so a failure is logged and retried then.
    """
    try:
        recovered = await worker.with_engine(lambda e: e.recover())
    except Exception as exc:
        incident(exc, "recovering interrupted jobs at startup")
        return
    if recovered:
        log.info("recovered interrupted jobs of: %s", ", ".join(recovered))


async def _nothing() -> None:
    return None


async def _lab_host(worker: EngineWorker) -> Prepare:
    """Build the lab host now; return the hook that adds a topology's NICs to it before use
    (and gives back the call that takes them back again, should the use be refused).

    Builds are serialised: the lab's own infrastructure is one topology of the engine.
    """
    from netwright.backend.lab import LabPrepared, build_lab, build_lab_for

    target, state_dir = worker.target, worker.state_dir
    lock = asyncio.Lock()
    async with lock:
        await worker.run(lambda: build_lab(None, target, state_dir=state_dir))
    log.info("lab host built in namespace %s", target.host_netns)

    async def prepare(topology: Topology) -> LabPrepared:
        if not topology.host.nics:
            return LabPrepared([], _nothing)
        async with lock:
            prepared = await worker.run(
                lambda: build_lab_for(topology, target, state_dir=state_dir))

        async def take_back() -> None:
            async with lock:
                await worker.run(prepared.take_back)

        return LabPrepared(prepared.notes, take_back)

    return prepare


if __name__ == "__main__":
    sys.exit(main())
