"""Kubernetes object names: DNS-1123 labels made from design keys.

Design keys allow capitals, '_' and '.', which Kubernetes names do not (a
NetworkAttachmentDefinition's name is a DNS-1123 label: lowercase letters, digits and '-',
at most 63 characters, starting and ending with a letter or digit). The mapping is
deterministic so that export → import → export gives the same names.
"""

from __future__ import annotations

import hashlib
import re

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
_OTHER = re.compile(r"[^a-z0-9-]+")


def dns_label(text: str) -> str:
    """A DNS-1123 label for ``text``; a short hash keeps lossy or long names apart.

    >>> dns_label("seed-ipvlan1")
    'seed-ipvlan1'
    >>> dns_label("Docker_c1.eth0")
    'docker-c1-eth0-85f716'
    """
    label = _OTHER.sub("-", text.lower()).strip("-")
    if label == text and DNS_LABEL.fullmatch(label):
        return label
    digest = hashlib.sha256(text.encode()).hexdigest()[:6]
    label = label[: 63 - 7].strip("-") or "x"
    return f"{label}-{digest}"


def is_dns_label(text: str) -> bool:
    return DNS_LABEL.fullmatch(text) is not None
