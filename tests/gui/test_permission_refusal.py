"""An Apply netwrightd refuses for a permission it needs besides apply (io.netwright.host for
the machine's own forwarding and NAT) is said in the designer as netwrightd says it: what
needed which permission, and that nothing was changed — never the error's class name."""

from __future__ import annotations

from pathlib import Path

from netwright.backend.service.apply_needs import needs
from netwright.backend.service.errors import NotAuthorizedError
from netwright.backend.topology import parse_topology
from netwright.gui.window.main import MainWindow

ROUTER = """netwright: 1
name: gw
host:
  nics: {wlp2s0: {addresses: [192.168.31.240/24]}}
  forwarding: {ipv4: true}
  nat: [{masquerade: {from: 10.77.0.0/24, out: wlp2s0}}]
"""


def test_a_refused_host_change_names_the_permission(window: MainWindow,
                                                    tmp_path: Path) -> None:
    design = tmp_path / "gw.yaml"
    design.write_text(ROUTER)
    assert window.open_path(design)
    window.scene.clearSelection()
    [host] = needs(None, parse_topology(ROUTER))
    denied = NotAuthorizedError("not authorized to …", "io.netwright.host was denied")
    refusal = host.refusal("gw", denied)
    window._on_backend_failed("Apply", NotAuthorizedError(str(refusal)))  # as the client has it
    last = window.log.toPlainText().splitlines()[-1]
    assert last == (
        "Apply failed: applying gw would change this machine's own forwarding, NAT, firewall,"
        " routes or NICs (IPv4 forwarding on, masquerade of 10.77.0.0/24 out of wlp2s0), which"
        " needs the permission to do so (io.netwright.host) besides io.netwright.apply; nothing was"
        " changed: io.netwright.host was denied"), last
    bar = window.statusBar()  # as much as fits beside its widgets, the whole a tooltip
    assert last.startswith(bar.currentMessage().removesuffix("…"))
    assert bar.currentMessage() == last or bar.toolTip() == last
    # a permission is nobody's fault on the canvas: nothing the sentence names is selected
    assert window.scene.selected_keys() == []


def test_a_plan_that_needs_a_permission_is_shown_before_it_is_asked(window: MainWindow,
                                                                     tmp_path: Path) -> None:
    """A plan that only creates runs at once, unless netwrightd says it needs a permission
    besides apply: then the plan dialog shows the note before polkit asks for a password."""
    design = tmp_path / "gw.yaml"
    design.write_text(ROUTER)
    assert window.open_path(design)
    [host] = needs(None, parse_topology(ROUTER))
    steps = [{"action": "create", "object": "nat",
              "text": "create nftables table ip netwright-gw in the host (1 rule)"}]
    window.plan_dialog = None
    window._apply_planned({"topology": "gw", "steps": steps})  # a lab's plan: nobody asked
    assert window.plan_dialog is None
    note = f"{host.sentence('gw')}."
    window._apply_planned({"topology": "gw", "steps": steps, "notes": [note],
                           "needs": [host.action]})
    dialog = window.plan_dialog
    assert dialog is not None and dialog.isVisible()
    assert note in dialog.notes and dialog.notes_label.isVisible()
    assert dialog.go.isEnabled()
    dialog.reject()
