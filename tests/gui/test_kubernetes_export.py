"""File ▸ Export for Kubernetes…: the NIC mapping typed by the user reaches the YAML, and what
cannot be carried is listed before anything is saved."""

from __future__ import annotations

import json
from pathlib import Path

import yaml
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from netwright.gui.dialogs.kubernetes_export import KubernetesExportDialog
from netwright.gui.window.main import MainWindow

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def test_typed_nic_name_reaches_the_yaml(window: MainWindow, seed: Path, tmp_path: Path,
                                         qtbot: QtBot) -> None:
    window.open_path(seed)
    dialog = KubernetesExportDialog(window.document.contract.topology(), str(tmp_path), window)
    qtbot.addWidget(dialog)
    field = dialog.nic_fields["wlp2s0"]
    field.selectAll()
    qtbot.keyClicks(field, "eth1")
    assert dialog.summary.text() == "Everything in the design is carried."
    out = tmp_path / "seed.k8s.yaml"
    dialog.save_to(out)
    nad = next(yaml.safe_load_all(out.read_text()))
    assert json.loads(nad["spec"]["config"])["master"] == "eth1"
    field.clear()
    assert "on the nodes" in dialog.summary.text()  # an empty name is refused with a sentence


def test_the_menu_action_lists_what_is_not_carried(window: MainWindow, qtbot: QtBot) -> None:
    window.open_path(EXAMPLES / "vxlan-overlay.yaml")
    seen: list[str] = []

    def inspect() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, KubernetesExportDialog)
        seen.append(dialog.summary.text())
        seen.extend(dialog.losses.item(i).text() for i in range(dialog.losses.count()))
        dialog.reject()

    QTimer.singleShot(0, inspect)
    assert window.export_k8s_action.text() == "Export for &Kubernetes…"
    window.export_k8s_action.trigger()
    assert seen and seen[0].startswith("Not carried (4)")
    assert any(line.startswith("interfaces.vxlan-a:") for line in seen)


def test_save_waits_for_a_mapping_and_namespace_it_can_use(window: MainWindow, seed: Path,
                                                           tmp_path: Path,
                                                           qtbot: QtBot) -> None:
    """A NIC name with a space, or 'Bad_NS' as the namespace: Save stayed enabled, and
    Enter walked the user through the file dialog (even its "replace?") to "Nothing was
    saved: 'Bad_NS' is not a Kubernetes namespace name". The sentence shows as it is
    typed, and Save waits for a mapping and namespace the export can use."""
    window.open_path(seed)
    dialog = KubernetesExportDialog(window.document.contract.topology(), str(tmp_path), window)
    qtbot.addWidget(dialog)
    assert dialog.save_button.isEnabled()
    qtbot.keyClicks(dialog.namespace_field, "Bad_NS")
    assert dialog.summary.text().startswith("'Bad_NS' is not a Kubernetes namespace name")
    assert not dialog.save_button.isEnabled()
    dialog.namespace_field.selectAll()
    qtbot.keyClicks(dialog.namespace_field, "lab")
    assert dialog.save_button.isEnabled()
    field = dialog.nic_fields["wlp2s0"]
    qtbot.keyClicks(field, " x")
    assert "on the nodes" in dialog.summary.text() and not dialog.save_button.isEnabled()
