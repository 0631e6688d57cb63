"""Child process of the live-host screenshot: a lab holding a host built in it, observed and
compared with a design, captured.

Run as ``python screenshot_live.py OUTPUT.png`` with DISPLAY set, QT_QPA_PLATFORM=xcb and
XDG_RUNTIME_DIR pointing at a private directory (the lab backend it starts lives there; the
parent test stops it). Builds the host of ``live_lab_host`` in the lab, opens the design
``DESIGN`` of test_live_host_lab (it differs from the host), opens the live host and
compares (File ▸ Open Live Host, Compare with Design), selects the drifted object, saves the
window and prints the banner and the Compare dock's heading as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

from screenshot_window import idle, run_scenario, save_window


async def scenario(window: object, output: str) -> int:
    from live_lab_host import build_lab_host
    from test_live_host_lab import DESIGN

    from netwright.backend.service.lab import running_lab_pid

    w: object = window
    if not await w.connect_backend():  # type: ignore[attr-defined]
        print("no backend:", w.backend_label.text(), file=sys.stderr)  # type: ignore[attr-defined]
        return 1
    await idle(w)
    pid = running_lab_pid()
    assert pid is not None
    host = build_lab_host(pid)
    try:
        w.document.load_text(DESIGN)  # type: ignore[attr-defined]
        w.live.open_action.trigger()  # type: ignore[attr-defined]
        await idle(w)
        w.live.compare_action.trigger()  # type: ignore[attr-defined]
        await idle(w)
        live = w.live  # type: ignore[attr-defined]
        live.go_to_key(next(d.key for d in live.comparison.differences if d.kind == "drifted"))
        await asyncio.sleep(0.8)
        saved, width, height = save_window(w, output)
        print(json.dumps({"saved": saved, "size": [width, height],
                          "banner": live.banner.label.text(),
                          "compare": live.compare_view.heading.text(),
                          "marks": live.scene.marks()}))
    finally:
        host.remove()
    return 0 if saved else 1


def main(output: str) -> int:
    return run_scenario(lambda window: scenario(window, output))


if __name__ == "__main__":
    Path(sys.argv[1]).parent.mkdir(parents=True, exist_ok=True)
    sys.exit(main(sys.argv[1]))
