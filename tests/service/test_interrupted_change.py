"""Ctrl+C during `netwright apply` through a backend stops the backend's job.

A job outlives the connection that started it (a killed client's apply completes, see
test_jobs.py), so a command that only printed "interrupted" and left let the apply go on
unseen and deploy the topology the user had just stopped. The command now cancels the job,
waits for its end (the engine rolls back) and says how it ended. Both clients are covered:
the blocking one the command uses for the system's netwrightd (client/oneshot.py) and the
asyncio one it uses for a lab (client/client.py), here pointed at the same netwrightd.
"""

from __future__ import annotations

import signal
import time
from pathlib import Path

import pytest
from svc_cli import NETWRIGHT, as_user_background
from svc_daemon import PYTHON
from svc_jobs import BIG, BIG_NAMESPACES, owned_by
from svc_polkit import USER_ALLOWED

#: `netwright ARGS…` with the asyncio client, as the command takes it for a lab.
THROUGH_ASYNCIO = """
import sys
from netwright.backend.cli import via_backend
via_backend._run_blocking = lambda args, command: None
from netwright.backend.cli.main import main
sys.exit(main(sys.argv[1:]))
"""


@pytest.mark.parametrize("client", ["blocking", "asyncio"])
def test_ctrl_c_mid_apply_cancels_the_job_and_says_so(running, host, service_run_dir: Path,
                                                      client: str) -> None:
    design = service_run_dir / "interrupted-big.yaml"
    design.write_text(BIG)
    design.chmod(0o644)
    command = [NETWRIGHT] if client == "blocking" else [PYTHON, "-c", THROUGH_ASYNCIO]
    journal = None
    # --json: the plan's 3,600 lines would fill the pipe nobody reads until the end
    process = as_user_background(USER_ALLOWED, [*command, "apply", "--yes", "--json",
                                                str(design)], address=running.address)
    try:
        deadline = time.monotonic() + 60
        while journal is None:  # the job has begun its steps: it is mid-apply
            assert process.poll() is None, process.communicate()
            assert time.monotonic() < deadline, "the apply never started"
            journal = next(running.state_dir.glob("*/big.journal"), None)
            time.sleep(0.005)
        process.send_signal(signal.SIGINT)  # the python process: setpriv and env exec'd it
        _out, err = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 130, err
    assert err.strip().endswith("netwright: interrupted: apply of big cancelled; every change"
                                " made so far was rolled back"), err
    time.sleep(1)  # a job that went on regardless would have deployed big by now
    assert owned_by(host, "big") == [], f"{BIG_NAMESPACES} namespaces were being applied"
    assert not journal.exists()
