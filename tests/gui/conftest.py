"""Qt runs headless here (the offscreen platform); settings go to a private folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication

from netwright.gui.clipboard import release

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = REPO / "examples"
SEED = EXAMPLES / "seed-ipvlan-l2.yaml"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if Path(str(item.fspath)).parent == Path(__file__).parent:
            item.add_marker(pytest.mark.gui)


@pytest.fixture
def seed() -> Path:
    return SEED


@pytest.fixture
def settings(tmp_path: Path) -> Iterator[QSettings]:
    """Recent files and window state of one test, in a file of its own."""
    store = QSettings(str(tmp_path / "netwright.ini"), QSettings.Format.IniFormat)
    yield store
    store.sync()


@pytest.fixture
def window(qtbot, settings):  # type: ignore[no-untyped-def]
    """The real main window, shown (offscreen), with no backend connected."""
    from netwright.gui.main_window import MainWindow

    main = MainWindow(settings)
    main.show()
    qtbot.waitExposed(main)
    yield main
    main.document.undo_stack.setClean()  # closing must not ask in teardown
    main.close()
    main.deleteLater()
    release(QApplication.clipboard())
