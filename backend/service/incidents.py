"""Unexpected errors: logged in full here, reported to the caller as a short id only.

A traceback tells a caller about the daemon's insides and helps nobody fix their topology;
the id lets an administrator find the full story in the journal (``journalctl -u netwrightd
| grep ID``).
"""

from __future__ import annotations

import logging
import secrets

from netwright.backend.service.codefiles import code_replaced
from netwright.backend.service.errors import (
    OUTDATED_SENTENCE,
    OutdatedBackendError,
    ServiceFailedError,
)

log = logging.getLogger("netwrightd")


def incident(exc: BaseException, doing: str) -> ServiceFailedError:
    """Log ``exc`` with its traceback under a fresh id; return the error the caller gets.

    When Netwright's files were replaced since the daemon started, the failure is most likely
    old code meeting new (a helper started from the new files, a module imported from them):
    the caller gets the Outdated error instead, which says so (see outdated.py).
    """
    if code_replaced():
        log.warning("while %s: %r, after Netwright's files were replaced", doing, exc)
        return OutdatedBackendError(
            f"{OUTDATED_SENTENCE}: it stops once it safely can, and a later command starts"
            " the new version")
    incident_id = secrets.token_hex(4)
    log.error("incident %s while %s: %r", incident_id, doing, exc, exc_info=exc)
    return ServiceFailedError(
        f"netwrightd failed unexpectedly while {doing}; the administrator can find the"
        f" details in its log under incident {incident_id}"
    )
