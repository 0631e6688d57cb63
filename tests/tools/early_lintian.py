"""lintian on the package, started as soon as the suite knows it will be asked for.

lintian reads every file of the package (thousands: the bundled environment) and takes a
minute or more of a two-core machine. Run when its test comes up, the whole suite waits for
it; started when collection ends, it runs beside the tests that mostly wait on the kernel and
on subprocesses, and its test only reads the verdict.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

LINTIAN_TEST = "test_lintian_is_clean"
COMMAND = ["lintian", "--fail-on", "error,warning"]

_running: dict[str, tuple[subprocess.Popen[bytes], Path]] = {}  # the .deb's path: its run


def start_if_selected(test_names: list[str]) -> None:
    """Start lintian on $NETWRIGHT_TEST_DEB when its test is among those selected."""
    deb = os.environ.get("NETWRIGHT_TEST_DEB", "")
    if _running or LINTIAN_TEST not in test_names or not Path(deb).is_file():
        return
    handle, name = tempfile.mkstemp(prefix="netwright-lintian-", suffix=".log")
    process = subprocess.Popen([*COMMAND, deb], stdin=subprocess.DEVNULL, stdout=handle,
                               stderr=subprocess.STDOUT)
    os.close(handle)
    _running[str(Path(deb))] = (process, Path(name))


def verdict(deb: Path, timeout: float = 900) -> tuple[int, str]:
    """lintian's exit code and output for ``deb``: the early run's, or one run now."""
    early = _running.pop(str(deb), None)
    if early is None:
        result = subprocess.run([*COMMAND, str(deb)], capture_output=True, text=True,
                                check=False, timeout=timeout)
        return result.returncode, result.stdout + result.stderr
    process, log = early
    try:
        code = process.wait(timeout=timeout)
        return code, log.read_text(errors="replace")
    finally:
        log.unlink(missing_ok=True)


def stop() -> None:
    """End an early run nobody read (the test was skipped or the suite interrupted)."""
    for process, log in _running.values():
        process.kill()
        process.wait()
        log.unlink(missing_ok=True)
    _running.clear()
