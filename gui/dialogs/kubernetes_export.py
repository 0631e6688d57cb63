"""File ▸ Export for Kubernetes…: the design as Multus YAML, with what cannot be carried.

The same export as ``netwright export --format multus``: the user names the nodes' NIC for
each host NIC of the design (the CLI's ``--nic``) and, optionally, the Kubernetes namespace,
sees the list of everything the plugins cannot express before saving (nothing is dropped
silently), and saves the YAML atomically.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QVBoxLayout,
    QWidget,
)

from netwright.backend.export.multus import (
    MultusExport,
    MultusOptionError,
    check_k8s_namespace,
    export_multus,
)
from netwright.backend.export.multus_yaml import render_multus
from netwright.backend.topology.model import Topology
from netwright.backend.topology.problems import NetwrightError
from netwright.backend.topology.source import atomic_write
from netwright.gui.model.export_words import MADE_BY, RENAME_HINT, not_carried_words


class KubernetesExportError(NetwrightError):
    """The NIC mapping or the namespace is not valid, or the file could not be written."""


class KubernetesExportDialog(QDialog):
    """Asks for the nodes' NIC names, lists the losses, saves the YAML."""

    def __init__(self, topology: Topology, folder: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.topology = topology
        self.folder = folder
        self.saved_path = ""  # where Save wrote the YAML
        self.setWindowTitle("Export for Kubernetes (Multus)")
        layout = QVBoxLayout(self)
        intro = QLabel("One NetworkAttachmentDefinition per attachment (ipvlan, macvlan, vlan,"
                       " bridge with their addresses and routes) and one Pod per namespace.")
        intro.setWordWrap(True)
        layout.addWidget(intro)
        form = QFormLayout()
        self.nic_fields: dict[str, QLineEdit] = {}
        for nic in topology.host.nics:
            field = QLineEdit(nic)
            field.setToolTip(f"the name of {nic} on the cluster's nodes")
            field.textChanged.connect(self.refresh)
            self.nic_fields[nic] = field
            form.addRow(f"{nic} on the nodes:", field)
        self.namespace_field = QLineEdit()
        self.namespace_field.setPlaceholderText("the current namespace")
        self.namespace_field.textChanged.connect(self.refresh)
        form.addRow("Kubernetes namespace:", self.namespace_field)
        layout.addLayout(form)
        self.summary = QLabel()
        self.summary.setWordWrap(True)
        layout.addWidget(self.summary)
        self.losses = QListWidget()
        self.losses.setWordWrap(True)
        layout.addWidget(self.losses, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        layout.addWidget(buttons)
        self.resize(640, 420)
        self.refresh()

    def nic_map(self) -> dict[str, str]:
        return {nic: field.text().strip() for nic, field in self.nic_fields.items()}

    def export(self) -> MultusExport:
        return export_multus(self.topology, self.nic_map(), RENAME_HINT)

    def refresh(self) -> None:
        """The list of what cannot be carried, for the mapping as typed; Save only for a
        mapping and namespace the export can use (an invalid one walked the user through
        the file dialog, even its "replace?", to "Nothing was saved")."""
        self.losses.clear()
        try:
            losses = self.export().not_carried
        except MultusOptionError as exc:
            self.summary.setText(str(exc))
            self.save_button.setEnabled(False)
            return
        for note in losses:
            self.losses.addItem(not_carried_words(note, self.topology))
            self.losses.item(self.losses.count() - 1).setToolTip(f"in the file: {note.text()}")
        self.losses.setVisible(bool(losses))
        said = (f"Not carried ({len(losses)}): the cluster will not have these." if losses
                else "Everything in the design is carried.")
        try:  # a namespace being typed leaves the list of losses in view
            check_k8s_namespace(self.namespace_field.text().strip() or None)
        except MultusOptionError as exc:
            self.summary.setText(f"{exc}. {said}")
            self.save_button.setEnabled(False)
            return
        self.save_button.setEnabled(True)
        self.summary.setText(said)

    def yaml_text(self) -> str:
        namespace = self.namespace_field.text().strip() or None
        check_k8s_namespace(namespace)
        return render_multus(self.export(), namespace, made_by=MADE_BY)

    def save_to(self, path: str | Path) -> None:
        try:
            atomic_write(Path(path), self.yaml_text())
        except OSError as exc:
            raise KubernetesExportError(f"cannot write {path}: {exc.strerror or exc}") from None
        self.saved_path = str(path)  # the window says where it went

    def save(self) -> None:
        default = str(Path(self.folder) / f"{self.topology.name}.k8s.yaml")
        path, _ = QFileDialog.getSaveFileName(self, "Export for Kubernetes", default,
                                              "Kubernetes YAML (*.yaml *.yml)")
        if not path:
            return
        try:
            self.save_to(path)
        except NetwrightError as exc:
            self.summary.setText(f"Nothing was saved: {exc}")
            return
        self.accept()
