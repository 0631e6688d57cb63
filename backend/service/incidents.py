"""Unexpected errors: logged in full here, reported to the caller as a short id only.

A traceback tells a caller about the daemon's insides and helps nobody fix their topology;
the id lets an administrator find the full story in the journal (``journalctl -u netwrightd
| grep ID``).
"""

from __future__ import annotations

import logging
import secrets

from netwright.backend.service.errors import ServiceFailedError

log = logging.getLogger("netwrightd")


def incident(exc: BaseException, doing: str) -> ServiceFailedError:
    """Log ``exc`` with its traceback under a fresh id; return the error the caller gets."""
    incident_id = secrets.token_hex(4)
    log.error("incident %s while %s: %r", incident_id, doing, exc, exc_info=exc)
    return ServiceFailedError(
        f"netwrightd failed unexpectedly while {doing}; the administrator can find the"
        f" details in its log under incident {incident_id}"
    )
