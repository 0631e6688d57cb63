"""Under a real X server (Xvfb + Qt's xcb platform): open the seed and save a screenshot.

The screenshot is an artifact at ``artifacts/screenshots/main-window.png``; the README's
picture (packaging/screenshots/netwright-main.png) is a reviewed copy of one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.gui.xserver import running_xvfb

REPO = Path(__file__).resolve().parents[2]
ARTIFACT = REPO / "artifacts" / "screenshots" / "main-window.png"
CHILD = Path(__file__).with_name("screenshot_main.py")


@pytest.fixture
def xvfb() -> Iterator[str]:
    """A private 1600×1000 Xvfb on a free display."""
    with running_xvfb(1600, 1000) as display:
        yield display


def test_screenshot_of_the_main_window_under_xvfb(xvfb: str, seed: Path) -> None:
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb"}
    env.pop("WAYLAND_DISPLAY", None)
    ARTIFACT.unlink(missing_ok=True)
    child = subprocess.run([sys.executable, str(CHILD), str(seed), str(ARTIFACT)], env=env,
                           capture_output=True, text=True, timeout=120, check=False)
    assert child.returncode == 0, child.stderr[-3000:]
    assert child.stdout.startswith("saved"), child.stdout
    assert "Predicted from the design" in child.stdout or "No predictions" in child.stdout
    image = QImage(str(ARTIFACT))
    assert (image.width(), image.height()) == (1600, 1000)
    colours = {image.pixel(x, y) for x in range(0, 1600, 9) for y in range(0, 1000, 9)}
    assert len(colours) > 50, "the screenshot is blank"


WELCOME = REPO / "artifacts" / "screenshots" / "welcome.png"
ARRANGED = REPO / "artifacts" / "screenshots" / "openstack-arranged.png"


def test_screenshots_of_the_welcome_state_and_the_arranged_openstack_example(xvfb: str) -> None:
    """The empty canvas's welcome, then OpenStack after Arrange Automatically: no crossings,
    no wire through a box, no box on another, and labels readable at Fit."""
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb"}
    env.pop("WAYLAND_DISPLAY", None)
    for old in (WELCOME, ARRANGED):
        old.unlink(missing_ok=True)
    child = subprocess.run([sys.executable, str(CHILD.with_name("screenshot_layout.py")),
                            str(WELCOME), str(ARRANGED)], env=env, capture_output=True,
                           text=True, timeout=120, check=False)
    assert child.returncode == 0, child.stdout + child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["welcome_shown"] and not seen["welcome_after"]
    assert (seen["wire_crossings"], seen["wires_through_boxes"], seen["box_overlaps"]) == (0, 0, 0)
    assert seen["label_px_at_fit"] >= 10
    for path in (WELCOME, ARRANGED):
        image = QImage(str(path))
        assert (image.width(), image.height()) == (1600, 1000)
        colours = {image.pixel(x, y) for x in range(0, 1600, 9) for y in range(0, 1000, 9)}
        assert len(colours) > 50, f"{path.name} is blank"


MEASURED = REPO / "artifacts" / "screenshots" / "main-window-checked.png"
SEED_MACVLAN = REPO / "tests" / "service" / "data" / "seed-macvlan.yaml"


def test_screenshot_after_apply_and_check_in_the_lab(xvfb: str, own_lab: Path) -> None:
    """The seed (macvlan standing in for ipvlan on this kernel) applied in a lab and checked."""
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb",
           "XDG_RUNTIME_DIR": str(own_lab)}
    env.pop("WAYLAND_DISPLAY", None)
    MEASURED.unlink(missing_ok=True)
    child = subprocess.run(
        [sys.executable, str(CHILD.with_name("screenshot_measured.py")), str(SEED_MACVLAN),
         str(MEASURED)], env=env, capture_output=True, text=True, timeout=240, check=False)
    assert child.returncode == 0, child.stdout + child.stderr[-3000:]
    assert child.stdout.startswith("saved 1600 1000 Measured"), child.stdout
    image = QImage(str(MEASURED))
    colours = {image.pixel(x, y) for x in range(0, 1600, 9) for y in range(0, 1000, 9)}
    assert len(colours) > 50, "the screenshot is blank"


LIVE = REPO / "artifacts" / "screenshots" / "live-host-compared.png"


def test_screenshot_of_the_live_host_compared_with_a_design_in_the_lab(
        xvfb: str, own_lab: Path) -> None:
    """A host built in the lab, opened as the live host and compared with a design."""
    env = {**os.environ, "DISPLAY": xvfb, "QT_QPA_PLATFORM": "xcb",
           "XDG_RUNTIME_DIR": str(own_lab)}
    env.pop("WAYLAND_DISPLAY", None)
    LIVE.unlink(missing_ok=True)
    child = subprocess.run([sys.executable, str(CHILD.with_name("screenshot_live.py")),
                            str(LIVE)], env=env, capture_output=True, text=True, timeout=240,
                           check=False)
    assert child.returncode == 0, child.stdout + child.stderr[-3000:]
    seen = json.loads(child.stdout.strip().splitlines()[-1])
    assert seen["saved"] and seen["size"] == [1600, 1000]
    assert seen["banner"].startswith("Live host (lab) — read-only (observed ")
    assert seen["compare"] == ("guilive against the live host: 3 missing on the host,"
                               " 7 extra on the host, 1 drifted"), seen["compare"]
    assert {seen["marks"][k] for k in ("blue", "b1", "b2")} == {"missing"}
    image = QImage(str(LIVE))
    colours = {image.pixel(x, y) for x in range(0, 1600, 9) for y in range(0, 1000, 9)}
    assert len(colours) > 50, "the screenshot is blank"
