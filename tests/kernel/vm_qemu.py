"""Boot the stock kernel under QEMU, run one command inside, return its exit code.

The guest sees the host's / read-only (over virtio-9p, under a tmpfs overlay) and the shared
directories (the project tree) read-write at the same paths, so the project's venv runs as is
and whatever the command writes there (pytest output, junit files) comes back. The guest has
no network card: nothing it does can leave the machine. Per run, a private directory holds what
the host tells the guest (``guest.env``, ``command.sh``) and what the guest tells the host
(``rc``, ``init-error``) plus the kernel console log, shown when the guest fails to run the
command. The command's output streams live over the guest's second serial port.

KVM does not work on these machines (the host kernel is itself a special guest), so the
default accelerator is TCG (software emulation: ~7 s to boot, Python ~10-20x slower).
"""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

import vm_virtiofs
from vm_errors import EXIT_VM_TIMEOUT, VmError

QEMU = "qemu-system-x86_64"
GUEST_RUN_DIR = "/run/netwright-vm"  # where the guest mounts the run directory
# Loaded before the command runs: the kinds the kernel tier exists for, plus their neighbours.
PRELOAD_MODULES = ("ipvlan", "macvlan", "dummy", "8021q", "veth", "bridge", "vxlan")
# Environment variables carried into the guest (its environment starts empty).
PASSED_ENV = ("PATH", "LANG", "LC_ALL", "TERM", "PYTEST_ADDOPTS", "PYTHONDONTWRITEBYTECODE")
PASSED_ENV_PREFIXES = ("NETWRIGHT_",)
CONSOLE_TAIL_LINES = 40


@dataclass(frozen=True)
class VmConfig:
    """How to start the VM; defaults are what was measured to work on these machines."""

    kernel_image: Path  # a bzImage, or an ELF vmlinux with a PVH entry (boots faster)
    initrd: Path
    shares: tuple[Path, ...]  # directories shared read-write at the same path
    memory: str = "1024M"
    cpus: int = 2
    accel: str = "tcg"
    timeout: float = 1800.0
    boot_timeout: float = 180.0  # ~5-15 s is normal under TCG, even on a loaded host
    extra_env: dict[str, str] = field(default_factory=dict)
    virtiofsd: str | None = None  # serve / and the shares with virtiofs (else 9p: slower)


def guest_environment(extra: dict[str, str]) -> dict[str, str]:
    """The guest command's environment: a few of ours, HOME=/root, markers, then ``extra``."""
    env = {key: value for key, value in os.environ.items()
           if key in PASSED_ENV or key.startswith(PASSED_ENV_PREFIXES)}
    env.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    env.setdefault("LANG", "C.UTF-8")
    env["HOME"] = "/root"
    if not sys.stdout.isatty():  # the guest's output is a serial tty: no colours into a log
        env.update(TERM="dumb", NO_COLOR="1", PY_COLORS="0")
    env["NETWRIGHT_IN_VM"] = "1"
    # tests/conftest.py refuses root runs outside a test namespace; the guest has no NIC at all
    env["NETWRIGHT_TEST_ISOLATED"] = "vm"
    env.update(extra)
    return env


def command_script(argv: Sequence[str], cwd: Path, env: dict[str, str]) -> str:
    """The shell script the guest runs: environment, working directory, then exec argv."""
    lines = ["#!/bin/sh", "# written by tests/kernel/run-in-vm for one run", "set -u"]
    lines += [f"export {key}={shlex.quote(value)}" for key, value in sorted(env.items())]
    lines.append(f"cd {shlex.quote(str(cwd))} || exit 125")
    lines.append("exec " + " ".join(shlex.quote(arg) for arg in argv))
    return "\n".join(lines) + "\n"


def guest_env_file(shares: Sequence[Path], filesystem: str = "9p") -> str:
    """What /init reads: the file system, the shares (tag=path), the modules to load first."""
    pairs = " ".join(f"share{index}={path}" for index, path in enumerate(shares))
    return (f"FS={filesystem}\n"
            f"SHARES={shlex.quote(pairs)}\n"
            f"PRELOAD_MODULES={shlex.quote(' '.join(PRELOAD_MODULES))}\n")


def qemu_argv(config: VmConfig, run_dir: Path) -> list[str]:
    """The QEMU command line: no NIC, no display, console to a file, output to our stdout."""
    argv = [
        QEMU, "-accel", config.accel, "-M", "pc", "-cpu", "max", "-smp", str(config.cpus),
        "-m", config.memory, "-nodefaults", "-no-user-config", "-display", "none",
        "-no-reboot",
        "-chardev", f"file,id=console,path={run_dir / 'console.log'}",
        "-serial", "chardev:console",
        "-chardev", "stdio,id=output,signal=off",
        "-serial", "chardev:output",
        "-fsdev", f"local,id=run,path={run_dir},security_model=none",
        "-device", "virtio-9p-pci,fsdev=run,mount_tag=run",
    ]
    tags = ["hostroot", *(f"share{index}" for index in range(len(config.shares)))]
    if config.virtiofsd:
        argv += ["-object", f"memory-backend-memfd,id=mem,size={config.memory},share=on",
                 "-numa", "node,memdev=mem"]
        for tag in tags:
            argv += ["-chardev", f"socket,id={tag},path={run_dir / (tag + '.sock')}",
                     "-device", f"vhost-user-fs-pci,chardev={tag},tag={tag}"]
    else:
        for tag, path in zip(tags, [Path("/"), *config.shares], strict=True):
            readonly = ",readonly=on" if tag == "hostroot" else ""
            argv += ["-fsdev", f"local,id={tag},path={path},security_model=none,"
                     f"multidevs=remap{readonly}",
                     "-device", f"virtio-9p-pci,fsdev={tag},mount_tag={tag}"]
    argv += ["-kernel", str(config.kernel_image), "-initrd", str(config.initrd),
             "-append", "console=ttyS0 quiet loglevel=4 panic=-1 rdinit=/init"]
    return argv


def _relay(stream: object, sink: object) -> None:
    """Copy the guest's output to ours as it comes, so a long test run shows progress."""
    read = stream.read1  # type: ignore[attr-defined]
    while chunk := read(65536):
        sink.write(chunk)  # type: ignore[attr-defined]
        sink.flush()  # type: ignore[attr-defined]


def _console_tail(run_dir: Path) -> str:
    log = run_dir / "console.log"
    if not log.is_file():
        return "(no console output)"
    lines = log.read_text(errors="replace").replace("\r", "").splitlines()
    return "\n".join(lines[-CONSOLE_TAIL_LINES:]) or "(no console output)"


def _start(argv: list[str]) -> subprocess.Popen[bytes]:
    if shutil.which(QEMU) is None:
        raise VmError(f"{QEMU} is not installed: install qemu-system-x86"
                      " (tests/tools/install-deps.sh does)")
    try:
        return subprocess.Popen(argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE)
    except OSError as exc:
        raise VmError(f"cannot start {QEMU}: {exc}") from exc


def _wait(process: subprocess.Popen[bytes], config: VmConfig,
          run_dir: Path) -> VmError | None:
    """Wait for QEMU to exit; None when it did, else why it was killed (our child, by PID).

    A guest that never reaches the command (a hung boot, e.g. with an accelerator that does
    not work on this host) is stopped after ``boot_timeout`` rather than the whole timeout.
    """
    started = time.monotonic()
    while True:
        try:
            process.wait(timeout=0.5)
            return None
        except subprocess.TimeoutExpired:
            pass
        elapsed = time.monotonic() - started
        booted = (run_dir / "started").exists()
        if not booted and elapsed > config.boot_timeout:
            error = VmError(f"the guest did not reach the command within"
                            f" {config.boot_timeout:.0f} s (accelerator {config.accel}; only tcg"
                            " is known to work on these hosts)")
        elif elapsed > config.timeout:
            error = VmError(f"the command was still running after {config.timeout:.0f} s",
                            EXIT_VM_TIMEOUT)
        else:
            continue
        process.kill()
        process.wait()
        return error


def run_in_vm(config: VmConfig, argv: Sequence[str], cwd: Path) -> int:
    """Run ``argv`` in ``cwd`` inside the VM and return its exit code.

    Raises VmError when QEMU cannot start, the guest cannot run the command, or it runs out
    of time: a VM that did not run the tests must never look like tests that passed.
    """
    with tempfile.TemporaryDirectory(prefix="netwright-vm-") as tmp:
        run_dir = Path(tmp)
        filesystem = "virtiofs" if config.virtiofsd else "9p"
        (run_dir / "guest.env").write_text(guest_env_file(config.shares, filesystem))
        script = command_script(argv, cwd, guest_environment(config.extra_env))
        (run_dir / "command.sh").write_text(script)
        started = time.monotonic()
        servers = _start_file_servers(config, run_dir)
        try:
            return _boot(config, run_dir, started)
        finally:
            for server in servers:
                vm_virtiofs.stop(server)


def _start_file_servers(config: VmConfig, run_dir: Path) -> list[subprocess.Popen[bytes]]:
    if not config.virtiofsd:
        return []
    servers: list[subprocess.Popen[bytes]] = []
    try:
        for tag, path in zip(["hostroot", *(f"share{i}" for i in range(len(config.shares)))],
                             [Path("/"), *config.shares], strict=True):
            servers.append(vm_virtiofs.start_virtiofsd(
                config.virtiofsd, path, run_dir / f"{tag}.sock", readonly=tag == "hostroot",
                log=run_dir / f"{tag}.log"))
    except BaseException:
        for server in servers:
            vm_virtiofs.stop(server)
        raise
    return servers


def _boot(config: VmConfig, run_dir: Path, started: float) -> int:
    """Start QEMU, stream the command's output, and turn what came back into an exit code."""
    process = _start(qemu_argv(config, run_dir))
    relay = threading.Thread(target=_relay, args=(process.stdout, sys.stdout.buffer),
                             daemon=True)
    relay.start()
    stopped = _wait(process, config, run_dir)
    relay.join(timeout=5)
    stderr = process.stderr.read().decode(errors="replace").strip() if process.stderr else ""
    elapsed = time.monotonic() - started
    if stopped:
        raise VmError(f"{stopped}; the VM was stopped. Last console lines:\n"
                      f"{_console_tail(run_dir)}", stopped.exit_code)
    rc_file = run_dir / "rc"
    if rc_file.is_file():
        print(f"run-in-vm: guest finished in {elapsed:.1f} s", file=sys.stderr)
        return int(rc_file.read_text().strip())
    if process.returncode != 0:
        raise VmError(f"{QEMU} failed (exit code {process.returncode}) after"
                      f" {elapsed:.1f} s: {stderr or 'no message'}")
    init_error = run_dir / "init-error"
    reason = (init_error.read_text().strip() if init_error.is_file()
              else "no exit code came back")
    said = f"\n{QEMU} said: {stderr}" if stderr else ""
    raise VmError(f"the VM did not run the command ({reason}).{said}\nLast console lines:\n"
                  f"{_console_tail(run_dir)}")
