"""Benchmark (issue 15): how readable Arrange Automatically makes the examples and a
generated 200-namespace design: wire crossings, wires through boxes that are not theirs, boxes
on top of each other, and the size of label text at Fit (pixels on screen).

Run::

    tests/tools/run-isolated .venv/bin/python -m pytest tests/bench/bench_layout.py -s
    QT_QPA_PLATFORM=offscreen .venv/bin/python tests/bench/bench_layout.py
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtGui import QFontInfo
from PySide6.QtWidgets import QApplication

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_gui import generated_topology

REPO = Path(__file__).resolve().parents[2]
RESULTS = REPO / "artifacts" / "bench" / "layout.json"
EXAMPLES = ("openstack-linuxbridge", "vxlan-overlay", "docker-bridge", "macvlan-bridge",
            "seed-ipvlan-l2")


def measure_file(path: Path, arrange: bool) -> dict[str, float]:
    """Open ``path`` in a 1600×1000 window (arranged first if asked), fit, and count."""
    from netwright.gui.canvas.items import _LABEL_FONT
    from netwright.gui.canvas.metrics import measure_scene
    from netwright.gui.window.main import MainWindow

    app = QApplication.instance() or QApplication([])
    with tempfile.TemporaryDirectory() as folder:
        settings = QSettings(str(Path(folder) / "s.ini"), QSettings.Format.IniFormat)
        window = MainWindow(settings)
        window.resize(1600, 1000)
        window.show()
        app.processEvents()
        assert window.open_path(path)
        window.document.finish_reading()
        took = 0.0
        if arrange:
            start = time.perf_counter()
            assert window.arrange()
            took = time.perf_counter() - start
        window.view.fit_all()
        app.processEvents()
        result: dict[str, float] = dict(measure_scene(window.scene).as_dict())
        result["label_px_at_fit"] = round(window.view.zoom()
                                          * QFontInfo(_LABEL_FONT).pixelSize(), 1)
        if arrange:
            result["arrange_s"] = round(took, 2)
        window.document.undo_stack.setClean()
        window.close()
    return result


def run() -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for name in EXAMPLES:
        path = REPO / "examples" / f"{name}.yaml"
        out[name] = {"as_saved": measure_file(path, False), "arranged": measure_file(path, True)}
    with tempfile.TemporaryDirectory() as folder:
        generated = Path(folder) / "generated-200.yaml"
        text = generated_topology(200)
        generated.write_text(text[:text.index("layout:")])  # positions come from the layout
        out["generated-200"] = {"arranged": measure_file(generated, True)}
    return out


def test_arranged_designs_are_readable() -> None:
    result = run()
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(result, indent=2) + "\n")
    print("\n" + json.dumps(result, indent=2))
    for name in EXAMPLES:
        arranged = result[name]["arranged"]
        # vxlan-overlay: each vxlan's remote is the other host's underlay address, so the two
        # remote wires between the two boxes cross once.
        assert arranged["wire_crossings"] == (1 if name == "vxlan-overlay" else 0), \
            (name, arranged)
        assert arranged["wires_through_boxes"] == 0, (name, arranged)
        assert arranged["box_overlaps"] == 0, (name, arranged)
        assert arranged["label_px_at_fit"] >= 10, (name, arranged)
    assert result["generated-200"]["arranged"]["box_overlaps"] == 0


if __name__ == "__main__":
    print(json.dumps(run(), indent=2))
