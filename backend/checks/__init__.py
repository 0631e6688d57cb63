"""Connectivity checks: who reaches whom, measured and explained (issue 5).

Public API::

    from netwright.backend.checks import CheckOptions, run_check
    from netwright.backend.checks.explain import explain

    pairs = explain(topology, outside="203.0.113.114")      # pure: predictions only
    result = await run_check(deployment, CheckOptions(outside=...), progress=cb)
    result.to_json()   # {"pairs": [{source, target, role, predicted, observed}, …], …}

``explain`` needs nothing but the model (the GUI calls it while the user designs). It is
not a name of this package: its module has the same name, and importing that module makes
the package's ``explain`` the module (tests/test_exports.py keeps names and modules apart).
``run_check`` takes the engine's ``Deployment`` (or a ``Topology`` whose namespaces exist
under their own names here), needs the rights to enter those namespaces, and calls
``progress(done, total, text)`` as it goes. Options arrive from D-Bus as a dict:
``CheckOptions.from_json(options)``. Errors are ``NetwrightError`` subclasses.

The names are imported on first use (PEP 562): the probe worker process
(``probe_worker.py``) lives in this package and must start without the model and explainer
these bring in (about 0.2 s of imports).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from netwright.backend.exports import load_export

if TYPE_CHECKING:
    from netwright.backend.checks.errors import CheckOptionsError
    from netwright.backend.checks.explain import Explainer
    from netwright.backend.checks.results import (
        CheckResult,
        Observation,
        Pair,
        Prediction,
        Target,
    )
    from netwright.backend.checks.run import CheckOptions, run_check

_EXPORTS = {"Explainer": "explain", "CheckResult": "results",
            "Observation": "results", "Pair": "results", "Prediction": "results",
            "Target": "results", "CheckOptions": "run", "CheckOptionsError": "errors",
            "run_check": "run"}


def __getattr__(name: str) -> Any:
    return load_export(__name__, _EXPORTS, name)


__all__ = [
    "CheckOptions",
    "CheckOptionsError",
    "CheckResult",
    "Explainer",
    "Observation",
    "Pair",
    "Prediction",
    "Target",
    "run_check",
]
