"""A fast, editable first copy of a big file, while the round-trip parse runs in the background.

The contract's round-trip YAML parser (ruamel.yaml, pure Python) needs ~3 s for a file with
1,000 namespaces; libyaml (the contract's ``fastload``, YAML 1.2 core-schema rules, so both
readers give the same data) reads the same text in a tenth of that but keeps no comments. The
designer draws and edits a tree built from the quick read at once; when the round-trip
document is ready, the edits made meanwhile are replayed onto it (see ``TopologyDocument``),
so comments and formatting survive. Without libyaml, files open the normal way.
"""

from __future__ import annotations

from typing import Any

from netwright.backend.topology.fastload import load_plain

PROGRESSIVE_BYTES = 64 * 1024  # smaller files parse in well under 0.1 s: no need


def quick_data(text: str) -> dict[str, Any] | None:
    """The file's data read with libyaml, or None (no libyaml, small file, or anything the
    round-trip parser should explain: a syntax error, a duplicate key, not a mapping)."""
    if len(text.encode("utf-8", errors="replace")) < PROGRESSIVE_BYTES:
        return None
    data = load_plain(text)
    return data if isinstance(data, dict) else None
