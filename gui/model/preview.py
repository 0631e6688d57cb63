"""A fast first look at a big file, while the round-trip parse runs in the background.

The contract's round-trip YAML parser (ruamel.yaml, pure Python) needs ~3 s for a file with
1,000 namespaces; libyaml (through PyYAML's C loader) reads the same text in ~0.1 s but keeps
no comments. The designer draws from the quick read at once, then swaps in the editable
round-trip document when it is ready. Without PyYAML's C loader, files open the normal way.
"""

from __future__ import annotations

import importlib
from typing import Any

from netwright.gui.model.snapshot import Snapshot, take_snapshot

PROGRESSIVE_BYTES = 64 * 1024  # smaller files parse in well under 0.1 s: no need


def _c_loader() -> tuple[Any, Any] | None:
    try:
        yaml = importlib.import_module("yaml")
    except ImportError:
        return None
    loader = getattr(yaml, "CSafeLoader", None)
    return (yaml, loader) if loader is not None else None


def quick_snapshot(text: str) -> Snapshot | None:
    """A snapshot read with libyaml, or None (no C loader, small file, or unreadable)."""
    if len(text.encode("utf-8", errors="replace")) < PROGRESSIVE_BYTES:
        return None
    found = _c_loader()
    if found is None:
        return None
    yaml, loader = found
    try:
        data = yaml.load(text, Loader=loader)
    except Exception:  # any libyaml complaint: the round-trip parser will explain it
        return None
    if not isinstance(data, dict):
        return None
    return take_snapshot(data)
