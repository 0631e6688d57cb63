"""What a hand edit changed in a profile Netwright owns, setting by setting.

A hand edit (``nmcli connection modify``) does not change the digest Netwright wrote into the
profile's user-data, so comparing digests would miss it. The comparison is made over exactly
the settings Netwright writes. A setting NetworkManager leaves out of GetSettings is at its
default value, which is only a difference if the design asks for something else.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.nm.profiles import Profile

_DEFAULTS: dict[tuple[str, str], Any] = {
    ("connection", "autoconnect"): True,
    ("bridge", "stp"): True,
    ("bridge", "vlan-filtering"): False,
    ("macvlan", "promiscuous"): True,
    ("macvlan", "tap"): False,
    ("ipvlan", "private"): False,
    ("ipvlan", "vepa"): False,
    ("vlan", "flags"): 1,
}
"""Values NetworkManager leaves out of GetSettings (its defaults) for settings Netwright
writes; any other setting missing from GetSettings differs from the design."""


def hand_edits(wanted: Profile, actual: dict[str, dict[str, Any]]) -> list[str]:
    """The settings of ``wanted`` that the profile NetworkManager has holds differently."""
    differences = []
    for section, values in wanted.items():
        if section == "user":
            continue
        for name, variant in values.items():
            designed = _plain(variant.value)
            if name in actual.get(section, {}):
                have = _plain(actual[section][name])
            else:
                have = _DEFAULTS.get((section, name))
            if not _same(designed, have):
                differences.append(f"{section}.{name} is {_show(have)}, the design says"
                                   f" {_show(designed)}")
    return differences


def _plain(value: Any) -> Any:
    """Variants unwrapped, recursively (what GetSettings gives after ``unwrap``)."""
    value = getattr(value, "value", value)
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


def _same(designed: Any, have: Any) -> bool:
    if isinstance(designed, str) and isinstance(have, str):
        return designed.lower() == have.lower()  # MAC addresses come back in upper case
    if isinstance(designed, list) and isinstance(have, list):
        return len(designed) == len(have) and all(
            _same(d, h) for d, h in zip(designed, have, strict=True))
    if isinstance(designed, dict) and isinstance(have, dict):
        return all(_same(v, have.get(k)) for k, v in designed.items())
    return bool(designed == have)


def _show(value: Any) -> str:
    if value is None:
        return "not set"
    if isinstance(value, list) and all(isinstance(v, dict) and "address" in v for v in value):
        return ", ".join(f"{v['address']}/{v.get('prefix')}" for v in value) or "none"
    return str(value)
