"""Run a snippet with the project's BackendClient as a test user; print the outcome as JSON.

    python svc_client_run.py system 'return await client.version()'

The snippet is the body of ``async def scenario(client, seed)``; ``seed`` is the macvlan seed
text. Output: {"value": ...} or {"raised": CLASS, "message": ..., "problems": [...]}.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import textwrap
from pathlib import Path
from typing import Any

from netwright.backend.client import connect_lab, connect_system
from netwright.backend.topology import TopologyError

SEED = (Path(__file__).parent / "data" / "seed-macvlan.yaml").read_text()


def plain(value: Any) -> Any:
    if hasattr(value, "to_json") and not isinstance(value, type):  # results are records
        return plain(value.to_json())
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    return value


async def main(which: str, body: str) -> dict[str, Any]:
    namespace: dict[str, Any] = {}
    exec(
        "async def scenario(client, seed):\n" + textwrap.indent(body, "    "), namespace
    )
    client = None
    try:
        client = await (connect_system() if which == "system" else connect_lab())
        return {"value": plain(await namespace["scenario"](client, SEED))}
    except Exception as exc:
        outcome: dict[str, Any] = {"raised": type(exc).__name__, "message": str(exc)}
        if isinstance(exc, TopologyError):
            outcome["problems"] = [p.to_json() for p in exc.problems]
        return outcome
    finally:
        if client is not None:
            client.close()


if __name__ == "__main__":
    print(json.dumps(asyncio.run(main(sys.argv[1], sys.argv[2]))))
