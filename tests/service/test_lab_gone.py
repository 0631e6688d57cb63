"""A client whose lab has gone (``netwright lab stop`` in a terminal, a crash, a SIGKILL)
makes its next call in a new lab, and says so, instead of waiting on the closed connection.

The designer keeps one connection to the lab for as long as it runs. dbus-fast queues a call
on a connection that has closed and never answers it, so the designer's next Plan after a
`netwright lab stop` sat at "Plan…" for CALL_TIMEOUT_SECONDS (330 s) with its buttons off.
A call that was never sent ran nowhere, so it is made again in a new lab (started as any
command starts one), and the client's notices say what happened.
"""

from __future__ import annotations

import json
import os
import signal
import time

import pytest
from svc_cli import NETWRIGHT, as_user, as_user_background
from svc_daemon import PYTHON
from svc_lab import PrivateLab

from netwright.backend.client.client import RESTARTED_LAB

#: Connects, says it is connected, waits until its lab's connection has closed (the test
#: ends the lab meanwhile), then makes one call on the same client.
CLIENT = """
import asyncio, json, sys, time
from netwright.backend.client import connect_lab
async def main():
    client = await connect_lab()
    said = []
    client.notices.append(said.append)
    await client.deployments()
    print("connected", flush=True)
    while client._bus.connected:
        await asyncio.sleep(0.02)
    try:
        answer = await asyncio.wait_for(client.deployments(), 60)
    except TimeoutError:
        answer = "hung"
    except Exception as exc:
        answer = f"{type(exc).__name__}: {exc}"
    print(json.dumps({"answer": answer, "said": said}), flush=True)
    client.close()
asyncio.run(main())
"""


@pytest.mark.parametrize("ended", ["lab stop", "SIGKILL"])
def test_the_next_call_after_the_lab_has_gone_runs_in_a_new_lab(lab: PrivateLab,
                                                                 ended: str) -> None:
    client = as_user_background(lab.user, [PYTHON, "-c", CLIENT], env=lab.env)
    assert client.stdout is not None
    assert client.stdout.readline().strip() == "connected", client.stderr
    old = lab.pid()
    assert old is not None
    if ended == "lab stop":
        stopped = as_user(lab.user, [NETWRIGHT, "lab", "stop"], env=lab.env)
        assert stopped.returncode == 0, stopped.stderr
    else:
        os.kill(old, signal.SIGKILL)
    out, err = client.communicate(timeout=120)
    found = json.loads(out.strip().splitlines()[-1])
    assert found == {"answer": [], "said": [RESTARTED_LAB]}, (found, err)
    deadline = time.monotonic() + 10
    while lab.pid() in (None, old):  # the new lab's pid file
        assert time.monotonic() < deadline
        time.sleep(0.05)
