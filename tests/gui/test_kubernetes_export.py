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
    assert any(line.startswith("interface vxlan-a: ") for line in seen), seen


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


def test_the_losses_and_the_header_speak_the_designers_words(window: MainWindow, qtbot: QtBot,
                                                             tmp_path: Path) -> None:
    """Not "host.nat[0]: …" and "rename with --nic wlp2s0=NAME": the designer names the
    entry and its own field (the file's path stays in the tooltip)."""
    window.open_path(EXAMPLES / "docker-bridge.yaml")
    dialog = KubernetesExportDialog(window.document.contract.topology(), str(tmp_path), window)
    qtbot.addWidget(dialog)
    items = [dialog.losses.item(i) for i in range(dialog.losses.count())]
    nat = next(item for item in items if "masquerade 172.17.0.0/16" in item.text())
    assert nat.text().startswith(
        "the host's NAT entry 1 (masquerade 172.17.0.0/16 out wlp2s0): the node's masquerade")
    assert nat.toolTip().startswith("in the file: host.nat[0]: ")
    assert not any(item.text().startswith(("host.", "interfaces.", "namespaces."))
                   for item in items)
    header = " ".join(dialog.yaml_text().split("---", 1)[0].replace("#", "").split())
    assert "--nic" not in header and "netwright export" not in header
    assert '"wlp2s0 on the nodes"' in header and "File › Export for Kubernetes" in header


def test_a_dotted_key_is_read_as_one_key() -> None:
    from netwright.backend.topology import parse_topology
    from netwright.gui.model.export_words import model_path

    topology = parse_topology("netwright: 1\nname: v\ninterfaces:\n  eth0: {kind: dummy}\n"
                              "  eth0.100: {kind: vlan, parent: eth0, id: 100}\n")
    assert model_path("interfaces.eth0.100.mtu", topology) == ("interfaces", "eth0.100", "mtu")
    assert model_path("host.nat[0]", topology) == ("host", "nat", 0)


def test_the_window_says_where_the_yaml_went(window: MainWindow, seed: Path,
                                            tmp_path: Path) -> None:
    """Saved from the menu, the export said nothing: the other exports say "exported …"."""
    window.open_path(seed)
    out = tmp_path / "seed.k8s.yaml"

    def save() -> None:
        dialog = QApplication.activeModalWidget()
        assert isinstance(dialog, KubernetesExportDialog)
        dialog.save_to(out)  # what Save does once the file dialog named the file
        dialog.accept()

    QTimer.singleShot(0, save)
    window.export_k8s_action.trigger()
    assert out.exists()
    assert window.statusBar().currentMessage() == f"exported {out}"


def test_a_namespace_being_typed_keeps_the_losses_in_view(window: MainWindow,
                                                          qtbot: QtBot, tmp_path: Path) -> None:
    """Typing the namespace ("My_NS" on the way to "my-ns") emptied the list of what the
    cluster will not have, until the name was valid again."""
    window.open_path(EXAMPLES / "vxlan-overlay.yaml")
    dialog = KubernetesExportDialog(window.document.contract.topology(), str(tmp_path), window)
    qtbot.addWidget(dialog)
    listed = dialog.losses.count()
    assert listed == 4
    qtbot.keyClicks(dialog.namespace_field, "My_NS")
    assert dialog.summary.text().startswith("'My_NS' is not a Kubernetes namespace name")
    assert dialog.summary.text().endswith("Not carried (4): the cluster will not have these.")
    assert dialog.losses.count() == listed and not dialog.save_button.isEnabled()
