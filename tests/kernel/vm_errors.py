"""The one error the stock-kernel VM tooling raises: a sentence saying what failed and the fix.

The tooling runs with the system's plain ``python3`` (stdlib only) before any project code is
importable, so this is not a ``NetwrightError``; ``run-in-vm`` prints it and exits with
``EXIT_VM_FAILED`` so a broken VM can never pass for a passing (or skipped) test tier.
"""

from __future__ import annotations

EXIT_VM_FAILED = 125  # the VM could not be prepared or started, or never ran the command
EXIT_VM_TIMEOUT = 124  # the guest did not boot, or the command did not end, in time


class VmError(Exception):
    """The VM could not be prepared, started, or did not report the command's exit code."""

    def __init__(self, message: str, exit_code: int = EXIT_VM_FAILED) -> None:
        super().__init__(message)
        self.exit_code = exit_code


class FileServerError(VmError):
    """virtiofsd could not serve a share (the VM did not start; 9p may still work)."""
