"""The VM tooling's pure parts, on the host: archive format, module order, apt parsing, scripts.

Booting the VM itself is exercised by the kernel tier (tests/kernel/run-kernel-tier), which
fails loudly when the VM does not run; these tests keep the pieces honest without a boot.
"""

from __future__ import annotations

import gzip
import lzma
import shutil
import stat
import subprocess
from pathlib import Path

import pytest
from vm_errors import EXIT_VM_FAILED, VmError
from vm_initramfs import CpioEntry, cpio_newc, load_order, module_name
from vm_kernel import KernelPackage, extract_vmlinux, parse_candidate, parse_meta_depends
from vm_qemu import VmConfig, command_script, guest_env_file, run_in_vm

BUSYBOX = shutil.which("busybox")


@pytest.mark.skipif(BUSYBOX is None, reason="busybox (busybox-static) is not installed")
def test_cpio_archive_unpacks_with_busybox_cpio(tmp_path: Path) -> None:
    archive = cpio_newc([
        CpioEntry("bin", stat.S_IFDIR | 0o755),
        CpioEntry("bin/tool", stat.S_IFREG | 0o755, b"#!/bin/sh\necho odd-length\n"),
        CpioEntry("data", stat.S_IFREG | 0o644, b"x" * 4097),
    ])
    (tmp_path / "a.cpio").write_bytes(archive)
    out = tmp_path / "out"
    out.mkdir()
    subprocess.run([str(BUSYBOX), "cpio", "-i", "-d", "-F", str(tmp_path / "a.cpio")],
                   cwd=out, check=True, capture_output=True)
    assert (out / "bin" / "tool").read_bytes() == b"#!/bin/sh\necho odd-length\n"
    assert (out / "bin" / "tool").stat().st_mode & 0o777 == 0o755
    assert (out / "data").read_bytes() == b"x" * 4097


def test_cpio_members_and_trailer_are_four_byte_aligned() -> None:
    archive = cpio_newc([CpioEntry("abc", stat.S_IFREG | 0o644, b"12345")])
    assert archive.startswith(b"070701")
    assert len(archive) % 4 == 0
    assert archive.index(b"070701", 6) % 4 == 0  # the trailer header starts aligned
    assert b"TRAILER!!!\0" in archive


def test_boot_modules_load_dependencies_first_each_once() -> None:
    deps = {
        "kernel/fs/9p/9p.ko": ["kernel/net/9p/9pnet.ko", "kernel/fs/fscache/fscache.ko",
                               "kernel/fs/netfs/netfs.ko"],
        "kernel/fs/fscache/fscache.ko": ["kernel/fs/netfs/netfs.ko"],
        "kernel/fs/netfs/netfs.ko": [],
        "kernel/net/9p/9pnet.ko": [],
        "kernel/net/9p/9pnet_virtio.ko": ["kernel/net/9p/9pnet.ko"],
    }
    order = [module_name(p) for p in load_order(deps, ["9pnet_virtio", "9p", "virtio_pci"])]
    assert order == ["9pnet", "9pnet_virtio", "netfs", "fscache", "9p"]  # virtio_pci: built in


def test_apt_output_names_the_image_package_and_version() -> None:
    show = "Package: linux-image-amd64\nDepends: linux-image-6.1.0-56-amd64 (= 6.1.192-2)\n"
    assert parse_meta_depends(show) == KernelPackage("linux-image-6.1.0-56-amd64", "6.1.192-2")
    assert parse_meta_depends("Depends: linux-image-6.1.0-9-amd64\n") == KernelPackage(
        "linux-image-6.1.0-9-amd64", "")
    assert parse_meta_depends("Package: x\n") is None
    assert parse_candidate("x:\n  Installed: (none)\n  Candidate: 6.1.192-2\n") == "6.1.192-2"
    assert parse_candidate("x:\n  Installed: (none)\n  Candidate: (none)\n") is None
    assert KernelPackage("linux-image-x", "1:2.3").cache_key == "linux-image-x_1%3a2.3"


@pytest.mark.parametrize("compress", [lzma.compress, gzip.compress])
def test_vmlinux_is_found_inside_a_compressed_image(compress: object) -> None:
    elf = b"\x7fELF" + bytes(range(256)) * 8
    image = b"MZ setup code" + compress(elf, **(  # type: ignore[operator]
        {"format": lzma.FORMAT_XZ} if compress is lzma.compress else {})) + b"trailing"
    assert extract_vmlinux(image) == elf
    assert extract_vmlinux(b"MZ no payload") is None


def test_command_script_runs_argv_verbatim_in_its_directory(tmp_path: Path) -> None:
    argv = ["sh", "-c", 'printf "%s|" "$0" "$@" "$GREETING"; pwd', "it's", "two words", "$HOME"]
    env = {"GREETING": "a 'quoted' value", "PATH": "/usr/bin:/bin"}
    script = command_script(argv, tmp_path, env)
    result = subprocess.run(["sh", str(_write(tmp_path / "c.sh", script))], capture_output=True,
                            text=True, check=True, env={})
    assert result.stdout == f"it's|two words|$HOME|a 'quoted' value|{tmp_path}\n"


def test_guest_env_names_each_share_by_its_tag() -> None:
    text = guest_env_file((Path("/work/main"), Path("/srv/x")))
    assert "SHARES='share0=/work/main share1=/srv/x'" in text
    assert "ipvlan" in text and "8021q" in text and "dummy" in text


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_a_vm_that_cannot_start_is_an_error_never_a_pass(tmp_path: Path) -> None:
    """Real QEMU, asked to boot a kernel that is not there: a VmError naming the cause."""
    missing = tmp_path / "no-such-kernel"
    config = VmConfig(kernel_image=missing, initrd=missing, shares=(), boot_timeout=60)
    with pytest.raises(VmError) as failed:
        run_in_vm(config, ["true"], tmp_path)
    assert failed.value.exit_code == EXIT_VM_FAILED
    assert "no-such-kernel" in str(failed.value) or "not installed" in str(failed.value)
