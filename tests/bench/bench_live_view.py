"""Benchmark (issue 17): the designer's live view of a host of 200 namespaces.

The host of ``bench_import`` (200 namespaces under /run/netns, each joined to the host by two
veth pairs: 1,000 links) is observed as netwrightd's ImportHost observes it (``host_import``,
in this process), then, best of three in the same run, offscreen at 1600×1000:

- ``live``: Open Live Host's drawing of that observation (``LiveHost.show_observation``: the
  read-only document, Graphviz's layout, the scene, fit), until the events are processed;
- ``design``: the same file opened as a design and arranged (Open, then Arrange
  Automatically): what a user did before, with ``netwright import -o FILE``.

The goal: ``live`` ≤ ``design``.

Run (root, isolated)::

    tests/tools/run-isolated .venv/bin/python tests/bench/bench_live_view.py [N ...]
"""

from __future__ import annotations

import asyncio
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import qasync
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_import import NAMESPACES, build, remove

from netwright.backend.hostimport.imports import host_import


def measure(n: int) -> dict[str, float]:
    from netwright.gui.link.live import Observation
    from netwright.gui.window.main import MainWindow

    build(n)
    try:
        found = host_import("live-host", process_tree=os.getpid())
        text, skipped = found.text, found.skipped
    finally:
        remove(n)
    app = QApplication.instance() or QApplication([])
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    live: list[float] = []
    design: list[float] = []
    with tempfile.TemporaryDirectory() as folder:
        window = MainWindow(QSettings(str(Path(folder) / "s.ini"),
                                      QSettings.Format.IniFormat))
        window.resize(1600, 1000)
        window.show()
        app.processEvents()
        for _ in range(3):
            started = time.perf_counter()
            window.live.show_live()
            loop.run_until_complete(window.live.show_observation(
                Observation(text, skipped, datetime.now(), False)))
            app.processEvents()
            live.append(time.perf_counter() - started)
            window.live.show_design()
            started = time.perf_counter()
            window.document.load_text(text)
            window.arrange()
            app.processEvents()
            design.append(time.perf_counter() - started)
        drawn = len(window.live.scene.nodes)
        window.document.undo_stack.setClean()
        window.close()
    asyncio.set_event_loop(None)
    loop.close()
    return {"n": n, "drawn": drawn, "live_s": min(live), "design_s": min(design)}


def report(row: dict[str, float]) -> None:
    print(f"{row['n']:.0f} namespaces ({row['drawn']:.0f} boxes and devices drawn): live view"
          f" {row['live_s']:.2f} s   open as a design + Arrange {row['design_s']:.2f} s"
          f"   ratio {row['live_s'] / row['design_s']:.2f}")


def test_bench_live_view() -> None:
    row = measure(NAMESPACES)
    report(row)
    assert row["drawn"] > NAMESPACES
    assert row["live_s"] <= row["design_s"]


if __name__ == "__main__":
    for size in [int(a) for a in sys.argv[1:]] or [NAMESPACES]:
        report(measure(size))
