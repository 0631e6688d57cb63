"""polkitd on the private bus, reading the project's policy and the tests' rules.

polkitd reads actions and rules only from fixed paths. It runs under ``unshare --mount`` with
private copies bind-mounted over /usr/share/polkit-1/actions and /etc/polkit-1/rules.d, so the
machine's files are never changed and the shipped polkit/io.netwright.policy is what is tested.
With no logind every subject is neither local nor active: only ``allow_any`` and the rules
below decide. One user's Apply is answered only when the test lets it (``PolkitHold``), as a
password prompt keeps a call waiting: polkitd runs a rule's ``polkit.spawn`` to its end.
"""

from __future__ import annotations

import contextlib
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

from svc_bus import REPO, name_has_owner
from svc_processes import Started, start, wait_until

POLICY = REPO / "polkit" / "io.netwright.policy"
EXAMPLE_RULES = REPO / "polkit" / "50-netwright-netdev.rules"

USER_ALLOWED = "nwtest-allowed"
USER_DENIED = "nwtest-denied"
USER_DEFAULT = "nwtest-default"
USER_PEER = "nwtest-peer"  # another user who may apply and check, but not destroy
USER_HELD = "nwtest-held"  # may do everything, but polkit answers its Apply when let (below)

TEST_RULES = f"""// Netwright service tests: one user always allowed, one always denied, the third
// falls through to the defaults of io.netwright.policy; a peer may do all but destroy.
polkit.addRule(function(action, subject) {{
    if (action.id.indexOf("io.netwright.") != 0) {{
        return polkit.Result.NOT_HANDLED;
    }}
    polkit.log("netwright-test: " + action.id + " for " + subject.user);
    if (subject.user == "{USER_ALLOWED}") {{
        return polkit.Result.YES;
    }}
    if (subject.user == "{USER_DENIED}") {{
        return polkit.Result.NO;
    }}
    if (subject.user == "{USER_PEER}") {{
        return action.id == "io.netwright.destroy" ? polkit.Result.NO : polkit.Result.YES;
    }}
    return polkit.Result.NOT_HANDLED;
}});
"""

#: While HOLD_DIR/hold exists, the held user's io.netwright.apply is not answered: the rule
#: says so in HOLD_DIR/held and waits (polkit.spawn runs to its end; polkitd gives a spawned
#: command 10 s, so a test lets it go well before).
HOLD_DIR = "polkit-hold"
_HELD_RULES = """// Netwright service tests: the held user may do everything, but its Apply
// waits while the test holds it (as a password prompt would keep the call waiting).
polkit.addRule(function(action, subject) {{
    if (subject.user != "{user}" || action.id.indexOf("io.netwright.") != 0) {{
        return polkit.Result.NOT_HANDLED;
    }}
    if (action.id == "io.netwright.apply") {{
        polkit.spawn(["/bin/sh", "-c", '[ -e "$1/hold" ] || exit 0; : > "$1/held";'
                      + ' while [ -e "$1/hold" ]; do sleep 0.05; done; exit 0', "hold", "{dir}"]);
    }}
    return polkit.Result.YES;
}});
"""

_MOUNT_AND_EXEC = (
    'mount --bind "$1" /usr/share/polkit-1/actions && '
    'mount --bind "$2" /etc/polkit-1/rules.d && '
    "exec /usr/lib/polkit-1/polkitd"
)


def start_polkitd(run_dir: Path, address: str) -> Started:
    actions = run_dir / "polkit-actions"
    rules = run_dir / "polkit-rules"
    shutil.copytree("/usr/share/polkit-1/actions", actions)
    shutil.copy(POLICY, actions / POLICY.name)
    rules.mkdir()
    (rules / "10-netwright-test.rules").write_text(TEST_RULES)
    hold = run_dir / HOLD_DIR
    hold.mkdir()
    hold.chmod(0o777)  # polkitd writes "held" there, whoever it runs as
    (rules / "20-netwright-held.rules").write_text(_HELD_RULES.format(user=USER_HELD,
                                                                      dir=hold))
    shutil.copy(EXAMPLE_RULES, rules / EXAMPLE_RULES.name)
    for path in (actions, rules, *actions.iterdir(), *rules.iterdir()):
        path.chmod(0o755 if path.is_dir() else 0o644)
    env = {"PATH": "/usr/sbin:/usr/bin:/sbin:/bin", "DBUS_SYSTEM_BUS_ADDRESS": address}
    polkitd = start(
        "polkitd",
        ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", _MOUNT_AND_EXEC,
         "polkitd", str(actions), str(rules)],
        run_dir, env,
    )
    wait_until(lambda: name_has_owner(address, "org.freedesktop.PolicyKit1"), 15,
               "polkitd to own org.freedesktop.PolicyKit1", polkitd)
    return polkitd


class PolkitHold:
    """Keeps polkit's answer to the held user's Apply back until ``release`` (see
    _HELD_RULES): a call in flight, as one whose password prompt is still open."""

    def __init__(self, run_dir: Path) -> None:
        self._dir = run_dir / HOLD_DIR
        (self._dir / "held").unlink(missing_ok=True)
        (self._dir / "hold").touch()

    def wait_until_asked(self, seconds: float, command: subprocess.Popen[str]) -> None:
        """Until polkit is asked (and waits): the call is in flight."""
        deadline = time.monotonic() + seconds
        while not (self._dir / "held").exists():
            assert command.poll() is None, f"the command ended first: {command.communicate()}"
            assert time.monotonic() < deadline, "polkit was never asked for the Apply"
            time.sleep(0.05)

    def release(self) -> None:
        """polkit answers (yes), now and for every later Apply of the held user."""
        (self._dir / "hold").unlink(missing_ok=True)
        (self._dir / "held").unlink(missing_ok=True)


@contextlib.contextmanager
def polkit_hold(run_dir: Path) -> Iterator[PolkitHold]:
    """Hold the held user's Apply in polkit during the block (released at its end, always)."""
    hold = PolkitHold(run_dir)
    try:
        yield hold
    finally:
        hold.release()
