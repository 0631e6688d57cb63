"""Child process of the measured screenshot: the seed applied in a lab, checked, captured.

Run as ``python screenshot_measured.py TOPOLOGY OUTPUT.png`` with DISPLAY set, QT_QPA_PLATFORM
=xcb and XDG_RUNTIME_DIR pointing at a private directory (the lab backend it starts lives
there; the parent test stops it). Opens the topology, connects to the lab, applies it through
the Plan dialog, runs Check, selects "net1 → the parent's own IP", saves the window, then
destroys what it applied. Prints the saved size and the Checks heading on success.
"""

from __future__ import annotations

import asyncio
import sys
from pathlib import Path

from screenshot_window import idle, run_scenario, save_window


async def scenario(window: object, output: str) -> int:
    w: object = window
    if not await w.connect_backend():  # type: ignore[attr-defined]
        print("no backend:", w.backend_label.text(), file=sys.stderr)  # type: ignore[attr-defined]
        return 1
    w.plan_action.trigger()  # type: ignore[attr-defined]
    await idle(w)
    w.plan_dialog.go.click()  # type: ignore[attr-defined]  # Apply
    await idle(w)
    w.check_action.trigger()  # type: ignore[attr-defined]
    await idle(w)
    w.checks_dock.raise_()  # type: ignore[attr-defined]
    matrix = w.checks.matrix  # type: ignore[attr-defined]
    header = [matrix.target(c) for c in range(matrix.columnCount())]
    parent = next((c for c, text in enumerate(header) if "host NIC" in text), 0)
    matrix.setCurrentCell(0, parent)  # "net1 cannot reach its parent's own IP"
    w.go_to_key("mv1")  # type: ignore[attr-defined]
    w.view.fit_all()  # type: ignore[attr-defined]
    await asyncio.sleep(0.8)
    saved, width, height = save_window(w, output)
    print("saved" if saved else "not saved", width, height,
          w.checks.heading.text())  # type: ignore[attr-defined]
    w.destroy_action.trigger()  # type: ignore[attr-defined]
    await idle(w)
    w.plan_dialog.go.click()  # type: ignore[attr-defined]  # Destroy
    await idle(w)
    return 0 if saved else 1


def main(topology: str, output: str) -> int:
    def opened(window: object) -> bool:
        if window.open_path(topology):  # type: ignore[attr-defined]
            return True
        print("the topology did not open", file=sys.stderr)
        return False

    return run_scenario(lambda window: scenario(window, output), opened)


if __name__ == "__main__":
    Path(sys.argv[2]).parent.mkdir(parents=True, exist_ok=True)
    sys.exit(main(sys.argv[1], sys.argv[2]))
