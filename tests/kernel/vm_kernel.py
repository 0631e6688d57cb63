"""Debian's stock kernel, fetched with apt and unpacked into a cache outside the repository.

This machine's kernel lacks ipvlan, dummy and 802.1q; Debian's stock kernel has them as
modules. The package is downloaded with ``apt-get download`` (never installed into /boot),
unpacked with ``dpkg-deb -x`` and given a ``modules.dep`` with ``depmod -b`` (the .deb ships
none). The package name moves with security updates (``linux-image-6.1.0-NN-amd64``), so it is
looked up through the ``linux-image-amd64`` meta package every time; a new version gets a new
cache entry, so an update rebuilds everything once and old entries are simply ignored.

Example::

    kernel = prepare_kernel(default_cache_dir())
    print(kernel.version, kernel.vmlinuz, kernel.modules_dir)
"""

from __future__ import annotations

import contextlib
import fcntl
import lzma
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from vm_errors import VmError

META_PACKAGE = "linux-image-amd64"
CACHE_ENV = "NETWRIGHT_VM_CACHE"
DEFAULT_CACHE = Path("/var/cache/netwright-test-kernel")
READY_MARK = "READY"
STALE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class KernelPackage:
    """A Debian kernel image package: its name and version."""

    name: str
    version: str

    @property
    def cache_key(self) -> str:
        """Directory name of this package's cache entry (``:`` of epochs made path-safe)."""
        return f"{self.name}_{self.version}".replace(":", "%3a")


@dataclass(frozen=True)
class Kernel:
    """An unpacked kernel: its release string, image and module tree (with modules.dep)."""

    package: KernelPackage
    root: Path  # the cache entry: the .deb unpacked here
    release: str  # `uname -r` inside the guest, e.g. 6.1.0-56-amd64

    @property
    def vmlinuz(self) -> Path:
        return self.root / "boot" / f"vmlinuz-{self.release}"

    @property
    def modules_dir(self) -> Path:
        return self.root / "lib" / "modules" / self.release

    @property
    def config(self) -> Path:
        return self.root / "boot" / f"config-{self.release}"

    @property
    def vmlinux(self) -> Path:
        """The uncompressed ELF image (see ``boot_image``)."""
        return self.root / "boot" / f"vmlinux-{self.release}"


def default_cache_dir() -> Path:
    """Where kernels and initramfs images are kept between runs ($NETWRIGHT_VM_CACHE wins)."""
    return Path(os.environ.get(CACHE_ENV) or DEFAULT_CACHE)


def _run(argv: list[str], cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise VmError(f"{argv[0]} is not installed; run tests/tools/install-deps.sh as root"
                      " (it installs apt, dpkg, kmod, qemu-system-x86 and busybox-static)") from exc


def parse_meta_depends(text: str) -> KernelPackage | None:
    """The image package (and its pinned version) of ``apt-cache show linux-image-amd64``.

    The meta package depends on exactly one image: ``Depends: linux-image-6.1.0-56-amd64
    (= 6.1.192-2)``; without the ``(= …)`` the version is left empty for ``lookup_package``.
    """
    match = re.search(r"^Depends:\s*([^\s,(]+)(?:\s*\(=\s*([^)\s]+)\))?", text, re.MULTILINE)
    if not match:
        return None
    return KernelPackage(match.group(1), match.group(2) or "")


def parse_candidate(text: str) -> str | None:
    """The ``Candidate:`` version of ``apt-cache policy`` output; None when apt has none."""
    match = re.search(r"^\s*Candidate:\s*(\S+)", text, re.MULTILINE)
    if not match or match.group(1) == "(none)":
        return None
    return match.group(1)


def lookup_package() -> KernelPackage | None:
    """The kernel package apt would install now, or None when apt cannot say (no lists)."""
    show = _run(["apt-cache", "show", "--no-all-versions", META_PACKAGE])
    package = parse_meta_depends(show.stdout) if show.returncode == 0 else None
    if package is None or package.version:
        return package
    policy = _run(["apt-cache", "policy", package.name])
    version = parse_candidate(policy.stdout) if policy.returncode == 0 else None
    return KernelPackage(package.name, version) if version else None


def _cached_entries(cache: Path) -> list[Path]:
    if not cache.is_dir():
        return []
    ready = [entry for entry in cache.iterdir() if (entry / READY_MARK).is_file()]
    return sorted(ready, key=lambda entry: (entry / READY_MARK).stat().st_mtime)


def _load_entry(entry: Path) -> Kernel:
    name, _, version = entry.name.partition("_")
    release = (entry / READY_MARK).read_text().strip()
    return Kernel(KernelPackage(name, version.replace("%3a", ":")), entry, release)


@contextlib.contextmanager
def cache_lock(cache: Path) -> Iterator[None]:
    """Serialise preparation: two test runs at once must not unpack into the same entry."""
    try:
        cache.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise VmError(f"cannot create the kernel cache {cache}: {exc.strerror}; run as root or"
                      f" set {CACHE_ENV} to a writable directory") from exc
    with open(cache / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield


def _download(package: KernelPackage, workdir: Path) -> Path:
    result = _run(["apt-get", "download", f"{package.name}={package.version}"], cwd=workdir)
    debs = sorted(workdir.glob("*.deb"))
    if result.returncode != 0 or not debs:
        raise VmError(f"apt-get download {package.name}={package.version} failed:"
                      f" {result.stderr.strip() or result.stdout.strip()}\n"
                      "If the package moved with a security update, run `apt-get update`.")
    return debs[0]


def _unpack(deb: Path, target: Path) -> str:
    """Unpack ``deb`` into ``target``, write modules.dep, return the kernel release."""
    result = _run(["dpkg-deb", "-x", str(deb), str(target)])
    if result.returncode != 0:
        raise VmError(f"dpkg-deb -x {deb.name} failed: {result.stderr.strip()}")
    releases = [p.name for p in (target / "lib" / "modules").glob("*") if p.is_dir()]
    if len(releases) != 1 or not (target / "boot" / f"vmlinuz-{releases[0]}").is_file():
        raise VmError(f"{deb.name} does not look like a kernel image package"
                      f" (module trees found: {releases or 'none'})")
    release = releases[0]
    result = _run(["depmod", "-b", str(target), release])
    if result.returncode != 0:
        raise VmError(f"depmod -b {target} {release} failed: {result.stderr.strip()}")
    return release


def _build_entry(cache: Path, package: KernelPackage) -> Kernel:
    print(f"run-in-vm: fetching {package.name} {package.version} into {cache}", file=sys.stderr)
    with tempfile.TemporaryDirectory(dir=cache, prefix=".download-") as tmp:
        workdir = Path(tmp)
        os.chmod(workdir, 0o755)  # lets apt's _apt user write the download, if it may
        deb = _download(package, workdir)
        unpacked = workdir / "root"
        release = _unpack(deb, unpacked)
        (unpacked / READY_MARK).write_text(release + "\n")
        entry = cache / package.cache_key
        if entry.exists():
            shutil.rmtree(entry)
        unpacked.rename(entry)
    _prune(cache, keep=entry)
    return Kernel(package, entry, release)


def _prune(cache: Path, keep: Path) -> None:
    """Remove other kernels (~470 MB each) not used for a day: a run that started on one just
    before the update may still be reading its modules, hence the grace period."""
    cutoff = time.time() - STALE_SECONDS
    for entry in _cached_entries(cache):
        if entry != keep and (entry / READY_MARK).stat().st_mtime < cutoff:
            print(f"run-in-vm: removing the superseded {entry.name}", file=sys.stderr)
            shutil.rmtree(entry, ignore_errors=True)


def prepare_kernel(cache: Path) -> Kernel:
    """The current Debian stock kernel, unpacked in ``cache`` (fetched the first time).

    When apt cannot name the current package (no package lists, offline), the newest kernel
    already in the cache is used with a note; with an empty cache that is an error.
    """
    with cache_lock(cache):
        package = lookup_package()
        if package is None:
            entries = _cached_entries(cache)
            if not entries:
                raise VmError(f"apt cannot name the package behind {META_PACKAGE} and {cache}"
                              " holds no kernel yet: run `apt-get update` (as root) and retry")
            kernel = _load_entry(entries[-1])
            print(f"run-in-vm: apt cannot say which kernel is current; using the cached"
                  f" {kernel.package.name} {kernel.package.version}", file=sys.stderr)
            return kernel
        entry = cache / package.cache_key
        if (entry / READY_MARK).is_file():
            os.utime(entry / READY_MARK)  # "last used", for _prune
            return _load_entry(entry)
        try:
            return _build_entry(cache, package)
        except VmError as exc:
            entries = _cached_entries(cache)
            if not entries:
                raise
            kernel = _load_entry(entries[-1])
            print(f"run-in-vm: {exc}\nrun-in-vm: using the cached {kernel.package.name}"
                  f" {kernel.package.version} instead", file=sys.stderr)
            return kernel


XZ_MAGIC = b"\xfd7zXZ\x00"
GZIP_MAGIC = b"\x1f\x8b\x08"


def extract_vmlinux(bzimage: bytes) -> bytes | None:
    """The ELF kernel inside a bzImage compressed with xz or gzip; None for other formats."""
    for magic, decompress in ((XZ_MAGIC, _unxz), (GZIP_MAGIC, _gunzip)):
        start = bzimage.find(magic)
        if start < 0:
            continue
        image = decompress(bzimage[start:])
        if image and image.startswith(b"\x7fELF"):
            return image
    return None


def _unxz(data: bytes) -> bytes | None:
    try:
        return lzma.LZMADecompressor(format=lzma.FORMAT_XZ).decompress(data)
    except lzma.LZMAError:
        return None


def _gunzip(data: bytes) -> bytes | None:
    try:
        return zlib.decompressobj(wbits=31).decompress(data)  # stops at the stream's end
    except zlib.error:
        return None


def boot_image(kernel: Kernel) -> Path:
    """What QEMU should boot: the uncompressed vmlinux when the kernel supports PVH entry.

    Under TCG, decompressing the xz bzImage and the real-mode setup take ~3.5 s of a ~7 s boot;
    QEMU starts an ELF kernel with a PVH note directly, skipping both. Debian's kernel has
    CONFIG_PVH=y; a kernel without it (or in another compression) boots the bzImage as is.
    """
    if kernel.vmlinux.is_file():
        return kernel.vmlinux
    config = kernel.config.read_text() if kernel.config.is_file() else ""
    if "CONFIG_PVH=y" not in config.splitlines():
        return kernel.vmlinuz
    image = extract_vmlinux(kernel.vmlinuz.read_bytes())
    if image is None:
        return kernel.vmlinuz
    with tempfile.NamedTemporaryFile(dir=kernel.vmlinux.parent, delete=False) as tmp:
        tmp.write(image)
    os.replace(tmp.name, kernel.vmlinux)
    return kernel.vmlinux
