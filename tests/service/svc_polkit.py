"""polkitd on the private bus, reading the project's policy and the tests' rules.

polkitd reads actions and rules only from fixed paths. It runs under ``unshare --mount`` with
private copies bind-mounted over /usr/share/polkit-1/actions and /etc/polkit-1/rules.d, so the
machine's files are never changed and the shipped polkit/io.netwright.policy is what is tested.
With no logind every subject is neither local nor active: only ``allow_any`` and the rules
below decide.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from svc_bus import REPO, name_has_owner
from svc_processes import Started, start, wait_until

POLICY = REPO / "polkit" / "io.netwright.policy"
EXAMPLE_RULES = REPO / "polkit" / "50-netwright-netdev.rules"

USER_ALLOWED = "nwtest-allowed"
USER_DENIED = "nwtest-denied"
USER_DEFAULT = "nwtest-default"
USER_PEER = "nwtest-peer"  # another user who may apply and check, but not destroy

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
