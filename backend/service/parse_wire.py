"""The frames netwrightd and its reading helpers exchange: bounded JSON, never pickle.

The helper (parser.py) reads text from any user with libyaml, ruamel.yaml and pydantic, so
netwrightd treats what comes back as the words of a process that may have been subverted by
that text: plain JSON (which cannot carry code, unlike a pickle, whose loading runs whatever
the stream names), in a frame whose length is checked before a byte of it is read, and a
model that netwrightd validates again itself (parsing.py) rather than one it takes on trust.

A frame is an 8-byte big-endian length and that many bytes of UTF-8 JSON. Requests are
``[op, text, cpu seconds, memory bytes]``; answers are ``["ok", value]``, ``["problems",
[problem…]]``, ``["costly", "cpu" or "memory"]`` (the read ran over a bound) or ``["failed",
how]`` (the read's process ended otherwise; see read_child.py).
"""

from __future__ import annotations

import json
from typing import Any, BinaryIO

from netwright.backend.topology.bounds import MAX_TEXT_BYTES

HEADER = 8
#: The longest frame either end accepts. A request carries at most MAX_TEXT_BYTES of text,
#: which JSON escapes to at most 6 bytes a byte; the longest answers seen (thousands of
#: problems, or a model at the object bound) are under 1 MiB.
MAX_FRAME = 8 * MAX_TEXT_BYTES


class FrameError(OSError):
    """A frame that is too long or no JSON: the other end is broken (or subverted)."""


def frame(value: Any) -> bytes:
    """``value`` as one frame (JSON, ASCII only: any text survives, lone surrogates too)."""
    payload = json.dumps(value, separators=(",", ":")).encode("ascii")
    return len(payload).to_bytes(HEADER, "big") + payload


def frame_size(header: bytes) -> int:
    """The payload length a header announces; FrameError past MAX_FRAME, so nobody can make
    the reader wait for, or keep, more than that."""
    size = int.from_bytes(header, "big")
    if size > MAX_FRAME:
        raise FrameError(f"a frame of {size:,} bytes was announced; at most {MAX_FRAME:,}"
                         " are accepted")
    return size


def decode(payload: bytes) -> Any:
    """A frame's JSON value; FrameError when it is none."""
    try:
        return json.loads(payload)
    except (ValueError, RecursionError) as exc:  # UnicodeDecodeError is a ValueError
        raise FrameError(f"the frame is no JSON: {exc!s:.200}") from None


def read_frame(stream: BinaryIO) -> Any:
    """The next frame's value from a blocking stream, or None at end of input."""
    raw = read_raw_frame(stream)
    return None if raw is None else decode(raw[HEADER:])


def read_raw_frame(stream: BinaryIO) -> bytes | None:
    """The next frame from a blocking stream as it came (header included, the length
    checked, the JSON not decoded), or None at end of input."""
    header = stream.read(HEADER)
    if len(header) < HEADER:
        return None
    size = frame_size(header)
    payload = stream.read(size)
    return header + payload if len(payload) == size else None
