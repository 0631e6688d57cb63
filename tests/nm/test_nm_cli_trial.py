"""`netwright apply` on the host's own connection, as a person sees it: asked to keep the
change like `netplan try`, or told how to keep it when nobody can answer.

The command runs for real (``python -m netwright.backend.cli.main ... --local``) inside
NetworkManager's namespace, once on a pseudo-terminal that answers (or does not), once off a
terminal, then `netwright confirm`.
"""

from __future__ import annotations

import os
import select
import subprocess
import sys
import time
from pathlib import Path

from designs import netwright_profiles
from nm_harness import REPO, Harness

OLD, NEW = "192.0.2.10/24", "192.0.2.20/24"


def write_design(tmp_path: Path, address: str) -> Path:
    text = f"""netwright: 1
name: nme
interfaces:
  br0: {{kind: bridge, persist: true, addresses: [{address}]}}
"""
    design_file = tmp_path / f"{address.split('/', maxsplit=1)[0]}.yaml"
    design_file.write_text(text)
    return design_file


def netwright(harness: Harness, tmp_path: Path, *args: str) -> list[str]:
    return ["ip", "netns", "exec", harness.nm.netns, sys.executable, "-m",
            "netwright.backend.cli.main", *args, "--local", "--state-dir",
            str(tmp_path / "state")]


def run(harness: Harness, tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(netwright(harness, tmp_path, *args), capture_output=True, text=True,
                          env=harness.nm.env, cwd=REPO, timeout=60, check=False)


def on_a_terminal(harness: Harness, tmp_path: Path, answer: str | None,
                  *args: str) -> tuple[int, str]:
    """Run on a pseudo-terminal; type ``answer`` when asked to keep (None: say nothing),
    then Enter unless it ends with Ctrl+D."""
    controller, terminal = os.openpty()
    process = subprocess.Popen(netwright(harness, tmp_path, *args), stdin=terminal,
                               stdout=terminal, stderr=terminal, env=harness.nm.env, cwd=REPO)
    os.close(terminal)
    seen = b""
    deadline = time.monotonic() + 60
    try:
        while process.poll() is None and time.monotonic() < deadline:
            ready, _, _ = select.select([controller], [], [], 0.2)
            if not ready:
                continue
            try:
                seen += os.read(controller, 4096)
            except OSError:  # the terminal closed with the process
                break
            if answer is not None and b"Keep this configuration?" in seen:
                os.write(controller, answer.encode() + (b"" if answer.endswith("\x04")
                                                        else b"\n"))
                answer = None
        return process.wait(30), seen.decode(errors="replace")
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        os.close(controller)


def deploy_on_the_uplink(harness: Harness, tmp_path: Path) -> None:
    assert run(harness, tmp_path, "apply", "--yes", str(write_design(tmp_path, OLD))
               ).returncode == 0
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == [OLD], "br0 up")
    harness.nm.ip("route", "add", "default", "via", "192.0.2.1", "dev", "br0")


def test_answering_yes_keeps_and_no_answer_restores(harness: Harness, tmp_path: Path) -> None:
    deploy_on_the_uplink(harness, tmp_path)
    changed = str(write_design(tmp_path, NEW))
    code, seen = on_a_terminal(harness, tmp_path, None, "apply", "--yes",
                               "--confirm-seconds", "5", changed)
    assert "default route" in seen
    assert "no answer in time" in seen and "restored the previous configuration" in seen
    assert code == 1
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == [OLD], "restored")

    harness.nm.ip("route", "replace", "default", "via", "192.0.2.1", "dev", "br0")
    code, seen = on_a_terminal(harness, tmp_path, "y", "apply", "--yes",
                               "--confirm-seconds", "10", changed)
    assert "kept the new configuration of nme" in seen, seen
    assert code == 0
    warned = [line for line in seen.splitlines() if line.startswith("WARNING: ")]
    assert warned and all("Confirm to go ahead" not in line for line in warned), warned
    assert harness.nm.addresses("br0") == [NEW]
    assert run(harness, tmp_path, "destroy", "nme").returncode == 0
    assert netwright_profiles(harness) == []


def test_off_a_terminal_it_says_how_to_keep(harness: Harness, tmp_path: Path) -> None:
    deploy_on_the_uplink(harness, tmp_path)
    applied = run(harness, tmp_path, "apply", "--yes", "--confirm-seconds", "30",
                  str(write_design(tmp_path, NEW)))
    assert applied.returncode == 0, applied.stderr
    state = tmp_path / "state"  # the suggestion carries the flags that chose the backend
    assert f"run 'netwright confirm --local --state-dir {state} nme' within" in applied.stderr
    status = run(harness, tmp_path, "status", "nme")
    assert "awaits confirmation" in status.stdout, status.stdout
    kept = run(harness, tmp_path, "confirm", "nme")
    assert kept.returncode == 0, kept.stderr
    assert "kept the new configuration of nme" in kept.stdout
    again = run(harness, tmp_path, "confirm", "nme")
    assert again.returncode == 1
    assert "no change awaiting confirmation" in again.stderr
    bad = run(harness, tmp_path, "apply", "--yes", "--confirm-seconds", "1",
              str(write_design(tmp_path, OLD)))
    assert "5 to 600 seconds" in bad.stderr
    assert harness.nm.addresses("br0") == [NEW]
    assert run(harness, tmp_path, "destroy", "nme").returncode == 0


def test_ctrl_d_at_the_question_restores_on_a_line_of_its_own(harness: Harness,
                                                               tmp_path: Path) -> None:
    deploy_on_the_uplink(harness, tmp_path)
    code, seen = on_a_terminal(harness, tmp_path, "\x04", "apply", "--yes",
                               "--confirm-seconds", "20", str(write_design(tmp_path, NEW)))
    assert code == 1
    asked = next(line for line in seen.splitlines() if "Keep this configuration?" in line)
    assert "restored" not in asked, seen
    assert "restored the previous configuration of nme" in seen
    harness.nm.wait_for(lambda: harness.nm.addresses("br0") == [OLD], "restored")


def test_a_runtime_host_link_keeps_its_addresses(harness: Harness, tmp_path: Path) -> None:
    """NetworkManager takes a new veth at once (no udev to wait for) and deletes what it
    finds on it while "preparing" it, the apply's address included, until it is marked
    unmanaged: the apply (the command, as a person runs it) ends with the address there."""
    design_file = tmp_path / "veth.yaml"
    pairs = range(3)  # it is a race: each address is one more chance to lose it
    design_file.write_text("netwright: 1\nname: nmv\ninterfaces:\n" + "".join(
        f"  wh{i}: {{kind: veth, peer: wn{i}, addresses: [10.78.{i}.1/24]}}\n"
        f"  wn{i}: {{kind: veth, peer: wh{i}, addresses: [10.79.{i}.2/24]}}\n" for i in pairs))
    assert run(harness, tmp_path, "apply", "--yes", str(design_file)).returncode == 0
    for i in pairs:
        assert harness.nm.addresses(f"wh{i}") == [f"10.78.{i}.1/24"]
        assert harness.nm.addresses(f"wn{i}") == [f"10.79.{i}.2/24"]
        assert harness.nm.device_state(f"wn{i}") == "unmanaged"
    status = run(harness, tmp_path, "status", "nmv")
    assert status.returncode == 0, status.stdout
    assert run(harness, tmp_path, "destroy", "nmv").returncode == 0
