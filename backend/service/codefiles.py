"""Which files this process's Netwright code came from, and whether they were replaced since.

A netwrightd outlives upgrades: a lab runs on while its user pulls a new checkout, a system
daemon while someone reinstalls the package. Its modules are then the old ones, while every
module it imports later and every helper it starts (the reading helper, probe workers) come
from the new files, and the two may no longer speak the same language. So the daemon notes
the identity of its package's files when it starts (``remember_started_code``: path, size and
mtime_ns of every module under ``netwright.backend``, about 1-2 ms) and asks again, at most
once a second, when a call arrives (``CodeFiles.replaced``). Compiled caches (__pycache__)
are left out: Python writes them as modules are first imported, which replaces nothing.
"""

from __future__ import annotations

import hashlib
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable

log = logging.getLogger("netwrightd")

#: How often (seconds) a call may make the daemon look at its files again; the environment
#: variable sets another interval (tests use a long one to reach the paths that look anyway).
RECHECK_SECONDS = 1.0
RECHECK_ENV = "NETWRIGHT_CODE_RECHECK_SECONDS"


def package_roots() -> list[str]:
    """The directories of the ``netwright.backend`` package: the daemon's code and its
    helpers' (the designer's files are not the daemon's business)."""
    import netwright.backend

    return [str(path) for path in netwright.backend.__path__]


def fingerprint(roots: Iterable[str]) -> str:
    """A digest of the path, size and mtime_ns of every ``.py`` file under ``roots``."""
    digest = hashlib.sha1(usedforsecurity=False)
    for root in roots:
        for entry in sorted(_modules(root)):
            digest.update(entry.encode(errors="surrogateescape"))
    return digest.hexdigest()


def _modules(directory: str) -> Iterable[str]:
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return
    for entry in entries:
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                yield from _modules(entry.path)
        elif entry.name.endswith(".py"):
            try:
                stat = entry.stat()
            except OSError:  # removed as we looked: that is a change too
                continue
            yield f"{entry.path}\0{stat.st_size}\0{stat.st_mtime_ns}\n"


def _recheck_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(RECHECK_ENV, RECHECK_SECONDS)))
    except ValueError:
        return RECHECK_SECONDS


class CodeFiles:
    """The files a process started with, compared with the files there now (cached)."""

    def __init__(self, roots: Iterable[str] | None = None,
                 recheck_seconds: float | None = None) -> None:
        self.roots = list(package_roots() if roots is None else roots)
        self.recheck_seconds = _recheck_seconds() if recheck_seconds is None else recheck_seconds
        self.started = fingerprint(self.roots)
        self._looked = time.monotonic()
        self._replaced = False
        self._lock = threading.Lock()
        self.listeners: list[Callable[[], None]] = []
        """Called once, when the files are first found replaced (from the thread that looked)."""

    def replaced(self, *, look_now: bool = False) -> bool:
        """True once the files differ from those this process started with. Looks at them
        again only if ``look_now`` or the last look is older than the recheck interval."""
        with self._lock:
            if self._replaced:
                return True
            now = time.monotonic()
            if not look_now and now - self._looked < self.recheck_seconds:
                return False
            self._looked = now
            if fingerprint(self.roots) == self.started:
                return False
            self._replaced = True
        log.warning("Netwright's files under %s were replaced since this netwrightd started"
                    " (an upgrade): it answers no more calls and stops once it safely can",
                    ", ".join(self.roots))
        for listener in list(self.listeners):
            listener()
        return True


_started: CodeFiles | None = None


def remember_started_code() -> CodeFiles:
    """Note the files this process runs from now (netwrightd calls it once, at start)."""
    global _started  # noqa: PLW0603 (one per process, like the logging configuration)
    _started = CodeFiles()
    return _started


def code_replaced() -> bool:
    """Whether the files this process noted at start were replaced since, looked at now;
    False in a process that noted none (a client, a helper)."""
    return _started is not None and _started.replaced(look_now=True)
