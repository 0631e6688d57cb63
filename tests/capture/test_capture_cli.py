"""`netwright capture … -w FILE` refused before it starts leaves FILE as it was: a typo in the
interface used to truncate the previous capture to nothing (and leave an empty file where
there was none). A FILE that holds data is replaced only with --force, once the capture
starts."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from netwright.backend.capture.output import CaptureFileExistsError, CaptureOutput
from netwright.backend.cli.main import main
from netwright.backend.engine import Engine, Target
from netwright.backend.topology import parse_topology
from tests.checks.test_lab_outside_default import VETH
from tests.tools.pcap_reader import frames

PCAPNG_MAGIC = b"\x0a\x0d\x0d\x0a"


def capture(state: str, interface: str, out: Path, *more: str) -> int:
    return main(["capture", "pair", interface, "-w", str(out), "--seconds", "0.2",
                 "--local", "--state-dir", state, *more])


def test_a_refused_capture_keeps_the_previous_file(
        state: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "earlier.pcapng"
    out.write_bytes(b"the capture of yesterday")
    assert capture(state, "vx", out, "--force") == 1
    assert "has no interface 'vx'" in capsys.readouterr().err
    assert out.read_bytes() == b"the capture of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.pcapng", "state"]


def test_a_refused_capture_creates_no_file(state: str, tmp_path: Path) -> None:
    assert capture(state, "vx", tmp_path / "new.pcapng") == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["state"]


def test_a_file_that_holds_data_is_kept_without_force(
        state: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`capture -w FILE` replaced an earlier capture silently, with a shorter one or none
    (Ctrl+C at once): no user file is overwritten with less. An empty FILE holds nothing to
    lose, so it is written as before."""
    out = tmp_path / "earlier.pcapng"
    out.write_bytes(b"the capture of yesterday")
    assert capture(state, "va", out) == 1
    assert capsys.readouterr().err == (
        f"netwright: {out} already holds 24 bytes (an earlier capture?): nothing was"
        " captured; write to another file, or add --force to replace it once the capture"
        " starts\n")
    assert out.read_bytes() == b"the capture of yesterday"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.pcapng", "state"]
    for size, held in ((3200, "3,200 bytes"), (1, "1 byte")):  # counted's words
        out.write_bytes(b"x" * size)
        assert capture(state, "va", out) == 1
        assert capsys.readouterr().err.startswith(f"netwright: {out} already holds {held} ("), \
            held
    empty = tmp_path / "empty.pcapng"
    empty.touch()
    assert capture(state, "va", empty) == 0
    assert empty.read_bytes().startswith(PCAPNG_MAGIC)


def test_a_capture_that_runs_with_force_replaces_the_file(state: str, tmp_path: Path) -> None:
    out = tmp_path / "earlier.pcapng"
    out.write_bytes(b"the capture of yesterday")
    assert capture(state, "va", out, "--force") == 0
    assert out.read_bytes().startswith(PCAPNG_MAGIC)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["earlier.pcapng", "state"]


def test_ctrl_c_at_the_terminal_counts_what_the_file_holds(state: str, tmp_path: Path) -> None:
    """Ctrl+C reaches the terminal's whole foreground group: the command and the helper that
    writes FILE. The closing line once said "0 packets captured" with the packets in FILE
    (a Thread.join interrupted by Ctrl+C returns at once the next time), and a helper ended by
    the same Ctrl+C would lose what was still on its way to FILE."""
    out = tmp_path / "interrupted.pcapng"
    command = subprocess.Popen(
        [sys.executable, "-m", "netwright.backend.cli.main", "capture", "pair", "va", "-w",
         str(out), "--local", "--state-dir", state],
        stderr=subprocess.PIPE, text=True, start_new_session=True)
    try:
        assert command.stderr is not None
        # the interface once read "va (va in a)"
        assert command.stderr.readline() == "netwright: capturing on va in namespace a;" \
            " Ctrl+C stops\n"
        pings = subprocess.run(["ip", "netns", "exec", "a", "ping", "-c", "5", "-i", "0.05",
                                "10.9.0.2"], capture_output=True, check=False)
        assert pings.returncode == 0, pings.stdout
        os.killpg(command.pid, signal.SIGINT)  # as the terminal sends Ctrl+C
        err = command.stderr.read()
        assert command.wait(timeout=30) == 0, err
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    written = len(frames(out))
    assert written >= 10  # the echoes and their replies
    assert f"{written} packets captured (stopped)" in err, err


def test_timeout_ends_the_capture_as_ctrl_c_does(state: str, tmp_path: Path) -> None:
    """`timeout 6 netwright capture …` (how tcpdump is usually bounded) sends SIGTERM, which
    ended Python at once: no closing count, exit 143 (124 from timeout). tcpdump stops on
    SIGTERM as on Ctrl+C; so does the command: FILE holds what was captured, the count is
    said, and the status is Ctrl+C's (0), which `timeout --preserve-status` passes on."""
    out = tmp_path / "bounded.pcapng"
    command = subprocess.Popen(
        ["timeout", "--preserve-status", "6", sys.executable, "-m",
         "netwright.backend.cli.main", "capture", "pair", "va", "-w", str(out), "--local",
         "--state-dir", state], stderr=subprocess.PIPE, text=True)
    try:
        assert command.stderr is not None
        assert command.stderr.readline().startswith("netwright: capturing on va")
        pings = subprocess.run(["ip", "netns", "exec", "a", "ping", "-c", "5", "-i", "0.05",
                                "10.9.0.2"], capture_output=True, check=False)
        assert pings.returncode == 0, pings.stdout
        err = command.stderr.read()
        assert command.wait(timeout=30) == 0, err
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    written = len(frames(out))
    assert written >= 10  # the echoes and their replies
    assert err == f"netwright: {written} packets captured (stopped)\n", err


def test_a_second_sigterm_does_not_cut_the_stop_short(state: str, tmp_path: Path) -> None:
    """`timeout` sends SIGTERM twice at once: to the command, then to its own process group.
    The second, taken as a second Ctrl+C, interrupted the stop the first had begun: CI saw
    "netwright: interrupted" and 130 from `timeout --preserve-status 6 netwright capture`.
    Here the two come 50 ms apart: the second finds the stop under way, or over."""
    out = tmp_path / "twice.pcapng"
    command = subprocess.Popen(
        [sys.executable, "-m", "netwright.backend.cli.main", "capture", "pair", "va", "-w",
         str(out), "--local", "--state-dir", state], stderr=subprocess.PIPE, text=True)
    try:
        assert command.stderr is not None
        assert command.stderr.readline().startswith("netwright: capturing on va")
        pings = subprocess.run(["ip", "netns", "exec", "a", "ping", "-c", "3", "-i", "0.05",
                                "10.9.0.2"], capture_output=True, check=False)
        assert pings.returncode == 0, pings.stdout
        command.send_signal(signal.SIGTERM)
        time.sleep(0.05)
        command.send_signal(signal.SIGTERM)
        err = command.stderr.read()
        assert command.wait(timeout=30) == 0, err
    finally:
        if command.poll() is None:
            command.kill()
            command.wait()
    assert err == f"netwright: {len(frames(out))} packets captured (stopped)\n", err


def test_the_design_file_names_the_topology_as_for_measure(state: str, tmp_path: Path) -> None:
    """`netwright apply pair.yaml`, then `capture pair.yaml …`: it said "topology pair.yaml is
    not deployed on this machine"."""
    design = tmp_path / "pair.yaml"
    design.write_text(VETH)
    out = tmp_path / "by-file.pcapng"
    assert main(["capture", str(design), "va", "-w", str(out), "--seconds", "0.2", "--local",
                 "--state-dir", state]) == 0
    assert out.read_bytes().startswith(PCAPNG_MAGIC)


def test_the_designers_output_replaces_a_file_its_save_dialog_confirmed(tmp_path: Path) -> None:
    """The designer opens FILE as CaptureOutput(path) after QFileDialog asked "replace?":
    the CLI's keeping of files with data must not refuse it there."""
    out = tmp_path / "confirmed.pcapng"
    out.write_bytes(b"the capture of yesterday")
    output = CaptureOutput(str(out))
    try:
        os.write(output.fd, PCAPNG_MAGIC)
        output.started()
    finally:
        output.close()
    assert out.read_bytes() == PCAPNG_MAGIC


def test_a_file_made_while_the_capture_starts_is_not_overwritten(tmp_path: Path) -> None:
    """`capture -w FILE` (no --force) looked for FILE when it began and renamed its own file
    over FILE once the backend had started the capture, which waits for D-Bus, polkit and
    maybe a password: a FILE another program wrote meanwhile was overwritten. The last step
    now takes FILE's place only where nothing is."""
    out = tmp_path / "race.pcapng"
    output = CaptureOutput(str(out), keep_existing=True)
    try:
        out.write_bytes(b"written meanwhile by another program")
        os.write(output.fd, PCAPNG_MAGIC)
        with pytest.raises(CaptureFileExistsError) as refused:
            output.started()
    finally:
        output.close()
    assert (refused.value.meanwhile, refused.value.size) == (True, 36)
    assert out.read_bytes() == b"written meanwhile by another program"
    assert [p.name for p in tmp_path.iterdir()] == ["race.pcapng"]  # ours removed
    fresh = tmp_path / "fresh.pcapng"
    output = CaptureOutput(str(fresh), keep_existing=True)
    try:
        os.write(output.fd, PCAPNG_MAGIC)
        output.started()
    finally:
        output.close()
    assert fresh.read_bytes() == PCAPNG_MAGIC
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fresh.pcapng", "race.pcapng"]


def test_the_command_keeps_a_file_made_while_its_capture_starts(
        state: str, tmp_path: Path) -> None:
    """The same race through `netwright capture`: another program writes FILE the moment
    the command has opened its own file beside it (the filter's compilation by tcpdump
    keeps the capture starting meanwhile). The command says so and ends; FILE keeps what the
    other program wrote. A try where the capture was quicker than this test is made again."""
    for _attempt in range(5):
        out = tmp_path / "race.pcapng"
        out.unlink(missing_ok=True)
        command = subprocess.Popen(
            [sys.executable, "-m", "netwright.backend.cli.main", "capture", "pair", "va", "-w",
             str(out), "--seconds", "0.2", "--filter", "icmp", "--local", "--state-dir",
             state], stderr=subprocess.PIPE, text=True)
        try:
            while command.poll() is None and not any(
                    p.name.endswith(".part") for p in tmp_path.iterdir()):
                pass
            try:
                made = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            except FileExistsError:  # the capture had started already
                continue
            os.write(made, b"the other program's")
            os.close(made)
            _out, err = command.communicate(timeout=30)
        finally:
            if command.poll() is None:
                command.kill()
            command.communicate()
        assert command.returncode == 1, err
        assert err == (
            f"netwright: {out} appeared while the capture was starting (another program made"
            " it; it holds 19 bytes): it was left as it is and the capture was stopped; write"
            " to another file, or add --force to replace it once the capture starts\n")
        assert out.read_bytes() == b"the other program's"
        assert sorted(p.name for p in tmp_path.iterdir()) == ["race.pcapng", "state"]
        return
    pytest.fail("the capture started before this test could write FILE, five times")


NAMED_ETH0 = """
netwright: 1
name: named
namespaces: {na: {}, nb: {}}
interfaces:
  ka: {kind: veth, name: eth0, namespace: na, peer: kb, addresses: [10.9.0.1/24]}
  kb: {kind: veth, namespace: nb, peer: ka, addresses: [10.9.0.2/24]}
"""


def test_a_namespace_or_a_kernel_name_is_told_what_to_name(
        state: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`capture pair a` names namespace a, and a kernel name shared by keyed interfaces
    (docker-bridge's eth0 of c1-eth0 and c2-eth0) is not a key: each says what to give."""
    out = tmp_path / "a.pcapng"
    assert capture(state, "a", out) == 1
    assert ("topology pair has no interface 'a' (a is a namespace: name one of its"
            " interfaces, va); it has: va, vb") in capsys.readouterr().err
    assert not out.exists()
    engine = Engine(Path(state), Target.host())
    asyncio.run(engine.apply(parse_topology(NAMED_ETH0)))
    try:
        assert main(["capture", "named", "eth0", "-w", str(out), "--seconds", "0.2",
                     "--local", "--state-dir", state]) == 1
        assert ("topology named has no interface 'eth0' (eth0 is the kernel name of ka: name"
                " the interface by its key in the file)") in capsys.readouterr().err
    finally:
        asyncio.run(engine.destroy("named"))
