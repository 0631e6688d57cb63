"""Copy and paste of canvas items, through the system clipboard.

The payload is the fragment of the document (plain data as JSON) under a Netwright MIME type,
with YAML text alongside so pasting into an editor gives something readable.
"""

from __future__ import annotations

import io
import json
from typing import Any

from PySide6.QtCore import QMimeData
from PySide6.QtGui import QClipboard
from ruamel.yaml import YAML

FRAGMENT_MIME = "application/x-netwright-fragment"


def to_mime(fragment: dict[str, Any]) -> QMimeData:
    mime = QMimeData()
    mime.setData(FRAGMENT_MIME, json.dumps(fragment).encode("utf-8"))
    stream = io.StringIO()
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    shown = {k: v for k, v in fragment.items() if k not in ("layout", "far-ends") and v}
    yaml.dump(shown, stream)
    mime.setText(stream.getvalue())
    return mime


def from_clipboard(clipboard: QClipboard) -> dict[str, Any] | None:
    mime = clipboard.mimeData()
    if mime is None or not mime.hasFormat(FRAGMENT_MIME):
        return None
    try:
        data = json.loads(bytes(mime.data(FRAGMENT_MIME).data()).decode("utf-8"))
    except (ValueError, UnicodeDecodeError):
        return None
    return data if isinstance(data, dict) else None


def release(clipboard: QClipboard) -> None:
    """Drop our data from the clipboard before the application object goes away.

    PySide6 6.11 crashes at interpreter exit (SIGSEGV) when a QMimeData made in Python is
    still on the clipboard; measured here on the offscreen and xcb platforms alike.
    """
    mime = clipboard.mimeData()
    if mime is not None and mime.hasFormat(FRAGMENT_MIME):
        clipboard.clear()
