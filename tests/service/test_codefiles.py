"""What counts as Netwright's files being replaced under a running netwrightd (codefiles.py)."""

from __future__ import annotations

import os
from pathlib import Path

from netwright.backend.service.codefiles import CodeFiles, fingerprint, package_roots
from netwright.backend.service.errors import OutdatedBackendError, error_detail
from netwright.backend.service.errors import exception_from_error as from_error
from netwright.backend.service.names import ERROR_OUTDATED


def tree(tmp_path: Path) -> Path:
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.py").write_text("A = 1\n")
    (tmp_path / "sub" / "b.py").write_text("B = 2\n")
    return tmp_path


def test_a_module_with_a_new_mtime_size_or_name_is_a_change(tmp_path: Path) -> None:
    root = tree(tmp_path)
    before = fingerprint([str(root)])
    assert fingerprint([str(root)]) == before
    os.utime(root / "a.py", ns=(1, 1))
    touched = fingerprint([str(root)])
    assert touched != before
    (root / "sub" / "b.py").write_text("B = 22\n")
    assert fingerprint([str(root)]) != touched
    grown = fingerprint([str(root)])
    (root / "sub" / "c.py").write_text("")
    assert fingerprint([str(root)]) != grown


def test_compiled_caches_and_other_files_are_no_change(tmp_path: Path) -> None:
    root = tree(tmp_path)
    before = fingerprint([str(root)])
    (root / "__pycache__").mkdir()
    (root / "__pycache__" / "a.cpython-311.pyc").write_bytes(b"\0")
    (root / "notes.txt").write_text("x")
    assert fingerprint([str(root)]) == before


def test_the_files_are_looked_at_again_only_after_the_interval_or_when_asked(
        tmp_path: Path) -> None:
    root = tree(tmp_path)
    files = CodeFiles([str(root)], recheck_seconds=3600)
    found: list[bool] = []
    files.listeners.append(lambda: found.append(True))
    os.utime(root / "a.py", ns=(1, 1))
    assert not files.replaced()  # looked less than the interval ago
    assert files.replaced(look_now=True)
    assert files.replaced() and found == [True]  # for good, and said once
    assert CodeFiles([str(root)], recheck_seconds=0).replaced() is False


def test_the_package_itself_is_fingerprinted() -> None:
    roots = package_roots()
    assert any(Path(root, "service", "codefiles.py").exists() for root in roots)
    assert fingerprint(roots) == fingerprint(roots)


def test_the_outdated_error_crosses_the_bus_with_what_comes_next() -> None:
    sent = OutdatedBackendError("older than the files", exiting=False, deployments=("upg",))
    got = from_error(ERROR_OUTDATED, str(sent), error_detail(sent))
    assert isinstance(got, OutdatedBackendError)
    assert (str(got), got.exiting, got.deployments) == ("older than the files", False, ("upg",))
    assert from_error(ERROR_OUTDATED, "x", '{"exiting": true}').exiting is True
