"""Where files come from: recent files (kept in QSettings) and the bundled examples."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSettings

MAX_RECENT = 10
RECENT_KEY = "files/recent"


def examples_dirs() -> list[Path]:
    """The examples folder next to the sources (a checkout) or where packages install it."""
    checkout = Path(__file__).resolve().parents[2]  # gui/model/files.py → the checkout
    return [checkout / "examples", Path("/usr/share/netwright/examples"),
            Path("/usr/local/share/netwright/examples")]


def examples() -> list[Path]:
    for folder in examples_dirs():
        found = sorted(folder.glob("*.yaml"))
        if found:
            return found
    return []


def example_summary(path: Path) -> str:
    """The example's one line: its top-level ``description:`` (the file's stem if none)."""
    try:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("description:"):
                return line.split(":", 1)[1].strip().strip("'\"") or path.stem
    except (OSError, UnicodeDecodeError):
        pass
    return path.stem


class RecentFiles:
    """Most recent first, without duplicates, only files that still exist."""

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    def paths(self) -> list[str]:
        value = self.settings.value(RECENT_KEY, [])  # one entry comes back as a str
        stored = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        return [p for p in stored if isinstance(p, str) and Path(p).is_file()]

    def add(self, path: str) -> None:
        resolved = str(Path(path).resolve())
        paths = [resolved, *[p for p in self.paths() if p != resolved]][:MAX_RECENT]
        self.settings.setValue(RECENT_KEY, paths)
        self.settings.sync()
