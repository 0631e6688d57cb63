"""The files a distribution installs pass the validators distributions run on them."""

from __future__ import annotations

import configparser
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
PACKAGING = ROOT / "packaging"


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False, timeout=120)


def test_desktop_file_validates() -> None:
    result = run("desktop-file-validate", str(PACKAGING / "desktop/io.netwright.Netwright.desktop"))
    assert result.returncode == 0 and "error" not in result.stdout, result.stdout


def test_metainfo_validates() -> None:
    result = run("appstreamcli", "validate", "--no-net",
                 str(PACKAGING / "desktop/io.netwright.Netwright.metainfo.xml"))
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("path", [
    "polkit/io.netwright.policy",
    "packaging/dbus/io.netwright.Backend1.conf",
    "packaging/dbus/io.netwright.Backend1.xml",
    "packaging/desktop/io.netwright.Netwright.metainfo.xml",
    "gui/resources/io.netwright.Netwright.svg",
    "packaging/desktop/netwright-topology.xml",
])
def test_xml_is_well_formed(path: str) -> None:
    result = run("xmllint", "--noout", str(ROOT / path))
    assert result.returncode == 0, result.stderr


def test_unit_has_the_hardening_the_daemon_needs() -> None:
    unit = configparser.ConfigParser(strict=False, interpolation=None)
    unit.optionxform = str  # type: ignore[assignment,method-assign]
    unit.read(PACKAGING / "systemd/netwrightd.service")
    service = unit["Service"]
    assert service["Type"] == "dbus" and service["BusName"] == "io.netwright.Backend1"
    assert service["StateDirectory"] == "netwright"
    assert set(service["CapabilityBoundingSet"].split()) == {
        "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_SYS_ADMIN", "CAP_SETUID", "CAP_SETGID"}
    assert service["ProtectSystem"] == "strict" and service["ProtectHome"] == "yes"
    assert service["PrivateTmp"] == "yes" and service["NoNewPrivileges"] == "yes"
    assert service["ProtectKernelTunables"] == "no"
    assert service["RestrictAddressFamilies"].split() == [
        "AF_NETLINK", "AF_UNIX", "AF_INET", "AF_INET6", "AF_PACKET"]
    assert "/run/netns" in service["ReadWritePaths"].split()


def test_activation_file_names_the_unit() -> None:
    text = (PACKAGING / "dbus/io.netwright.Backend1.service").read_text()
    assert "Name=io.netwright.Backend1" in text
    assert "SystemdService=netwrightd.service" in text


def test_icon_and_app_id_agree_with_the_desktop_file() -> None:
    desktop = (PACKAGING / "desktop/io.netwright.Netwright.desktop").read_text()
    assert "Icon=io.netwright.Netwright" in desktop
    assert (ROOT / "gui/resources/io.netwright.Netwright.svg").exists()
    metainfo = (PACKAGING / "desktop/io.netwright.Netwright.metainfo.xml").read_text()
    assert "<id>io.netwright.Netwright</id>" in metainfo
    assert "io.netwright.Netwright.desktop" in metainfo
