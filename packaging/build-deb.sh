#!/bin/sh
# Build the Debian package from this repository: `make deb` (writes build/netwright_*.deb).
#
# The application goes into a private virtual environment, /usr/lib/netwright/venv, built
# from Debian's /usr/bin/python3: Debian 12 has no PySide6, no pyroute2 >= 0.9 and no
# dbus-fast, so "dist-packages with proper dependencies" is not possible there. The venv is
# built in a staging tree and its absolute paths are rewritten to the installed location.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
top=$(cd "$here/.." && pwd)
version=$(sed -n 's/^version = "\(.*\)"/\1/p' "$top/pyproject.toml" | head -1)
arch=$(dpkg --print-architecture)
out="$top/build/deb"
stage="$out/netwright_${version}-1_${arch}"
venv=/usr/lib/netwright/venv

rm -rf "$stage"
mkdir -p "$stage/DEBIAN"

echo "build-deb: private virtual environment"
/usr/bin/python3 -m venv "$stage$venv"
"$stage$venv/bin/python" -m pip install -q --no-cache-dir --upgrade pip
"$stage$venv/bin/python" -m pip install -q --no-cache-dir "$top"
"$stage$venv/bin/python" -m pip uninstall -q -y pip
rm -rf "$stage$venv/bin/Activate.ps1" "$stage$venv/bin/activate.fish" "$stage$venv/bin/activate.csh"
# Entry points and activate scripts carry the staging path: point them at the real one.
grep -rlI --null "$stage" "$stage$venv/bin" | xargs -0 -r sed -i "s|$stage||g"
find "$stage$venv" -name '__pycache__' -type d -prune -exec rm -rf {} +
find "$stage$venv" -name 'RECORD' -path '*.dist-info/*' -exec sed -i "s|$stage||g" {} +

echo "build-deb: files"
install -d "$stage/usr/bin" "$stage/usr/sbin"
ln -s "../lib/netwright/venv/bin/netwright" "$stage/usr/bin/netwright"
ln -s "../lib/netwright/venv/bin/netwrightd" "$stage/usr/sbin/netwrightd"
install -D -m 0644 "$here/systemd/netwrightd.service" "$stage/usr/lib/systemd/system/netwrightd.service"
install -D -m 0644 "$here/dbus/io.netwright.Backend1.service" \
    "$stage/usr/share/dbus-1/system-services/io.netwright.Backend1.service"
install -D -m 0644 "$here/dbus/io.netwright.Backend1.conf" \
    "$stage/usr/share/dbus-1/system.d/io.netwright.Backend1.conf"
install -D -m 0644 "$here/dbus/io.netwright.Backend1.xml" \
    "$stage/usr/share/dbus-1/interfaces/io.netwright.Backend1.xml"
install -D -m 0644 "$top/polkit/io.netwright.policy" \
    "$stage/usr/share/polkit-1/actions/io.netwright.policy"
install -D -m 0644 "$here/desktop/io.netwright.Netwright.desktop" \
    "$stage/usr/share/applications/io.netwright.Netwright.desktop"
install -D -m 0644 "$here/desktop/io.netwright.Netwright.metainfo.xml" \
    "$stage/usr/share/metainfo/io.netwright.Netwright.metainfo.xml"
install -D -m 0644 "$top/gui/resources/io.netwright.Netwright.svg" \
    "$stage/usr/share/icons/hicolor/scalable/apps/io.netwright.Netwright.svg"
install -D -m 0644 "$here/desktop/netwright-topology.xml" \
    "$stage/usr/share/mime/packages/netwright.xml"
install -D -m 0644 "$here/apparmor/netwright-lab" "$stage/etc/apparmor.d/netwright-lab"
install -D -m 0644 "$here/netwright-topology.schema.json" \
    "$stage/usr/share/netwright/netwright-topology.schema.json"
install -d "$stage/usr/share/netwright/examples" "$stage/usr/share/doc/netwright/examples"
install -m 0644 "$top"/examples/*.yaml "$stage/usr/share/netwright/examples/"
# In the tree an example's editor modeline reaches the schema in packaging/; installed, the
# schema sits one level up from the examples, so the line must say so to lead anywhere.
sed -i 's|\$schema=\.\./packaging/netwright-topology\.schema\.json|$schema=../netwright-topology.schema.json|' \
    "$stage"/usr/share/netwright/examples/*.yaml
# The example rules file is documentation: a site copies it to /etc/polkit-1/rules.d on purpose.
install -m 0644 "$top"/polkit/*.rules "$stage/usr/share/doc/netwright/examples/"
install -m 0644 "$top/README.md" "$stage/usr/share/doc/netwright/README.md"
install -m 0644 "$here/debian/copyright" "$stage/usr/share/doc/netwright/copyright"
printf 'netwright (%s-1) unstable; urgency=medium\n\n  * Package built from the repository.\n\n -- Netwright developers <dev@netwright.io>  %s\n' \
    "$version" "$(date -R -d @"${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}")" \
    | gzip -9n > "$stage/usr/share/doc/netwright/changelog.Debian.gz"
install -D -m 0644 "$here/debian/lintian-overrides" "$stage/usr/share/lintian/overrides/netwright"

echo "build-deb: control"
for script in postinst prerm postrm; do
    install -m 0755 "$here/debian/$script" "$stage/DEBIAN/$script"
done
install -m 0644 "$here/debian/conffiles" "$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/${version}-1/" -e "s/@ARCH@/$arch/" -e "s/@SIZE@/$size/" \
    "$here/debian/control.in" > "$stage/DEBIAN/control"
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print | sed 's|^\./||' | sort \
    | xargs -d '\n' md5sum) > "$stage/DEBIAN/md5sums"
chmod 0644 "$stage/DEBIAN/md5sums"

# gzip, not xz: the venv is ~250 MB and xz takes minutes on two cores.
dpkg-deb --root-owner-group -Zgzip -z6 --build "$stage" "$out/" >/dev/null
ls "$out"/netwright_"${version}"-1_"$arch".deb
