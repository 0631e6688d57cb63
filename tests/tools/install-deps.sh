#!/bin/sh
# Install the Debian packages the test suite needs, only those that are missing.
#
# Every service the tests use is real and started by the tests themselves: a private
# dbus-daemon, polkitd, NetworkManager (in a private namespace), Xvfb for the screenshot, QEMU
# for the stock-kernel tier. Nothing here starts a service or touches the machine's network.
set -eu
PACKAGES="
iproute2 kmod procps util-linux
python3-venv python3-dev
dbus-daemon dbus-bin polkitd
network-manager
dnsmasq-base
containernetworking-plugins
nftables python3-nftables
fping iputils-ping tcpdump iperf3
xvfb xauth xdotool openbox x11-utils libxcb-icccm4 libxcb-keysyms1 libxcb-cursor0 libxcb-image0 libxcb-render-util0
libxcb-shape0 libxcb-xinerama0 libxcb-xkb1 libxkbcommon-x11-0 libegl1 libgl1 libfontconfig1
libdbus-1-3 fonts-dejavu-core
qemu-system-x86 busybox-static strace
desktop-file-utils appstream libxml2-utils lintian shared-mime-info systemd
graphviz
"
missing=""
for pkg in $PACKAGES; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" \
        || missing="$missing $pkg"
done
if [ -z "$missing" ]; then
    exit 0
fi
if [ "$(id -u)" != 0 ]; then
    echo "install-deps: missing Debian packages:$missing (run as root to install them)" >&2
    exit 1
fi
echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
