"""The designer meets a lab started before Netwright's files were replaced (an upgrade).

The lab runs from a copy of ``netwright.backend`` (PYTHONPATH; the checkout is untouched);
after a module of the copy changes, Apply (which plans first: "Apply plan" is where the
reported "netwrightd failed unexpectedly … incident" came from) is made on a new lab, and
the status bar and the log say that one was started. A lab that holds a deployment keeps
it: the designer shows the lab's sentence (what it holds, how to end it) and, on quit, still
asks whether to keep the lab or stop it.
"""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from lab_waits import idle

from netwright.backend.client.client import RENEWED_LAB
from netwright.backend.service.errors import OUTDATED_SENTENCE
from netwright.backend.service.lab import running_lab_pid
from netwright.gui.window.main import MainWindow
from tests.tools.code_copy import copy_backend, replace_module


def test_apply_on_an_outdated_empty_lab_goes_to_a_new_lab(
        window: MainWindow, own_lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        loop: asyncio.AbstractEventLoop) -> None:
    package = copy_backend(tmp_path / "code")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "code"))
    monkeypatch.setenv("NETWRIGHT_CODE_RECHECK_SECONDS", "0")  # look at every call
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    old = running_lab_pid()
    design = tmp_path / "upg.yaml"
    design.write_text("netwright: 1\nname: guiupg\nnamespaces:\n  a: {}\n")
    assert window.open_path(design)
    loop.run_until_complete(idle(window))

    replace_module(package, "engine/__init__.py")
    messages: list[str] = []
    window.statusBar().messageChanged.connect(messages.append)
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))

    said = RENEWED_LAB.removeprefix("netwright: ")
    log = window.log.toPlainText()
    assert said in log and "Apply: done" in log and "incident" not in log, log
    assert said in messages, messages
    assert running_lab_pid() not in (None, old)


def test_an_outdated_lab_that_holds_a_deployment_says_so_and_quit_still_asks(
        window: MainWindow, own_lab: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        loop: asyncio.AbstractEventLoop) -> None:
    package = copy_backend(tmp_path / "code")
    monkeypatch.setenv("PYTHONPATH", str(tmp_path / "code"))
    monkeypatch.setenv("NETWRIGHT_CODE_RECHECK_SECONDS", "0")
    assert loop.run_until_complete(window.connect_backend()), window.backend_label.text()
    design = tmp_path / "held.yaml"
    design.write_text("netwright: 1\nname: guiheld\nnamespaces:\n  a: {}\n")
    assert window.open_path(design)
    window.apply_action.trigger()
    loop.run_until_complete(idle(window))
    assert "Apply: done" in window.log.toPlainText()
    old = running_lab_pid()

    replace_module(package, "engine/__init__.py")
    window.plan_action.trigger()
    loop.run_until_complete(idle(window))
    log = window.log.toPlainText()
    assert OUTDATED_SENTENCE in log and "it holds guiheld" in log, log
    assert "netwright lab stop" in log and "incident" not in log, log
    assert running_lab_pid() == old
    # the status bar says it short, the whole sentence in its tooltip and the log (it was
    # the whole sentence, cut off mid-word, under the last deployment's tooltip)
    loop.run_until_complete(window._ask_status())
    assert window.deploy_label.text() == "status unknown (see Plan / Log)"
    assert OUTDATED_SENTENCE in window.deploy_label.toolTip()
    assert window.log.toPlainText().splitlines()[-1] == window.deploy_label.toolTip()

    window.document.undo_stack.setClean()

    async def quit_and_wait() -> None:  # the question is asked on the designer's loop
        window.quit_action.trigger()
        deadline = time.monotonic() + 10
        while window.lab_quit_dialog is None and window.isVisible():
            assert time.monotonic() < deadline, "quit neither closed nor asked"
            await asyncio.sleep(0.05)

    loop.run_until_complete(quit_and_wait())
    asked = window.lab_quit_dialog
    assert asked is not None and asked.text() == "The lab still holds guiheld."
    asked.keep_button.click()
