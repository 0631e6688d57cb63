"""How a sentence names a namespace or an interface whose key is a word sentences use.

A namespace called ``gateway`` makes "gateway has no route to …" read as the route's gateway
having none; "namespace gateway has no route to …" cannot. Validation's problems and the
checks' reasons and fixes both name things this way, from this one list, so the command line
and the designer say the same name in every sentence. Pure text, no model.
"""

from __future__ import annotations

#: Words the sentences use for what is no namespace ("the gateway", "its parent", "the
#: router", "the sender" …). ("host" and "outside" are refused as names by validation.)
AMBIGUOUS_NAMES = frozenset({
    "gateway", "router", "parent", "peer", "self", "bridge", "port", "lan", "nic", "uplink",
    "underlay", "remote", "local", "default", "all", "any", "kernel", "source", "sender",
    "target", "reply", "request", "nothing", "it", "the",
})


def namespace_words(key: str) -> str:
    """Namespace ``key`` in a sentence: "namespace gateway" for a key that is a word the
    sentences use otherwise (``AMBIGUOUS_NAMES``), else the key.

    >>> namespace_words("gateway"), namespace_words("net1")
    ('namespace gateway', 'net1')
    """
    return f"namespace {key}" if key in AMBIGUOUS_NAMES else key


def interface_words(key: str) -> str:
    """An interface key at the head of a sentence: "interface gateway is down" for a key
    that is a word the sentences use otherwise (``AMBIGUOUS_NAMES``), else the key."""
    return f"interface {key}" if key in AMBIGUOUS_NAMES else key


def place_words(namespace: str | None) -> str:
    """Where something is, in a sentence: ``namespace_words`` of a namespace key, or "the
    host" for None (the host's own place).

    >>> place_words("gateway"), place_words("net1"), place_words(None)
    ('namespace gateway', 'net1', 'the host')
    """
    return namespace_words(namespace) if namespace else "the host"
