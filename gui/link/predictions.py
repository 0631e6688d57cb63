"""Static reachability predictions while designing (the Checks dock's lighter cells).

Uses ``netwright.backend.checks.explain`` when it is installed: the same explanation rules a
measured check compares against, so "net1 cannot reach its parent's IP" shows before Apply.
Runs shortly after the user stops editing, and only for a topology without errors.
"""

from __future__ import annotations

import importlib
from typing import Any

from PySide6.QtCore import QObject, QTimer, Signal

from netwright.backend.topology.problems import TopologyError
from netwright.gui.model.document import TopologyDocument

DELAY_MS = 300
MAX_NAMESPACES = 64  # pairs grow with the square: 1,000 namespaces would take minutes


def predict(document: TopologyDocument) -> dict[str, Any]:
    """The predicted check result, in the check's JSON shape (raises TopologyError).

    The outside is predicted too (a documentation address beyond the gateway, as a Check
    with no outside named probes), so "no default route" shows in the matrix while designing.
    So are the TCP/UDP ports a check probes besides the echo where the design has rules or
    publishes ports, as ``netwright explain`` predicts them.
    """
    try:
        explain = importlib.import_module("netwright.backend.checks.explain")
        services = importlib.import_module("netwright.backend.checks.services")
    except ImportError:
        raise LookupError("reachability predictions are not installed") from None
    topology = document.contract.topology()
    explainer = explain.Explainer(topology, explain.default_outside(topology))
    pairs = services.with_services(explainer, explainer.pairs())
    result: dict[str, Any] = {"topology": topology.name, "probed": False,
                              "pairs": [p.to_json() for p in pairs]}
    if not pairs:
        from netwright.backend.checks.nothing import nothing_to_check

        result["nothing_to_check"] = nothing_to_check(topology)
    return result


class PredictionRunner(QObject):
    predicted = Signal(dict)
    unavailable = Signal(str)

    def __init__(self, document: TopologyDocument, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.document = document
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(DELAY_MS)
        self.timer.timeout.connect(self.run)
        document.content_changed.connect(self.schedule)
        document.replaced.connect(self.schedule)
        document.reading_changed.connect(lambda reading: None if reading else self.schedule())

    def schedule(self) -> None:
        self.timer.start()

    def run(self) -> None:
        count = len(self.document.snapshot.namespaces)
        if count > MAX_NAMESPACES:
            self.unavailable.emit(f"Predictions are shown for up to {MAX_NAMESPACES} namespaces"
                                  f" (this topology has {count}); Check measures any size.")
            return
        if self.document.is_reading():
            return  # the full read of a big file is not done yet: it schedules us again
        try:
            result = predict(self.document)
        except TopologyError:
            self.unavailable.emit("Predictions appear when the Problems list has no errors.")
            return
        except LookupError as exc:
            self.unavailable.emit(f"No predictions: {exc}.")
            return
        except Exception as exc:  # another module's bug must not take the designer down
            self.unavailable.emit(f"Predictions failed: {type(exc).__name__}: {exc}")
            return
        self.predicted.emit(result)
