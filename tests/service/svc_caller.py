"""A D-Bus caller that runs as a test user and takes its orders as JSON lines on stdin.

The tests start one per user (``runuser -u USER -- python svc_caller.py``) and keep it for the
whole session: starting Python per call would cost more than the calls. It speaks raw dbus-fast
messages, not the project's client, so tests can send exactly the wrong types and oversized
payloads a hostile caller would. Requests and replies:

    {"op": "call", "member": "Apply", "signature": "sa{sv}", "body": ["...", {}]}
    -> {"ok": true, "body": [...]}  or  {"ok": false, "error": NAME, "text": SENTENCE}
    {"op": "send", ...same...}      sends without waiting: {"ok": true, "serial": N}
    {"op": "answers", "serials": [N, ...], "timeout": S}  the answers to those sent calls
                                    once all came (or after S seconds, 60 unless told; 0:
                                    at once), as a burst's: those that came, in that order
    {"op": "burst", "count": N, ...same as call...}  N copies at once, then every answer:
                                    -> {"ok": true, "answers": [[ERROR or "", TEXT], ...]}
    {"op": "burst", "count": N, "answered": K, "timeout": S, ...}  N copies at once, answered
                                    as soon as K of them are (or after S seconds, 60 unless
                                    told): those answers; the rest wait for "rest"
    {"op": "rest"}                  the answers of the calls the last burst left waiting
    {"op": "flood", "inflight": K, "seconds": S, ...same as call...}  keeps K copies in flight
                                    (a new one as each is answered) until the backend's name
                                    has no owner or S seconds pass; each answer counted:
                                    -> {"ok": true, "counts": {ERROR or "": N, ...}}
                                    ("harness.Timeout": no answer within 30 s)
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
    sent: dict[int, asyncio.Future[Message]] = {}  # calls "send" made, by serial

    def on_message(msg: Message) -> bool:
        if msg.message_type is MessageType.SIGNAL and msg.interface == INTERFACE:
            signals.append([msg.member, encode(msg.body)])
        answer = sent.get(msg.reply_serial or 0)
        if answer is not None and not answer.done():
            answer.set_result(msg)
        return False

    bus.add_message_handler(on_message)
    await bus.call(Message(
        destination="org.freedesktop.DBus", path="/org/freedesktop/DBus",
        interface="org.freedesktop.DBus", member="AddMatch", signature="s",
        body=[f"type='signal',interface='{INTERFACE}'"],
    ))
    loop = asyncio.get_running_loop()
    waiting: list[asyncio.Future[Message | None]] = []  # calls the last burst left unanswered
    while True:
        line = await loop.run_in_executor(None, sys.stdin.readline)
        if not line:
            return
        request = json.loads(line)
        try:
            answer = await handle(bus, request, signals, waiting, sent)
        except DBusError as exc:
            answer = {"ok": False, "error": exc.type, "text": exc.text}
        except Exception as exc:  # the harness reports, the test decides
            answer = {"ok": False, "error": "harness." + type(exc).__name__, "text": str(exc)}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


async def handle(bus: MessageBus, request: dict[str, Any], signals: list[list[Any]],
                 waiting: list[asyncio.Future[Message | None]],
                 sent: dict[int, asyncio.Future[Message]]) -> Any:
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
        calls = [asyncio.ensure_future(bus.call(_message(request)))
                 for _ in range(int(request["count"]))]
        answered = await _first_answered(calls, int(request.get("answered", len(calls))),
                                         request.get("timeout", 60))
        waiting[:] = [call for call in calls if call not in answered]
        return {"ok": True, "answers": [_brief(call.result()) for call in answered]}
    if op == "answers":
        calls = [sent[int(serial)] for serial in request["serials"]]
        if calls:
            await asyncio.wait(calls, timeout=request.get("timeout", 60))
        return {"ok": True, "answers": [_brief(call.result()) for call in calls if call.done()]}
    if op == "flood":
        return {"ok": True, "counts": await _flood(bus, request)}
    if op == "rest":
        replies = await asyncio.wait_for(asyncio.gather(*waiting), request.get("timeout", 60))
        waiting.clear()
        return {"ok": True, "answers": [_brief(reply) for reply in replies]}
    message = _message(request)
    if op == "send":
        message.serial = bus.next_serial()
        sent[message.serial] = asyncio.get_running_loop().create_future()
        await bus.send(message)
        return {"ok": True, "serial": message.serial}
    reply = await asyncio.wait_for(bus.call(message), request.get("timeout", 60))
    if reply is None:
        return {"ok": False, "error": "harness.NoReply", "text": ""}
    if reply.message_type is MessageType.ERROR:
        text = reply.body[0] if reply.body else ""
        return {"ok": False, "error": reply.error_name, "text": text}
    return {"ok": True, "body": encode(reply.body)}


#: The bus's answers that mean the backend's name has no owner (it has exited).
GONE = ("org.freedesktop.DBus.Error.ServiceUnknown", "org.freedesktop.DBus.Error.NameHasNoOwner")


async def _flood(bus: MessageBus, request: dict[str, Any]) -> dict[str, int]:
    """Calls in a tight loop, ``inflight`` at a time, until the backend is gone (see above)."""
    counts: dict[str, int] = {}
    deadline = asyncio.get_running_loop().time() + float(request.get("seconds", 60))

    async def one() -> str:
        try:
            reply = await asyncio.wait_for(bus.call(_message(request)), 30)
        except TimeoutError:
            return "harness.Timeout"
        if reply is None:
            return "harness.NoReply"
        return reply.error_name or "" if reply.message_type is MessageType.ERROR else ""

    async def loop() -> None:
        while asyncio.get_running_loop().time() < deadline:
            answer = await one()
            counts[answer] = counts.get(answer, 0) + 1
            if answer in GONE:
                return

    await asyncio.gather(*(loop() for _ in range(int(request.get("inflight", 8)))))
    return counts


async def _first_answered(calls: list[asyncio.Future[Message | None]], count: int,
                          timeout: float) -> list[asyncio.Future[Message | None]]:
    """The first ``count`` of ``calls`` to be answered (fewer if ``timeout`` seconds pass
    first), in the order they were sent."""
    deadline = asyncio.get_running_loop().time() + timeout
    answered: set[asyncio.Future[Message | None]] = set()
    unanswered = set(calls)
    while len(answered) < count and unanswered:
        left = deadline - asyncio.get_running_loop().time()
        if left <= 0:
            break
        done, unanswered = await asyncio.wait(unanswered, timeout=left,
                                              return_when=asyncio.FIRST_COMPLETED)
        answered |= done
    return [call for call in calls if call in answered]


def _brief(reply: Message | None) -> list[str]:
    """[error name, its text] for an error reply, ["", ""] for any other."""
    if reply is None or reply.message_type is not MessageType.ERROR:
        return ["", ""]
    return [reply.error_name or "", reply.body[0] if reply.body and isinstance(reply.body[0], str)
            else ""]


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
