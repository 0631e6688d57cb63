"""Check from address… in the window: a row of the Checks dock measured again from one of its
source's addresses (``netwright check --from ADDR`` per pair in the designer).

A mixin of ``MainWindow`` (typed by ``WindowParts``). Right-click a row's header (the source)
or one of its cells: one entry per address of that source, "Check from 10.0.0.1 (eth0)",
enabled once the design is deployed. The backend probes only from that address; its row
replaces the row of the last measurement (the others stay), each of its cells saying what it
was sent from, and the dock opens on it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QMenu

from netwright.gui.model.check_from import merged_row, source_addresses

if TYPE_CHECKING:
    from netwright.gui.window.parts import WindowBase as _Base
else:
    _Base = object

NOT_DEPLOYED_TIP = "Apply the design first: a check measures the deployed design"


class CheckFromActions(_Base):
    """The Checks dock's "Check from <address>" entries and the check they start."""

    row_menu: QMenu | None = None

    def connect_check_from(self) -> None:
        """Right-click on a row header of the Checks matrix."""
        header = self.checks.matrix.verticalHeader()
        header.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        header.customContextMenuRequested.connect(self._row_menu)

    def _row_menu(self, point: QPoint) -> None:
        header = self.checks.matrix.verticalHeader()
        source = self.checks.matrix.source(header.logicalIndexAt(point))
        if source is None:
            return
        menu = QMenu(header)
        if not self.check_from_entries(menu, source):
            return
        self.row_menu = menu
        menu.popup(header.mapToGlobal(point))

    def check_from_entries(self, menu: QMenu, source: str) -> bool:
        """One entry per address of ``source`` (a row of the matrix); False when it has none."""
        addresses = source_addresses(self.document.snapshot, source)
        deployed = self.runner.backend is not None and self.deployment.deployed
        for address, key in addresses:
            entry = menu.addAction(f"Check from {address} ({key})")
            entry.triggered.connect(
                lambda _checked=False, a=address: self.check_from_address(source, a))
            entry.setEnabled(deployed)
            if not deployed:
                entry.setToolTip(NOT_DEPLOYED_TIP)
        return bool(addresses)

    def check_from_address(self, source: str, address: str) -> bool:
        """Measure row ``source`` again, every probe sent from ``address``."""
        name = self._topology_name()
        self._check_focus = source
        started = self._run("Check", lambda: self._check_from(name, source, address))
        if started:
            self.log.appendPlainText(f"Check: {source}'s row, sent from {address}")
        return started

    async def _check_from(self, name: str, source: str, address: str) -> dict[str, Any]:
        backend: Any = self.runner.backend
        # ADDR@PLACE: an address two places hold (isolated segments, or an IPv6 address one
        # lost to DAD) alone means the place that keeps it, whose pairs are another row's
        report = await backend.check_job(name, self.runner.report_progress,
                                         source=f"{address}@{source}")
        fresh = report.to_json() if hasattr(report, "to_json") else dict(report)
        return merged_row(self.checks.measured, fresh, source, address)
