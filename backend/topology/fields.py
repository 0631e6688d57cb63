"""Field types of the topology model: names, addresses, sysctls, each with its own sentence.

These checks run before anything else sees the data (the daemon receives files from
unprivileged callers), so they are strict and closed: a value either matches a small, safe
grammar or is refused with a code and a sentence that says what would be accepted.
"""

from __future__ import annotations

import ipaddress
import math
import re
from typing import Annotated, Any

from pydantic import AfterValidator, BeforeValidator, Field
from pydantic_core import PydanticCustomError

from netwright.backend.clipped import clipped

IFNAMSIZ = 16  # the kernel's buffer, including the terminating NUL

# Always used with fullmatch: in Python '$' also matches before a final newline, so .match()
# would let "c1\n" through (into /run/netns and the state directory). The anchors stay
# because the same patterns go into the JSON Schema, whose (ECMA) '$' has no such exception.
_SAFE_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_MAC = re.compile(r"^[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}$")
# A key under net., or a key of one interface whose name has dots, written as '/' (sysctl(8)'s
# convention: net.ipv4.conf.eth0/100.rp_filter is /proc/sys/net/ipv4/conf/eth0.100/rp_filter).
# '/' only ever stands between two plain words, so no part of the path becomes '.' or '..'.
_SYSCTL_KEY = re.compile(r"^(?:net(\.[A-Za-z0-9_-]{1,64}){2,6}"
                         r"|net\.ipv[46]\.(?:conf|neigh)\.[A-Za-z0-9_-]{1,15}(?:/[A-Za-z0-9_-]{1,15})+"
                         r"\.[A-Za-z0-9_-]{1,64})$")
_SYSCTL_VALUE = re.compile(r"^[A-Za-z0-9 _.:-]{0,64}$")
# A Kubernetes node name is a DNS-1123 subdomain: lowercase labels joined by dots.
_DNS_LABEL = r"[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?"
_NODE_NAME = re.compile(rf"{_DNS_LABEL}(\.{_DNS_LABEL})*")


def check_interface_name(value: str) -> str:
    """Linux accepts an interface name of at most 15 bytes without '/', ':' or whitespace.

    >>> check_interface_name("ipvlan1")
    'ipvlan1'
    """
    if not isinstance(value, str):
        raise PydanticCustomError("wrong-type", "an interface name must be text")
    size = len(value.encode("utf-8"))
    if size == 0:
        raise PydanticCustomError("invalid-name", "an interface name cannot be empty")
    if size > IFNAMSIZ - 1:
        raise PydanticCustomError(
            "invalid-name",
            "interface name '{name}' is {size} bytes long; Linux allows at most 15",
            {"name": value, "size": size},
        )
    if value in (".", ".."):
        raise PydanticCustomError(
            "invalid-name", "'{name}' cannot be an interface name", {"name": value}
        )
    bad = sorted({c for c in value if c in "/:" or c.isspace() or not c.isprintable()})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        raise PydanticCustomError(
            "invalid-name",
            "interface name '{name}' contains {bad}; Linux forbids '/', ':' and whitespace",
            {"name": value, "bad": shown},
        )
    return value


def is_identifier(value: object) -> bool:
    """True for a valid topology or namespace name (see check_identifier)."""
    return isinstance(value, str) and _SAFE_ID.fullmatch(value) is not None


def check_identifier(value: str) -> str:
    """Topology and namespace names become file names (/run/netns/NAME, the state file)."""
    if not is_identifier(value):
        raise PydanticCustomError(
            "invalid-name",
            "'{name}' is not a valid name: use 1–64 letters, digits, '_', '.' or '-',"
            " starting with a letter or digit",
            {"name": clipped(value)},
        )
    return value


def check_cidr(value: str) -> str:
    """An interface address with its prefix length, e.g. ``192.168.31.5/24``."""
    if not isinstance(value, str) or "/" not in value:
        raise PydanticCustomError(
            "invalid-address",
            "'{value}' is not an address with a prefix length (e.g. 192.168.31.5/24"
            " or fd00::5/64)",
            {"value": clipped(value)},
        )
    try:
        ipaddress.ip_interface(value)
    except ValueError:
        raise PydanticCustomError(
            "invalid-address",
            "'{value}' is not an IPv4 or IPv6 address with a valid prefix length"
            " (e.g. 192.168.31.5/24)",
            {"value": clipped(value)},
        ) from None
    return value


#: The sysctl behind each family of ``forwarding:`` (a namespace's or the host's), where
#: validation, the engine and the designer's Compare read or set it
FORWARDING_SYSCTLS = {"ipv4": "net.ipv4.ip_forward", "ipv6": "net.ipv6.conf.all.forwarding"}


def forwards_in_design(place: object, family: str) -> bool:
    """Whether the design turns forwarding of ``family`` ("ipv4"/"ipv6") on at ``place`` (a
    namespace's or the host's spec): its ``forwarding`` setting, or its forwarding sysctl;
    left as it is counts as off."""
    forwarding = getattr(place, "forwarding", None)
    sysctls: dict[str, str] = getattr(place, "sysctls", {}) or {}
    return bool(getattr(forwarding, family, None)) or sysctls.get(
        FORWARDING_SYSCTLS[family]) == "1"
#: A sysctl of one interface (``net.ipv4.conf.eth0.rp_filter``): its file exists only once
#: the interface does, so whoever writes it (the engine, ``export --format sh``, the Multus
#: export's tuning plugin) must wait for the interface. ``all``, ``default`` and ``lo`` are
#: there from the namespace's start. ``name`` is as the key writes it: each dot of the
#: interface's name as '/' (``net.ipv4.conf.eth0/100.rp_filter``).
INTERFACE_SYSCTL = re.compile(
    r"(?P<head>net\.ipv[46]\.(?:conf|neigh)\.)(?P<name>[^.]+)(?P<tail>\.[^.]+)")
_NOT_ONE_INTERFACE = ("all", "default", "lo")
#: What the CNI tuning plugin replaces, in a sysctl key, with the name of the interface it is
#: chained on (after turning the key's dots into '/')
TUNING_IFNAME = "IFNAME"


def sysctl_interface(key: str) -> str | None:
    """The interface whose own file ``key`` is (its name as the kernel has it), None for a
    key of the whole namespace.

    >>> sysctl_interface("net.ipv4.conf.eth0/100.rp_filter"), sysctl_interface("net.core.x")
    ('eth0.100', None)
    """
    found = INTERFACE_SYSCTL.fullmatch(key)
    if found is None or found["name"] in _NOT_ONE_INTERFACE:
        return None
    return found["name"].replace("/", ".")


def interface_sysctl_key(prefix: str, interface: str, setting: str) -> str:
    """The dotted key of one interface's ``setting``, its dots written as '/'.

    >>> interface_sysctl_key("net.ipv4.conf", "eth0.100", "rp_filter")
    'net.ipv4.conf.eth0/100.rp_filter'
    """
    return f"{prefix}.{interface.replace('.', '/')}.{setting}"


ADDRESS_FLAGS = ("nodad",)  # what may follow an interface's address, as in `ip addr add`


def check_link_cidr(value: str) -> str:
    """An interface's address, optionally followed by flags: ``fd00::1/64 nodad`` asks the
    kernel to skip IPv6 duplicate address detection (``ip addr add … nodad``). Normalised to
    single spaces, so the text compares equal however it was spaced.

    >>> check_link_cidr("fd00::1/64   nodad")
    'fd00::1/64 nodad'
    """
    if not isinstance(value, str):
        return check_cidr(value)
    address, *flags = value.split()
    check_cidr(address)
    for flag in flags:
        if flag not in ADDRESS_FLAGS:
            raise PydanticCustomError(
                "invalid-address",
                "'{flag}' after {address} is not an address flag: the only one is 'nodad'"
                " (skip IPv6 duplicate address detection)",
                {"flag": flag[:40], "address": address})
    if len(set(flags)) != len(flags):
        raise PydanticCustomError(
            "invalid-address", "'{value}' names a flag twice", {"value": clipped(value)})
    if flags and ipaddress.ip_interface(address).version == 4:
        raise PydanticCustomError(
            "invalid-address",
            "'nodad' applies to IPv6 addresses only (IPv4 has no duplicate address detection"
            " in the kernel): remove it from {address}", {"address": address})
    return " ".join([address, *flags])


def check_ip(value: str) -> str:
    """A single address without prefix, such as a gateway or a vxlan remote."""
    if not isinstance(value, str):
        raise PydanticCustomError("invalid-address", "an IP address must be text")
    try:
        ipaddress.ip_address(value)
    except ValueError:
        raise PydanticCustomError(
            "invalid-address",
            "'{value}' is not an IPv4 or IPv6 address (e.g. 192.168.31.1)",
            {"value": clipped(value)},
        ) from None
    return value


def is_default_destination(to: str) -> bool:
    """``default``, or the network that holds every address (``0.0.0.0/0``, ``::/0``): the
    kernel makes the same default route of each, so validation treats them alike."""
    return to == "default" or ipaddress.ip_network(to).prefixlen == 0


def check_destination(value: str) -> str:
    """A route destination: ``default`` or a network such as ``10.0.0.0/8``."""
    if value == "default":
        return value
    if not isinstance(value, str):
        raise PydanticCustomError("invalid-address", "a route destination must be text")
    try:
        ipaddress.ip_network(value, strict=True)
    except ValueError:
        raise PydanticCustomError(
            "invalid-address",
            "'{value}' is not a route destination: use 'default' or a network with its"
            " prefix length and no host bits set (e.g. 10.0.0.0/8)",
            {"value": clipped(value)},
        ) from None
    return value


def check_mac(value: str) -> str:
    if not isinstance(value, str) or not _MAC.fullmatch(value):
        raise PydanticCustomError(
            "invalid-mac",
            "'{value}' is not a MAC address (six hex pairs such as 02:42:ac:11:00:02)",
            {"value": clipped(value)},
        )
    if int(value[:2], 16) & 1:
        raise PydanticCustomError(
            "invalid-mac",
            "'{value}' is a multicast MAC address; an interface needs a unicast one"
            " (first byte even, e.g. 02:…)",
            {"value": value},
        )
    return value.lower()


def check_sysctl_key(value: str) -> str:
    """Only per-namespace ``net.*`` keys, with no path tricks: they become /proc/sys paths.
    An interface whose name has dots is written with '/' (``net.ipv4.conf.eth0/100.rp_filter``);
    its dots as dots would name a file that does not exist, so that is refused with the key to
    write instead."""
    if not isinstance(value, str) or not _SYSCTL_KEY.fullmatch(value):
        raise PydanticCustomError(
            "invalid-sysctl",
            "'{key}' is not a network sysctl this tool can set: use a name under net.,"
            " such as net.ipv4.ip_forward",
            {"key": clipped(value)},
        )
    parts = value.split(".")
    if parts[1] in ("ipv4", "ipv6") and parts[2] in ("conf", "neigh") and len(parts) > 5:
        written = interface_sysctl_key(".".join(parts[:3]), ".".join(parts[3:-1]), parts[-1])
        raise PydanticCustomError(
            "invalid-sysctl",
            "'{key}' has an interface name with dots: write each dot of the name as '/',"
            " as sysctl(8) does: {written}",
            {"key": value, "written": written},
        )
    interface = sysctl_interface(value)
    if interface is not None and len(interface) > IFNAMSIZ - 1:
        raise PydanticCustomError(
            "invalid-sysctl",
            "'{key}' names interface {name}, longer than the 15 bytes Linux allows",
            {"key": value, "name": interface},
        )
    return value


def check_sysctl_value(value: object) -> str:
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and _SYSCTL_VALUE.fullmatch(value):
        return value
    raise PydanticCustomError(
        "invalid-sysctl",
        "a sysctl value must be a number or short plain text (letters, digits, space, '.', ':',"
        " '-', '_')",
    )


def check_node_name(value: str) -> str:
    """A Kubernetes node name (``kubernetes.io/hostname``): a DNS-1123 subdomain.

    >>> check_node_name("worker-1")
    'worker-1'
    """
    if not isinstance(value, str) or len(value) > 253 or not _NODE_NAME.fullmatch(value):
        raise PydanticCustomError(
            "invalid-name",
            "'{name}' is not a Kubernetes node name: use lowercase letters, digits, '-' and '.',"
            " starting and ending with a letter or digit (at most 253 characters)",
            {"name": clipped(value)},
        )
    return value


def check_finite(value: float) -> float:
    if not math.isfinite(value) or abs(value) > 1e9:
        raise PydanticCustomError("invalid-value", "a canvas coordinate must be a finite number")
    return value


def _null_to_empty(value: object) -> object:
    """``net2:`` with nothing after it means an empty namespace, not an error."""
    return {} if value is None else value


def _hint(**schema: object) -> Any:
    """Schema-only hints for editors; the checks above stay the ones that decide."""
    return Field(json_schema_extra=schema)  # type: ignore[arg-type]


InterfaceName = Annotated[
    str, AfterValidator(check_interface_name),
    _hint(maxLength=15, pattern=r"^[^/:\s]+$", description="Linux interface name"),
]
Identifier = Annotated[
    str, AfterValidator(check_identifier), _hint(pattern=_SAFE_ID.pattern)
]
NodeName = Annotated[
    str, AfterValidator(check_node_name),
    _hint(maxLength=253, description="Kubernetes node name, e.g. worker-1"),
]
Cidr = Annotated[
    str, AfterValidator(check_cidr),
    _hint(description="address with prefix length, e.g. 192.168.31.5/24", examples=["10.0.0.1/24"]),
]
LinkCidr = Annotated[
    str, AfterValidator(check_link_cidr),
    _hint(description="address with prefix length, e.g. 192.168.31.5/24; an IPv6 one may add"
          " ' nodad' to skip duplicate address detection",
          examples=["10.0.0.1/24", "fd00::1/64 nodad"]),
]
IpAddress = Annotated[
    str, AfterValidator(check_ip), _hint(description="IPv4 or IPv6 address, e.g. 192.168.31.1")
]
Destination = Annotated[
    str, AfterValidator(check_destination),
    _hint(description="'default' or a network, e.g. 10.0.0.0/8"),
]
MacAddress = Annotated[str, AfterValidator(check_mac), _hint(pattern=_MAC.pattern)]
SysctlKey = Annotated[str, AfterValidator(check_sysctl_key), _hint(pattern=_SYSCTL_KEY.pattern)]
SysctlValue = Annotated[str | int | bool, AfterValidator(check_sysctl_value)]
Coordinate = Annotated[float, AfterValidator(check_finite)]
Mtu = Annotated[int, Field(ge=68, le=65535)]
NullIsEmpty = BeforeValidator(_null_to_empty)
