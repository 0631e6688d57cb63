"""A D-Bus caller that runs as a test user and takes its orders as JSON lines on stdin.

The tests start one per user (``runuser -u USER -- python svc_caller.py``) and keep it for the
whole session: starting Python per call would cost more than the calls. It speaks raw dbus-fast
messages, not the project's client, so tests can send exactly the wrong types and oversized
payloads a hostile caller would. Requests and replies:

    {"op": "call", "member": "Apply", "signature": "sa{sv}", "body": ["...", {}]}
    -> {"ok": true, "body": [...]}  or  {"ok": false, "error": NAME, "text": SENTENCE}
    {"op": "send", ...same...}      sends without waiting: {"ok": true, "serial": N}
    {"op": "burst", "count": N, ...same as call...}  N copies at once, then every answer:
                                    -> {"ok": true, "answers": [[ERROR or "", TEXT], ...]}
    {"op": "own", "name": N}        -> {"ok": true, "reply": "PRIMARY_OWNER"} or an error
    {"op": "signals"}               -> {"ok": true, "signals": [[member, body], ...]}
    {"op": "unique"}                -> {"ok": true, "name": ":1.42"}

A value ``{"$v": [SIG, VALUE]}`` in a body becomes ``Variant(SIG, VALUE)``; ``{"$bytes": N}``
becomes a string of N characters (so 10 MiB need not travel through the pipe).
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from dbus_fast import BusType, Message, MessageType, Variant
from dbus_fast.aio import MessageBus
from dbus_fast.errors import DBusError

BUS_NAME = "io.netwright.Backend1"
PATH = "/io/netwright/Backend1"
INTERFACE = "io.netwright.Backend1"


def decode(value: Any) -> Any:
    if isinstance(value, dict):
        if set(value) == {"$v"}:
            signature, inner = value["$v"]
            return Variant(signature, decode(inner))
        if set(value) == {"$bytes"}:
            return "x" * int(value["$bytes"])
        return {key: decode(item) for key, item in value.items()}
    if isinstance(value, list):
        return [decode(item) for item in value]
    return value


def encode(value: Any) -> Any:
    if isinstance(value, Variant):
        return encode(value.value)
    if isinstance(value, dict):
        return {str(key): encode(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [encode(item) for item in value]
    if isinstance(value, bytes):
        return value.decode(errors="replace")
    return value


async def serve() -> None:
    bus = await MessageBus(bus_type=BusType.SYSTEM).connect()
    signals: list[list[Any]] = []

    def on_message(msg: Message) -> bool:
        if msg.message_type is MessageType.SIGNAL and msg.interface == INTERFACE:
            signals.append([msg.member, encode(msg.body)])
        return False

    bus.add_message_handler(on_message)
    await bus.call(Message(
        destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
        interface="org.freedesktop.DBus", member="AddMatch", signature="s",
        body=[f"type='signal',interface='{INTERFACE}'"],
    ))
    loop = asyncio.get_running_loop()
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        request = json.loads(line)
        try:
            answer = await handle(bus, request, signals)
        except DBusError as exc:
            answer = {"ok": False, "error": exc.type, "text": exc.text}
        except Exception as exc:  # the harness reports, the test decides
            answer = {"ok": False, "error": "harness." + type(exc).__name__, "text": str(exc)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


async def handle(bus: MessageBus, request: dict[str, Any], signals: list[list[Any]]) -> Any:
    op = request["op"]
    if op == "unique":
        return {"ok": True, "name": bus.unique_name}
    if op == "signals":
        taken = list(signals)
        signals.clear()
        return {"ok": True, "signals": taken}
    if op == "own":
        reply = await bus.request_name(request["name"])
        return {"ok": True, "reply": reply.name}
    if op == "burst":
        calls = [bus.call(_message(request)) for _ in range(int(request["count"]))]
        replies = await asyncio.gather(*calls)
        return {"ok": True, "answers": [
            [r.error_name or "", r.body[0] if r.body and isinstance(r.body[0], str) else ""]
            if r is not None and r.message_type is MessageType.ERROR else ["", ""]
            for r in replies]}
    message = _message(request)
    if op == "send":
        await bus.send(message)
        return {"ok": True, "serial": message.serial}
    reply = await asyncio.wait_for(bus.call(message), request.get("timeout", 60))
    if reply is None:
        return {"ok": False, "error": "harness.NoReply", "text": ""}
    if reply.message_type is MessageType.ERROR:
        text = reply.body[0] if reply.body else ""
        return {"ok": False, "error": reply.error_name, "text": text}
    return {"ok": True, "body": encode(reply.body)}


def _message(request: dict[str, Any]) -> Message:
    return Message(
        destination=request.get("destination", BUS_NAME),
        path=request.get("path", PATH),
        interface=request.get("interface", INTERFACE),
        member=request["member"],
        signature=request.get("signature", ""),
        body=decode(request.get("body", [])),
    )


if __name__ == "__main__":
    asyncio.run(serve())
