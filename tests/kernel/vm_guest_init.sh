#!/bin/busybox sh
# /init of the stock-kernel test VM (see vm_initramfs.py; @NAMES@ are filled in when it is built).
#
# 1. load virtio, 9p and overlay (modules in this kernel), 2. mount the host's / read-only over
# virtio-9p under a tmpfs overlay, so the guest sees the host's Python, venv and tools but writes
# nothing back, 3. mount the run directory and the project tree read-write at their host paths,
# 4. move that root onto / and run the command the host wrote into RUN/command.sh inside it (not
# chrooted: see below), with its output on the second serial port, 5. write its exit code to
# RUN/rc and power off. Messages of this script go to the first serial port (the kernel
# console), which the host keeps in RUN/console.log.
/bin/busybox --install -s /bin
export PATH=/bin

RUN=/run/netwright-vm
NEW=/newroot
NINEP="trans=virtio,version=9p2000.L,msize=262144"

say() { echo "vm-init: $*" >/dev/console; }
fail() {
    say "FAILED: $*"
    [ -d "$NEW$RUN" ] && echo "$*" >"$NEW$RUN/init-error" 2>/dev/null
    sync
    poweroff -f
}

mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

for module in @BOOT_MODULES@; do
    insmod "/modules/$module.ko" || fail "insmod $module"
done

mkdir -p /run-early
mount -t 9p -o "$NINEP,cache=none" run /run-early || fail "mount the run directory"
[ -f /run-early/guest.env ] || fail "the host wrote no guest.env"
. /run-early/guest.env
umount /run-early

# FS (from guest.env): virtiofs (fast, host-side virtiofsd) or 9p (QEMU alone)
share() {  # share TAG MOUNTPOINT [ro]
    if [ "$FS" = virtiofs ]; then
        mount -t virtiofs ${3:+-o ro} "$1" "$2"
    else
        mount -t 9p -o "$NINEP,cache=loose${3:+,ro}" "$1" "$2"
    fi
}
share hostroot /lower ro || fail "mount the host's / over $FS"
mount -t tmpfs -o mode=0755 upper /rw || fail "tmpfs for the overlay"
mkdir -p /rw/upper /rw/work
mount -t overlay -o lowerdir=/lower,upperdir=/rw/upper,workdir=/rw/work overlay "$NEW" \
    || fail "overlay of the host's /"

mount -t tmpfs -o mode=0755 run "$NEW/run" || fail "tmpfs /run"
mkdir -p "$NEW$RUN"
mount -t 9p -o "$NINEP,cache=none" run "$NEW$RUN" || fail "mount the run directory"

# SHARES is "tag=path ..." (written by the host): project trees, read-write at the same path.
for share in $SHARES; do
    tag=${share%%=*}
    path=${share#*=}
    mkdir -p "$NEW$path"
    share "$tag" "$NEW$path" || fail "mount $path"
done

# modprobe (ipvlan, dummy, 8021q ...) finds this kernel's modules where it looks for them.
modules="$NEW/lib/modules/@KERNEL_RELEASE@"
if [ ! -e "$modules" ]; then
    mkdir -p "$NEW/lib/modules"
    ln -s "@MODULES_DIR@" "$modules" || fail "link the kernel modules"
fi

mount -t proc proc "$NEW/proc"
mount -t sysfs sysfs "$NEW/sys"
mount -t devtmpfs devtmpfs "$NEW/dev"
mkdir -p "$NEW/dev/pts" "$NEW/dev/shm"
mount -t devpts -o newinstance,ptmxmode=0666 devpts "$NEW/dev/pts"
mount -t tmpfs -o mode=1777 shm "$NEW/dev/shm"
hostname netwright-vm

# Load what the kernel tier is about up front; a kind that fails to load says so here.
# shellcheck disable=SC2086
chroot "$NEW" /sbin/modprobe -a $PRELOAD_MODULES || say "modprobe -a $PRELOAD_MODULES failed"
chroot "$NEW" /sbin/ip link set lo up

# Enter the new root the way switch_root does, not with a plain `chroot /newroot`: move it onto
# / and `chroot .` from inside it. The kernel counts a process whose root is not its mount
# namespace's root (after the mounts stacked on it) as chrooted, and refuses it new user
# namespaces, which the lab (netwrightd --lab) needs. This shell keeps its own root (the
# initramfs, now hidden below) and with it busybox and /dev; its working directory is the new
# root, so it reaches the run directory by relative paths (absolute ones stay in the initramfs).
cd "$NEW" || fail "enter the new root"
mount -o move "$NEW" / || fail "move the new root onto /"
stty -F /dev/ttyS1 raw -echo 2>/dev/null
say "running the command"
: >".$RUN/started"
chroot . /bin/sh "$RUN/command.sh" </dev/null >/dev/ttyS1 2>&1
rc=$?
# tcsetattr(TCSADRAIN): wait until the last of the output has left the UART (a background
# process that kept the port open would otherwise lose the tail of it at power-off)
stty -F /dev/ttyS1 raw -echo 2>/dev/null
echo "$rc" >".$RUN/rc"
sync
poweroff -f
