"""Network namespaces without forking: create, enter, delete, list — as ``ip netns`` does.

pyroute2 forks a child for every ``netns.create()`` and every ``IPRoute(netns=…)`` (measured:
19 ms per namespace). Here a short-lived thread ``unshare``s or ``setns``es into the namespace,
opens the netlink socket there (a socket stays in the namespace it was created in), and ends;
only that thread ever changes namespace, so the rest of the process is never affected.
Namespaces are bind mounts under /run/netns, so ``ip netns list`` and ``ip netns exec`` see them.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import socket
import stat
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TypeVar

RUN_NETNS = Path("/run/netns")
CLONE_NEWNET = 0x40000000
MS_BIND = 4096
MS_REC = 16384
MS_SHARED = 1 << 20
MNT_DETACH = 2

_libc = ctypes.CDLL(None, use_errno=True)
T = TypeVar("T")

Where = str | None
"""An on-disk namespace name under /run/netns, or None for the caller's own namespace."""


def _check(result: int, what: str) -> None:
    if result != 0:
        code = ctypes.get_errno()
        raise OSError(code, f"{what}: {os.strerror(code)}")


def netns_path(name: str) -> Path:
    return RUN_NETNS / name


def ensure_run_dir() -> None:
    """Make /run/netns a shared mount point, exactly as ``ip netns add`` does.

    A shared mount lets a namespace mounted later appear in every mount namespace that sees
    /run/netns (including ``ip netns exec`` children).
    """
    RUN_NETNS.mkdir(mode=0o755, parents=True, exist_ok=True)
    path = bytes(RUN_NETNS)
    if _libc.mount(b"none", path, None, MS_SHARED | MS_REC, None) == 0:
        return
    if ctypes.get_errno() != errno.EINVAL:
        _check(-1, "make /run/netns shared")
    _check(_libc.mount(path, path, None, MS_BIND | MS_REC, None), "bind /run/netns")
    _check(_libc.mount(b"none", path, None, MS_SHARED | MS_REC, None), "make /run/netns shared")


def list_netns() -> list[str]:
    """Names under /run/netns (what ``ip netns list`` shows)."""
    try:
        return sorted(p.name for p in RUN_NETNS.iterdir())
    except FileNotFoundError:
        return []


def exists(name: str) -> bool:
    """A namespace is mounted at /run/netns/``name``.

    A process killed between creating the mount point and mounting the namespace on it (this
    engine, or ``ip netns add``) leaves an empty file there: no namespace, nothing to lose, but
    every later ``ip -n NAME`` fails on it and our own create would meet EEXIST. Callers only
    ask about names of their own topology, so such a placeholder is removed here.
    """
    path = f"{RUN_NETNS}/{name}"  # a str, not a Path: a destroy asks this hundreds of times
    try:
        info = os.stat(path)
        if info.st_dev != os.stat(RUN_NETNS).st_dev:
            return True  # a namespace (nsfs) is mounted on it
    except FileNotFoundError:
        return False
    if stat.S_ISREG(info.st_mode) and info.st_size == 0:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(path)
        return False
    return True  # something else: whoever opens it fails with the kernel's own words


def netns_id(name: str) -> int | None:
    """The namespace's inode (stable while it lives); None if it is not mounted."""
    try:
        return os.stat(netns_path(name)).st_ino
    except OSError:
        return None


def _run_in_thread(work: Callable[[], T]) -> T:
    """Run ``work`` in a fresh thread and return its result (or raise its exception)."""
    box: dict[str, object] = {}

    def body() -> None:
        try:
            box["result"] = work()
        except BaseException as exc:
            box["error"] = exc

    thread = threading.Thread(target=body, name="netwright-netns")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["result"]  # type: ignore[return-value]


def new_route_socket() -> socket.socket:
    """A NETLINK_ROUTE socket in the calling thread's namespace."""
    sock = socket.socket(socket.AF_NETLINK, socket.SOCK_RAW | socket.SOCK_CLOEXEC,
                         socket.NETLINK_ROUTE)
    sock.bind((0, 0))
    return sock


class EnterError(OSError):
    """The namespace's file opened, but the kernel refused to enter it (``errno`` says why:
    EPERM when the caller lacks CAP_SYS_ADMIN)."""


def enter(path: str, what: str | None = None) -> None:
    """Move the calling thread into the namespace at ``path`` (any nsfs file: /run/netns/x,
    /proc/PID/ns/net). A missing file raises the OSError of ``open`` (with its filename);
    a refusal EnterError, worded with ``what`` (default: the path)."""
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    try:
        if _libc.setns(fd, CLONE_NEWNET) != 0:
            code = ctypes.get_errno()
            raise EnterError(code, f"enter namespace {what or path}: {os.strerror(code)}")
    finally:
        os.close(fd)


@contextlib.contextmanager
def entered(path: str) -> Iterator[None]:
    """The body runs with the calling thread inside the namespace at ``path``; the thread
    then returns to where it was. For a thread that lives on (the checks' worker opening
    sockets in one namespace after another); errors as ``enter``."""
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY | os.O_CLOEXEC)
    try:
        enter(path)
        try:
            yield
        finally:
            _check(_libc.setns(home, CLONE_NEWNET), "return to the thread's own namespace")
    finally:
        os.close(home)


def in_netns(name: str | None, work: Callable[[], T]) -> T:
    """Run ``work`` inside namespace ``name`` (None = the caller's own) and return its result."""
    if name is None:
        return work()

    def enter_and_work() -> T:
        enter(str(netns_path(name)), name)
        return work()  # the thread ends here, so no need to go back

    return _run_in_thread(enter_and_work)


def open_sockets(names: list[str], threads: int = 1) -> dict[str, socket.socket | OSError]:
    """A route socket inside each named namespace, opened by a thread that ``setns``es from
    one to the next (a thread per namespace costs ~0.5 ms; a setns a few µs). ``threads``
    > 1: that many threads, each with a share of the names, at once (the kernel's part of
    the work then runs on as many CPUs)."""

    def work(share: list[str]) -> dict[str, socket.socket | OSError]:
        out: dict[str, socket.socket | OSError] = {}
        for name in share:
            try:
                enter(str(netns_path(name)), name)
                out[name] = new_route_socket()
            except OSError as exc:
                out[name] = exc
        return out

    if not names:
        return {}
    shares = [names[i::threads] for i in range(threads) if names[i::threads]]
    if len(shares) == 1:
        return _run_in_thread(lambda: work(names))
    results: list[dict[str, socket.socket | OSError]] = [{} for _ in shares]

    def run(number: int) -> None:
        results[number] = work(shares[number])

    workers = [threading.Thread(target=run, args=(number,), name="netwright-netns")
               for number in range(len(shares))]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return {name: result for found in results for name, result in found.items()}


def create_many(items: list[tuple[str, Callable[[socket.socket], None]]]
                ) -> dict[str, socket.socket | OSError]:
    """Create several namespaces from one thread (see ``create``); per-name results."""
    ensure_run_dir()

    def work() -> dict[str, socket.socket | OSError]:
        out: dict[str, socket.socket | OSError] = {}
        for name, prepare in items:
            try:
                out[name] = _unshare_and_mount(name, prepare)
            except OSError as exc:
                out[name] = exc
        return out

    return _run_in_thread(work) if items else {}


def open_socket(name: str | None) -> socket.socket:
    """A route netlink socket inside namespace ``name`` (None = the caller's namespace)."""
    return in_netns(name, new_route_socket)


def create(name: str, prepare: Callable[[socket.socket], None]) -> socket.socket:
    """Create namespace ``name`` and return a netlink socket inside it.

    ``prepare(sock)`` runs inside the new namespace before it is mounted (the engine marks the
    loopback as its own there), so a namespace is never visible without its owner's marker.
    Raises FileExistsError if the name is taken; nothing is left behind on failure.
    """
    ensure_run_dir()
    return _run_in_thread(lambda: _unshare_and_mount(name, prepare))


def _unshare_and_mount(name: str, prepare: Callable[[socket.socket], None]) -> socket.socket:
    """In the calling (helper) thread: a new namespace, prepared, then mounted as ``name``."""
    path = netns_path(name)
    _check(_libc.unshare(CLONE_NEWNET), "create a network namespace")
    sock = new_route_socket()
    try:
        prepare(sock)
        fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_RDONLY | os.O_CLOEXEC, 0o444)
        os.close(fd)
        try:
            _check(_libc.mount(b"/proc/thread-self/ns/net", bytes(path), None, MS_BIND, None),
                   f"mount namespace {name}")
        except BaseException:
            with contextlib.suppress(OSError):
                path.unlink()
            raise
    except BaseException:
        sock.close()
        raise
    return sock


def delete(name: str) -> bool:
    """Unmount and remove namespace ``name``; the kernel frees it (and every virtual interface
    in it) once nothing else holds it. Returns False if it was not there."""
    path = netns_path(name)
    if _libc.umount2(bytes(path), MNT_DETACH) != 0:
        code = ctypes.get_errno()
        if code not in (errno.EINVAL, errno.ENOENT):
            raise OSError(code, f"unmount namespace {name}: {os.strerror(code)}")
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def sysctl_path(key: str) -> Path:
    """The file of a dotted ``key``; '/' in it stands for a dot of an interface's name
    (``net.ipv4.conf.eth0/100.rp_filter`` is /proc/sys/net/ipv4/conf/eth0.100/rp_filter)."""
    parts = [part.replace("/", ".") for part in key.split(".")]
    if any(part in ("", ".", "..") for part in parts):  # validation refuses them; twice safe
        raise OSError(errno.EINVAL, f"{key!r} is no sysctl key")
    return Path("/proc/sys", *parts)


def write_sysctl(name: str | None, key: str, value: str) -> None:
    """Set a ``net.*`` sysctl inside namespace ``name`` (/proc/sys/net follows the thread)."""
    proc = sysctl_path(key)

    def write() -> None:
        proc.write_text(value + "\n")

    in_netns(name, write)

