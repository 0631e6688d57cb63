"""The guest's initramfs: static busybox, the modules that reach the host's files, and /init.

Debian's kernel has virtio, 9p and overlayfs as modules, so before the guest can mount the host's
root over virtio-9p something must load them: a tiny initramfs with busybox, those modules in
dependency order (read from modules.dep, so a new kernel with new dependencies still works) and
``vm_guest_init.sh`` as /init. The archive is written here in the kernel's "newc" cpio format, so
no cpio tool is needed. Its file name carries a hash of everything it is built from: editing the
init script or changing busybox builds a new one on the next run.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from vm_errors import VmError
from vm_kernel import Kernel

# What the guest needs before it can switch to the host's files (dependencies are added).
BOOT_MODULES = ("virtio_pci", "virtio_mmio", "9pnet_virtio", "9p", "virtiofs", "overlay")
BUSYBOX_CANDIDATES = ("/bin/busybox", "/usr/bin/busybox")
GUEST_INIT = Path(__file__).with_name("vm_guest_init.sh")
CPIO_MAGIC = b"070701"
TRAILER = "TRAILER!!!"


@dataclass(frozen=True)
class CpioEntry:
    """One member of a newc archive: a directory, regular file or character device."""

    name: str  # relative path, no leading slash
    mode: int  # full st_mode (type bits included)
    data: bytes = b""
    rdev: tuple[int, int] = (0, 0)


def _pad4(length: int) -> bytes:
    return b"\0" * (-length % 4)


def cpio_newc(entries: Iterable[CpioEntry]) -> bytes:
    """An uncompressed newc ("070701") archive of ``entries``, as the kernel unpacks it."""
    out = bytearray()
    members = [*entries, CpioEntry(TRAILER, 0)]
    for inode, entry in enumerate(members, start=1):
        name = entry.name.encode() + b"\0"
        nlink = 2 if stat.S_ISDIR(entry.mode) else 1
        fields = (inode, entry.mode, 0, 0, nlink, 0, len(entry.data), 0, 0,
                  entry.rdev[0], entry.rdev[1], len(name), 0)
        header = CPIO_MAGIC + b"".join(b"%08X" % value for value in fields)
        out += header + name + _pad4(len(header) + len(name))
        out += entry.data + _pad4(len(entry.data))
    return bytes(out)


def find_busybox() -> Path:
    """The static busybox (Debian package busybox-static); a dynamic one cannot run as /init."""
    for candidate in BUSYBOX_CANDIDATES:
        path = Path(candidate)
        if path.is_file() and b"ld-linux" not in path.read_bytes()[:65536]:
            return path
    raise VmError("no static busybox found (looked at " + ", ".join(BUSYBOX_CANDIDATES) + "):"
                  " install busybox-static (tests/tools/install-deps.sh does)")


def read_modules_dep(modules_dir: Path) -> dict[str, list[str]]:
    """modules.dep as {relative .ko path: dependencies, nearest last as depmod writes them}."""
    dep_file = modules_dir / "modules.dep"
    deps: dict[str, list[str]] = {}
    for line in dep_file.read_text().splitlines():
        module, _, rest = line.partition(":")
        deps[module.strip()] = rest.split()
    return deps


def module_name(path: str) -> str:
    """``kernel/net/9p/9pnet_virtio.ko`` → ``9pnet_virtio`` (as modprobe spells it)."""
    base = path.rsplit("/", 1)[-1]
    return base.split(".ko", 1)[0].replace("-", "_")


def load_order(deps: dict[str, list[str]], wanted: Iterable[str]) -> list[str]:
    """Module paths to insmod, dependencies first, each once; built-in modules are absent."""
    by_name = {module_name(path): path for path in deps}
    order: list[str] = []
    for name in wanted:
        path = by_name.get(name.replace("-", "_"))
        if path is None:
            continue  # built into the kernel (modules.builtin), nothing to load
        for needed in [*reversed(deps[path]), path]:
            if needed not in order:
                order.append(needed)
    return order


def _entries(kernel: Kernel, busybox: Path, modules: list[str]) -> list[CpioEntry]:
    directory = stat.S_IFDIR | 0o755
    entries = [CpioEntry(d, directory) for d in
               ("bin", "dev", "proc", "sys", "modules", "lower", "rw", "newroot")]
    entries.append(CpioEntry("dev/console", stat.S_IFCHR | 0o600, rdev=(5, 1)))
    entries.append(CpioEntry("bin/busybox", stat.S_IFREG | 0o755, busybox.read_bytes()))
    init = GUEST_INIT.read_text()
    init = init.replace("@KERNEL_RELEASE@", kernel.release)
    init = init.replace("@MODULES_DIR@", str(kernel.modules_dir))
    init = init.replace("@BOOT_MODULES@", " ".join(module_name(m) for m in modules))
    entries.append(CpioEntry("init", stat.S_IFREG | 0o755, init.encode()))
    for module in modules:
        source = kernel.modules_dir / module
        if source.suffix != ".ko":
            raise VmError(f"{module} is compressed; busybox insmod loads only plain .ko files")
        entries.append(CpioEntry(f"modules/{module_name(module)}.ko", stat.S_IFREG | 0o644,
                                 source.read_bytes()))
    return entries


def prepare_initramfs(kernel: Kernel) -> Path:
    """The initramfs for ``kernel``, built into its cache entry unless an identical one exists."""
    busybox = find_busybox()
    modules = load_order(read_modules_dep(kernel.modules_dir), BOOT_MODULES)
    digest = hashlib.sha256()
    for part in (GUEST_INIT.read_bytes(), busybox.read_bytes(), "\n".join(modules).encode()):
        digest.update(hashlib.sha256(part).digest())
    target = kernel.root / f"initrd-{digest.hexdigest()[:16]}.img"
    if target.is_file():
        return target
    archive = cpio_newc(_entries(kernel, busybox, modules))
    with tempfile.NamedTemporaryFile(dir=kernel.root, prefix=".initrd-", delete=False) as tmp:
        tmp.write(archive)
    os.replace(tmp.name, target)
    for old in kernel.root.glob("initrd-*.img"):
        if old != target:
            old.unlink(missing_ok=True)
    return target

