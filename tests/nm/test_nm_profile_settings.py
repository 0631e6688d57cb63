"""The profile settings each kind becomes, against NetworkManager's documented encodings
(networkmanager.dev, settings-ipvlan/-macvlan/-vlan): the kinds this machine's kernel or NM
cannot create are checked here without either."""

from __future__ import annotations

import pytest

from netwright.backend.nm.profile_diff import hand_edits
from netwright.backend.nm.profiles import build_profile
from netwright.backend.topology import parse_topology


def settings(interface: str, key: str = "c0") -> dict[str, object]:
    topology = parse_topology(f"""netwright: 1
name: kinds
host: {{nics: {{up0: {{}}}}}}
interfaces:
  {key}: {interface}
""")
    profile = build_profile(topology, key)
    return {f"{section}.{name}": value.value for section, values in profile.items()
            for name, value in values.items() if section != "user"}


@pytest.mark.parametrize(("mode", "flag", "number"), [
    ("l2", "bridge", 1), ("l3", "private", 2), ("l3s", "vepa", 3)])
def test_ipvlan_modes_and_flags(mode: str, flag: str, number: int) -> None:
    """settings-ipvlan: mode 1 (l2), 2 (l3), 3 (l3s); private and vepa are booleans (NM 1.52)."""
    got = settings(f"{{kind: ipvlan, parent: up0, mode: {mode}, flag: {flag}, persist: true}}")
    assert got["ipvlan.parent"] == "up0" and got["ipvlan.mode"] == number
    assert (got["ipvlan.private"], got["ipvlan.vepa"]) == (flag == "private", flag == "vepa")
    assert got["connection.type"] == "ipvlan"


@pytest.mark.parametrize(("mode", "number"), [
    ("vepa", 1), ("bridge", 2), ("private", 3), ("passthru", 4)])
def test_macvlan_modes(mode: str, number: int) -> None:
    """settings-macvlan: 1 vepa, 2 bridge, 3 private, 4 passthru (5 source)."""
    got = settings(f"{{kind: macvlan, parent: up0, mode: {mode}, persist: true}}")
    assert got["macvlan.mode"] == number and got["macvlan.parent"] == "up0"


def test_vlan_id_protocol_and_addresses() -> None:
    got = settings("{kind: vlan, parent: up0, id: 31, protocol: 802.1ad, persist: true,"
                   " addresses: [192.168.31.5/24]}")
    assert (got["vlan.parent"], got["vlan.id"], got["vlan.protocol"]) == ("up0", 31, "802.1ad")
    assert got["ipv4.method"] == "manual"


def test_a_profile_as_netwright_wrote_it_has_no_hand_edits() -> None:
    """What GetSettings returns for an untouched profile: the written values, and NM's
    defaults left out; only a value that really differs is a hand edit."""
    topology = parse_topology("""netwright: 1
name: kinds
host: {nics: {up0: {}}}
interfaces:
  c0: {kind: macvlan, parent: up0, mode: bridge, persist: true, addresses: [10.0.0.5/24],
       mac: "02:00:00:00:00:05"}
""")
    wanted = build_profile(topology, "c0")
    as_nm_gives_it = {section: {name: value.value for name, value in values.items()
                                if (section, name) != ("macvlan", "promiscuous")}
                      for section, values in wanted.items()}
    as_nm_gives_it["802-3-ethernet"]["assigned-mac-address"] = "02:00:00:00:00:05".upper()
    assert hand_edits(wanted, as_nm_gives_it) == []
    as_nm_gives_it["macvlan"]["mode"] = 3
    assert hand_edits(wanted, as_nm_gives_it) == ["macvlan.mode is 3, the design says 2"]
