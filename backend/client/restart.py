"""When the backend stops in the middle of a job: say so, then say what its recovery did.

A client waiting for JobFinished would otherwise wait forever for a backend killed with
SIGKILL: its bus connection is fine, only the backend's name lost its owner. The client
watches that name (NameOwnerChanged); on loss every waiting job fails with
BackendStoppedError. The waiter then gives the backend a few seconds to come back (systemd
or D-Bus activation restarts it, and it finishes or rolls back interrupted jobs before it
owns its name again) and reads the topology's status, so the sentence says what state the
recovery left.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import Any

from netwright.backend.service import names
from netwright.backend.service.errors import BackendUnavailableError

#: How long a client waits for a stopped backend to come back before it gives up.
RESTART_WAIT_SECONDS = 8.0
#: How often it asks whether the backend is back (each ask may also activate it).
RESTART_POLL_SECONDS = 0.25


#: How long a call that a stopping netwrightd refused waits for the next one to own the
#: bus name (systemd restarting it: the stop, then the start, which builds nothing long).
STOPPING_WAIT_SECONDS = 10.0
#: The service as a sentence names it, and where an administrator looks for it.
SYSTEM_SERVICE = f"netwrightd ({names.BUS_NAME} on the system bus)"
#: The calls that change something: one that a stopping netwrightd refused is not made again
#: by itself, unlike a read. Stopping promises that nothing of it was done, so sending it
#: again would be safe for the state; but the user accepted a plan (or a preview) that the
#: old netwrightd computed, and the new one starts by recovering what the old one left (an
#: interrupted job rolled back or finished, a trial ended at its deadline), so the same
#: Apply or Destroy may now make a different change, or a Confirm keep a different trial,
#: than the one the user saw, and polkit may ask for a password again. Both clients apply
#: this rule through ``name_watch.after_stopping_refusal``.
CHANGES = frozenset({"Apply", "Destroy", "Revert", "Confirm", "Adopt"})

#: Jobs that only read or probe: a backend stopped during one has nothing to recover.
READ_ONLY_OPERATIONS = frozenset({"check", "capture", "measure"})


class BackendStoppedError(BackendUnavailableError):
    """The backend stopped (or was killed) while a job of this client was running."""


def stopped_sentence(job: str, topology: str, operation: str) -> str:
    what = f"the {operation} of {topology} (job {job})" if topology else f"job {job}"
    return f"the backend (netwrightd) stopped during {what}"


async def report_recovery(
    stopped: str, topology: str, operation: str,
    status: Callable[[str], Awaitable[tuple[str, dict[str, Any]]]],
    wait: float = RESTART_WAIT_SECONDS,
) -> str:
    """``stopped`` plus what the restarted backend says of ``topology``, or that it did not
    come back within ``wait`` seconds. ``status`` makes the Status call: it raises
    BackendUnavailableError while no backend answers, else returns (D-Bus error name or "",
    the status JSON or {"message": the error's sentence})."""
    import asyncio  # here: the blocking client (oneshot.py) imports this module too

    if operation in READ_ONLY_OPERATIONS:
        return (f"{stopped}; a {operation} changes nothing, so nothing was left half done:"
                " run it again once the backend is back")
    if not topology:
        return f"{stopped}; check the deployment's state when it is back (netwright list)"
    deadline = time.monotonic() + wait
    while True:
        try:
            async with asyncio.timeout(max(0.1, deadline - time.monotonic())):
                error, found = await status(topology)  # made inside: none left unawaited
        except (BackendUnavailableError, TimeoutError):
            if time.monotonic() >= deadline:
                return (f"{stopped}, and it has not come back within {wait:.0f} s; when it"
                        " restarts it finishes or rolls back the interrupted job by itself:"
                        f" see netwright status {topology}")
            await asyncio.sleep(RESTART_POLL_SECONDS)
            continue
        if error == names.ERROR_NOT_FOUND:
            done = ("finished the interrupted destroy" if operation == "destroy"
                    else f"rolled the interrupted {operation or 'job'} back")
            return f"{stopped}. It restarted, and its recovery {done}: {topology} is not deployed"
        if error:
            return (f"{stopped}. It restarted; asked for the status of {topology} it"
                    f" answered: {found.get('message', error)}")
        return f"{stopped}. It restarted, and after its recovery {_state(topology, found)}"


def _state(topology: str, status: dict[str, Any]) -> str:
    objects = [o for o in status.get("objects", []) if isinstance(o, dict)]
    wrong = [o for o in objects if o.get("state") != "present"]
    if not wrong:
        return (f"{topology} is deployed as its last completed apply left it, all"
                f" {len(objects)} objects present")
    return (f"{topology} is deployed with {len(wrong)} of {len(objects)} objects missing or"
            f" drifted (netwright status {topology} lists them; apply again to repair)")


def not_back_sentence(waited: float) -> str:
    """A read refused by a stopping netwrightd, whose next one did not come in time."""
    return (f"{SYSTEM_SERVICE} was stopping and no new one took over within {waited:.0f} s;"
            " nothing was changed: try again once it runs (systemctl status netwrightd)")


def not_resent_sentence(what: str, owner: str | None, waited: float) -> str:
    """A change (``what``: "Apply", "Destroy" …) refused by a stopping netwrightd: nothing was
    done, and it is not made again by itself (CHANGES says why). ``owner``:
    the new netwrightd's unique name, "" if the bus starts one for the next call, None if
    neither came within ``waited`` seconds."""
    if owner is None:
        then = (f"no new one took over within {waited:.0f} s: run the command again once it"
                " runs (systemctl status netwrightd)")
    elif owner:
        then = "a new one runs now: run the command again to make it there"
    else:
        then = "the bus starts a new one for the next command: run it again to make it there"
    return (f"{SYSTEM_SERVICE} was stopping and refused the {what.lower()} before doing"
            " anything (nothing was changed); it was not sent again by itself, since the new"
            f" netwrightd first recovers what the old one left and may find other than what you"
            f" saw; {then}")
