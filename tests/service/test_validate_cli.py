"""`netwright validate` asks a running netwrightd, whose helpers have the model loaded, and
gets the same problems it would find itself; with no netwrightd it reads the files itself."""

from __future__ import annotations

import json
import socket
import tempfile
import threading
from pathlib import Path

import pytest
from svc_cli import as_user
from svc_daemon import PYTHON
from svc_polkit import USER_ALLOWED, USER_DENIED

from netwright.backend.client.oneshot import SystemBackend
from netwright.backend.service.errors import BackendUnavailableError

SEED_FILE = Path(__file__).parent / "data" / "seed-macvlan.yaml"

#: the command, then whether this process loaded the model's validator (pydantic)
VALIDATE = """
import sys
from netwright.backend.cli.main import main
status = main(["validate", *sys.argv[1:]])
print("pydantic loaded:", "pydantic" in sys.modules, file=sys.stderr)
sys.exit(status)
"""


def validate(user: str, address: str, *argv: str):
    return as_user(user, [PYTHON, "-c", VALIDATE, *argv], address)


def test_the_running_daemon_reads_the_files_with_the_same_problems(running, system_bus) -> None:
    with tempfile.TemporaryDirectory() as directory:
        Path(directory).chmod(0o755)
        bad = Path(directory) / "bad.yaml"
        bad.write_text("netwright: 1\nname: t\ninterfaces:\n  br0: {kind: bridge, name: 'br/0'}\n")
        bad.chmod(0o644)
        files = [str(SEED_FILE), str(bad), f"{directory}/none.yaml"]
        remote = validate(USER_ALLOWED, system_bus, "--json", *files)
        here = validate(USER_ALLOWED, system_bus, "--json", "--here", *files)
        refused = validate(USER_DENIED, system_bus, *files)  # the test rules refuse inspect
    assert remote.returncode == here.returncode == 1, (remote, here)
    assert "pydantic loaded: False" in remote.stderr, remote.stderr
    assert "pydantic loaded: True" in here.stderr, here.stderr
    assert json.loads(remote.stdout) == json.loads(here.stdout)
    report = json.loads(remote.stdout)
    assert [entry["valid"] for entry in report] == [True, False, False]
    assert [p["code"] for p in report[0]["problems"]].count("parent-ip-unreachable") == 2
    assert report[1]["problems"][0]["line"] == 4 and report[1]["problems"][0]["file"] == str(bad)
    # a caller polkit refuses still gets every problem: the files are read here instead
    assert refused.returncode == 1 and "pydantic loaded: True" in refused.stderr, refused
    assert f"{bad}:4:29: error invalid-name: interface name 'br/0' contains '/'" in refused.stdout


def test_without_a_daemon_the_files_are_read_here(system_bus, users) -> None:
    """A bus without netwrightd on it (none is started for a validate): read here."""
    alone = validate(USER_ALLOWED, "unix:path=/nonexistent", str(SEED_FILE))
    assert alone.returncode == 0 and "pydantic loaded: True" in alone.stderr, alone
    assert alone.stdout.count("warning parent-ip-unreachable") == 2


def test_the_call_asks_the_bus_not_to_start_a_daemon() -> None:
    """The Validate call carries NO_AUTO_START; the bus's ServiceUnknown is 'unavailable'."""
    from dbus_fast._private.unmarshaller import Unmarshaller
    from dbus_fast.constants import MessageFlag, MessageType
    from dbus_fast.message import Message

    ours, bus_end = socket.socketpair()
    seen: list[Message] = []

    def bus() -> None:  # the bus's side of one call: read it, answer as dbus-daemon does
        call = Unmarshaller(None, bus_end, False).unmarshall()
        assert call is not None
        seen.append(call)
        reply = Message(message_type=MessageType.ERROR, reply_serial=call.serial,
                        error_name="org.freedesktop.DBus.Error.ServiceUnknown", signature="s",
                        body=["The name io.netwright.Backend1 was not provided"], serial=1)
        bus_end.sendall(reply._marshall(False))

    answering = threading.Thread(target=bus)
    answering.start()
    backend = SystemBackend(ours)
    with pytest.raises(BackendUnavailableError):
        SystemBackend.run(_validate(backend))
    answering.join(10)
    assert seen and seen[0].member == "Validate"
    assert seen[0].flags & MessageFlag.NO_AUTOSTART


async def _validate(backend: SystemBackend) -> int:
    return len(await backend.validate("netwright: 1\nname: t\n"))
