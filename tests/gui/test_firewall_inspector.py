"""Forwarding, NAT and firewall rules edited in the Inspector with real keys and clicks.

Each gesture is one undo step through the document, the file keeps its comments, and a
value the model refuses shows the model's sentence under the table instead of being applied.
"""

from __future__ import annotations

import re
from pathlib import Path

import gestures
from fw_design import DESIGN
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QComboBox, QLineEdit, QTableWidget

from netwright.gui.docks.packet_panel import PacketPanel, PortFirewallPanel
from netwright.gui.model.rule_rows import NAT_COLUMNS
from netwright.gui.window.main import MainWindow


def _open(window: MainWindow, tmp_path: Path) -> Path:
    path = tmp_path / "fw.yaml"
    path.write_text(DESIGN)
    assert window.open_path(path)
    return path


def _type_into_cell(table: QTableWidget, row: int, column: int, text: str) -> None:
    """Select the cell with the keyboard's focus, F2, replace the text, Enter."""
    table.setFocus()
    table.setCurrentCell(row, column)
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert editor is not table, "F2 opened no editor"
    if isinstance(editor, QLineEdit):
        QTest.keyClick(editor, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    QTest.keyClicks(editor, text)
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()


def _namespace_panel(window: MainWindow, key: str | None) -> PacketPanel:
    """The Inspector's packet panel of namespace ``key`` (None: the host's, nothing selected)."""
    if key is None:
        window.scene.clearSelection()
    else:
        window.scene.select_keys([key])
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PacketPanel)
    return panel


def test_edit_a_rule_cell_undo_redo_and_save(window: MainWindow, tmp_path: Path) -> None:
    path = _open(window, tmp_path)
    panel = _namespace_panel(window, "c1")
    table = panel.chains["input"].rules.table
    assert table.rowCount() == 2
    assert table.item(0, 2).text() == "22"
    _type_into_cell(table, 0, 2, "2222")
    rules = ("namespaces", "c1", "firewall", "input", "rules")
    assert window.document.get((*rules, 0, "dport")) == 2222
    stack = window.document.undo_stack
    assert stack.text(stack.index() - 1) == "Change c1 input rule 1"
    window.undo_action.trigger()
    assert window.document.get((*rules, 0, "dport")) == 22
    assert table.item(0, 2).text() == "22"
    window.redo_action.trigger()
    assert table.item(0, 2).text() == "2222"
    window.document.save(path)
    text = path.read_text()
    assert re.search(r"- \{action: accept, proto: tcp, dport: 2222\} +# ssh in\n", text)
    assert "# the uplink the containers leave through" in text
    assert "# docker's rule" in text
    window.open_path(path)
    panel = _namespace_panel(window, "c1")
    assert panel.chains["input"].rules.table.item(0, 2).text() == "2222"


def test_a_choice_cell_opens_wide_enough_to_read(window: MainWindow, tmp_path: Path) -> None:
    """F2 on a proto cell opened a combo box as narrow as the column: its arrow left "tc"
    of "tcp" to read (and "uc" of "udp")."""
    _open(window, tmp_path)
    table = _namespace_panel(window, "c1").chains["input"].rules.table
    table.setFocus()
    table.setCurrentCell(0, 1)
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox) and editor.currentText() == "tcp"
    assert editor.width() >= editor.sizeHint().width() > table.columnWidth(1)
    QTest.keyClick(editor, Qt.Key.Key_Escape)


def test_a_port_range_the_model_refuses_shows_its_sentence(window: MainWindow,
                                                           tmp_path: Path) -> None:
    _open(window, tmp_path)
    panel = _namespace_panel(window, "c1")
    editor = panel.chains["input"]
    count = window.document.undo_stack.count()
    _type_into_cell(editor.rules.table, 0, 2, "2000-1000")
    assert window.document.get(("namespaces", "c1", "firewall", "input", "rules", 0,
                                "dport")) == 22
    assert window.document.undo_stack.count() == count
    assert editor.error.isVisible()
    assert "'2000-1000' is not a port or a range of ports" in editor.error.text()
    QApplication.processEvents()
    assert not editor.error.visibleRegion().isEmpty()  # in view, not scrolled away


def test_a_refused_cell_wiped_by_another_edit_takes_its_sentence_along(
        window: MainWindow, tmp_path: Path) -> None:
    """'docker9' typed in a rule's "in" (refused), then forwarding turned on: the table showed
    the rule as the file has it again, but the sentence about 'docker9' stayed above it.
    (A table is rebuilt from the file: the refused typing goes, and its sentence with it.)"""
    _open(window, tmp_path)
    panel = _namespace_panel(window, "c1")
    editor = panel.chains["input"]
    column = editor.rules.columns.index("in")
    _type_into_cell(editor.rules.table, 0, column, "docker9")
    assert "'docker9'" in editor.error.text() and editor.error.isVisibleTo(editor)
    forwarding = panel.forwarding["ipv4"]
    forwarding.setFocus()
    QTest.keyClick(forwarding, Qt.Key.Key_Down)  # "on", from the keyboard
    QTest.keyClick(forwarding, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert window.document.get(("namespaces", "c1", "forwarding", "ipv4")) is True
    assert editor.rules.table.item(0, column).text() == ""
    assert not editor.error.isVisibleTo(editor)


def test_row_buttons_are_enabled_only_for_a_row_they_can_move_or_remove(
        window: MainWindow, tmp_path: Path) -> None:
    """A table just shown has no current row: Remove, ▲ and ▼ were enabled and a click did
    nothing; ▲ on the first row and ▼ on the last did nothing either."""
    _open(window, tmp_path)
    rules = _namespace_panel(window, "c1").chains["input"].rules
    buttons = rules.buttons
    assert rules.table.rowCount() == 2 and rules.current_row() == -1
    assert [buttons[g].isEnabled() for g in ("add", "remove", "up", "down")] == [
        True, False, False, False]
    rect = rules.table.visualItemRect(rules.table.item(0, 0))
    QTest.mouseClick(rules.table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert [buttons[g].isEnabled() for g in ("remove", "up", "down")] == [True, False, True]
    QTest.keyClick(rules.table, Qt.Key.Key_Down)
    assert [buttons[g].isEnabled() for g in ("remove", "up", "down")] == [True, True, False]
    QTest.mouseClick(buttons["up"], Qt.MouseButton.LeftButton)  # the row and the keys follow
    assert rules.current_row() == 0
    assert [buttons[g].isEnabled() for g in ("remove", "up", "down")] == [True, False, True]


def test_add_move_remove_rules_and_policy_each_one_step(window: MainWindow,
                                                        tmp_path: Path) -> None:
    _open(window, tmp_path)
    panel = _namespace_panel(window, "c1")
    editor = panel.chains["input"]
    table = editor.rules.table
    stack = window.document.undo_stack
    start = stack.count()
    table.setFocus()
    table.setCurrentCell(1, 0)
    QTest.keyClick(table, Qt.Key.Key_Insert)  # a new accept rule after the current one
    rules = ("namespaces", "c1", "firewall", "input", "rules")
    assert [dict(r) for r in window.document.get(rules)][2] == {"action": "accept"}
    assert table.currentRow() == 2
    _type_into_cell(table, 2, 1, "udp")
    _type_into_cell(table, 2, 2, "53")
    QTest.keyClick(table, Qt.Key.Key_Up, Qt.KeyboardModifier.ControlModifier)
    assert dict(window.document.get((*rules, 1))) == {"action": "accept", "proto": "udp",
                                                       "dport": 53}
    assert table.item(1, 2).text() == "53"
    QTest.mouseClick(editor.rules.buttons["up"], Qt.MouseButton.LeftButton)
    assert dict(window.document.get((*rules, 0)))["dport"] == 53
    assert window.document.get((*rules, 1, "dport")) == 22
    table.setCurrentCell(1, 0)
    QTest.keyClick(table, Qt.Key.Key_Delete)
    assert [r.get("dport") for r in window.document.get(rules)] == [53, None]
    editor.policy.setFocus()
    editor.policy.setCurrentText("accept")
    editor.policy.activated.emit(editor.policy.currentIndex())
    assert window.document.get(("namespaces", "c1", "firewall", "input", "policy")) == "accept"
    QTest.mouseClick(editor.stateful, Qt.MouseButton.LeftButton)
    assert window.document.get(("namespaces", "c1", "firewall", "input", "stateful")) is True
    assert stack.count() - start == 8
    for _ in range(8):
        window.undo_action.trigger()
    assert [dict(r) for r in window.document.get(rules)] == [
        {"action": "accept", "proto": "tcp", "dport": 22}, {"action": "accept", "proto": "icmp"}]
    assert "# ssh in" in window.document.render()


def test_host_forwarding_and_nat_from_the_topology_view(window: MainWindow,
                                                        tmp_path: Path) -> None:
    path = _open(window, tmp_path)
    panel = _namespace_panel(window, None)
    assert panel.forwarding["ipv4"].currentText() == "on"
    nat = panel.nat.entries.table
    assert [nat.item(0, c).text() for c in range(3)] == ["masquerade", "172.17.0.0/16", "wlp2s0"]
    assert panel.nat.add("publish")
    entry = dict(window.document.get(("host", "nat", 1, "publish")))
    assert entry == {"proto": "tcp", "port": 8080, "in": "wlp2s0", "to": "172.17.0.2",
                     "to-port": 80}
    _type_into_cell(nat, 1, 5, "8443")  # the published port
    assert window.document.get(("host", "nat", 1, "publish", "port")) == 8443
    combo = panel.forwarding["ipv6"]
    combo.setCurrentIndex(1)
    combo.activated.emit(1)
    assert window.document.get(("host", "forwarding")) == {"ipv4": True, "ipv6": True}
    window.document.save(path)
    text = path.read_text()
    assert "# docker's rule" in text
    assert "publish: {proto: tcp, port: 8443, in: wlp2s0, to: 172.17.0.2, to-port: 80}" in text


def test_the_type_column_turns_an_entry_into_another_kind_filled_in(
        window: MainWindow, tmp_path: Path) -> None:
    """masquerade → snat in the type column was refused ("snat needs 'to'"), and a
    masquerade has no 'to' cell to fill first: the column could never make an SNAT. The new
    kind's fields are filled as Add… fills them (a publish keeps nothing of an snat: its
    'to' is where packets go, not the source they get)."""
    _open(window, tmp_path)
    panel = _namespace_panel(window, None)
    nat = panel.nat.entries.table
    _type_into_cell(nat, 0, 0, "snat")
    assert not panel.nat.error.isVisibleTo(panel.nat), panel.nat.error.text()
    assert dict(window.document.get(("host", "nat", 0, "snat"))) == {
        "from": "172.17.0.0/16", "out": "wlp2s0", "to": "192.168.31.240"}
    _type_into_cell(nat, 0, 0, "publish")
    assert dict(window.document.get(("host", "nat", 0, "publish"))) == {
        "proto": "tcp", "port": 8080, "in": "wlp2s0", "to": "172.17.0.2", "to-port": 80}
    _type_into_cell(nat, 0, 0, "masquerade")
    assert dict(window.document.get(("host", "nat", 0, "masquerade"))) == {
        "from": "172.17.0.0/16", "out": "wlp2s0"}
    window.undo_action.trigger()
    window.undo_action.trigger()
    assert dict(window.document.get(("host", "nat", 0, "snat")))["to"] == "192.168.31.240"
    assert len(window.document.get(("host", "nat"))) == 1  # one entry all along


def test_a_nat_cell_refusal_names_the_column_as_its_header(window: MainWindow,
                                                            tmp_path: Path) -> None:
    """'abc' typed as a published port read "UDP port must be a whole number": the VXLAN
    field's label, in a sentence about the NAT table's port column of a TCP publish."""
    _open(window, tmp_path)
    panel = _namespace_panel(window, None)
    assert panel.nat.add("publish")
    _type_into_cell(panel.nat.entries.table, 1, NAT_COLUMNS.index("port"), "abc")
    said = panel.nat.error.text()
    assert said.startswith("'port' must be a whole number, not 'abc'"), said
    assert "UDP" not in said


def test_a_type_chosen_in_the_open_combo_box_fills_the_rows_cells(window: MainWindow,
                                                                   tmp_path: Path) -> None:
    """masquerade → snat chosen with the arrow key in the type cell's open combo box: the
    entry became an SNAT to the uplink's address, but its row kept the masquerade's cells
    (an empty 'to'): the table is not refreshed while a cell is edited, nor after."""
    _open(window, tmp_path)
    panel = _namespace_panel(window, None)
    table = panel.nat.entries.table
    table.setFocus()
    table.setCurrentCell(0, 0)
    QTest.keyClick(table, Qt.Key.Key_F2)
    editor = QApplication.focusWidget()
    assert isinstance(editor, QComboBox)
    QTest.keyClick(editor, Qt.Key.Key_Down)  # snat: browsed to, applied on Enter
    QTest.keyClick(editor, Qt.Key.Key_Return)
    QApplication.processEvents()
    assert dict(window.document.get(("host", "nat", 0, "snat")))["to"] == "192.168.31.240"
    to = NAT_COLUMNS.index("to")
    assert table.item(0, 0).text() == "snat"
    assert table.item(0, to).text() == "192.168.31.240"
    assert table.item(0, to).flags() & Qt.ItemFlag.ItemIsEditable  # an snat's 'to' is typed


def test_bridge_port_firewall_and_anti_spoofing(window: MainWindow, tmp_path: Path) -> None:
    _open(window, tmp_path)
    window.scene.select_keys(["veth-c1"])
    QApplication.processEvents()
    panel = window.inspector.packets
    assert isinstance(panel, PortFirewallPanel)
    to_port = panel.chains["to-port"]
    to_port.policy.setCurrentText("drop")
    to_port.policy.activated.emit(1)
    table = to_port.rules.table
    QTest.mouseClick(to_port.rules.buttons["add"], Qt.MouseButton.LeftButton)
    _type_into_cell(table, 0, 1, "tcp")
    _type_into_cell(table, 0, 2, "22")
    base = ("interfaces", "veth-c1", "port-firewall")
    assert window.document.get((*base, "to-port", "policy")) == "drop"
    assert dict(window.document.get((*base, "to-port", "rules", 0))) == {
        "action": "accept", "proto": "tcp", "dport": 22}
    panel.tabs.setCurrentWidget(panel.spoofing)
    panel.ips.setFocus()
    QTest.keyClicks(panel.ips, "172.17.0.2")
    QTest.keyClick(panel.ips, Qt.Key.Key_Return)
    assert list(window.document.get((*base, "anti-spoofing", "ips"))) == ["172.17.0.2"]
    panel.mac.setFocus()
    QTest.keyClicks(panel.mac, "not-a-mac")
    QTest.keyClick(panel.mac, Qt.Key.Key_Return)
    assert window.document.get((*base, "anti-spoofing", "mac")) is None
    assert panel.spoofing.error.isVisible() and "not-a-mac" in panel.spoofing.error.text()


def test_double_clicking_a_rule_problem_opens_its_cell(window: MainWindow,
                                                       tmp_path: Path) -> None:
    """A port without a protocol in c1's input and an unknown interface in the host's
    forward chain: each problem leads to its chain's tab and the very cell."""
    text = DESIGN.replace("- {action: accept, proto: icmp}", "- {action: accept, dport: 80}")
    text = text.replace("  forwarding: {ipv4: true}\n", "  forwarding: {ipv4: true}\n"
                        "  firewall: {forward: {rules: [{action: accept, in: nosuch0}]}}\n")
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    assert window.open_path(path)
    view = window.problems
    window.problems_dock.raise_()

    def double_click(code: str) -> None:
        row = next(i for i in range(view.topLevelItemCount())
                   if view.topLevelItem(i).data(1, Qt.ItemDataRole.UserRole) == code)
        item = view.topLevelItem(row)
        view.scrollToItem(item)
        point = view.visualItemRect(item).center()
        gestures.double_click(view, point)
        QApplication.processEvents()

    double_click("rule-port-without-protocol")
    panel = window.inspector.packets
    assert window.inspector.key == "c1" and isinstance(panel, PacketPanel)
    table = panel.chains["input"].rules.table
    assert panel.tabs.currentWidget() is panel.chains["input"]
    assert (table.currentRow(), table.currentColumn()) == (1, 2) and table.hasFocus()
    double_click("unknown-reference")
    panel = window.inspector.packets
    assert window.inspector.key is None and isinstance(panel, PacketPanel)
    assert panel.tabs.currentWidget() is panel.chains["forward"]
    table = panel.chains["forward"].rules.table
    assert (table.currentRow(), table.currentColumn()) == (0, 6)


NO_HOST_INTERFACES = """netwright: 1
name: inside
namespaces: {a: {}, b: {}}
interfaces:
  a0: {kind: veth, namespace: a, peer: b0, addresses: [10.0.0.1/24]}
  b0: {kind: veth, namespace: b, peer: a0, addresses: [10.0.0.2/24]}
"""


def test_add_masquerade_with_nothing_to_leave_by_says_what_to_add_first(
        window: MainWindow, tmp_path: Path) -> None:
    """Add… › Masquerade on a host with no interface was refused with the file's sentence,
    "masquerade needs 'out': the interface the packets leave through": 'out' is a key the
    designer never shows. The refusal says what to add first, and where."""
    path = tmp_path / "inside.yaml"
    path.write_text(NO_HOST_INTERFACES)
    assert window.open_path(path)
    panel = _namespace_panel(window, None)
    masquerade = next(a for a in panel.nat.menu.actions() if a.text() == "Masquerade")
    masquerade.trigger()  # the Add… button's menu (popping it up grabs the keyboard)
    said = panel.nat.error.text()
    assert panel.nat.error.isVisibleTo(panel.nat) and window.document.get(("host", "nat")) is None
    assert "'out'" not in said and "needs" not in said, said
    assert "add a NIC of this machine (Host dock, double-click it) or an interface in the" \
        " host" in said, said
    publish = next(a for a in panel.nat.menu.actions() if a.text() == "Publish a port")
    publish.trigger()  # a namespace address to forward to is there: it is added
    assert dict(window.document.get(("host", "nat", 0, "publish")))["to"] == "10.0.0.1"
    assert not panel.nat.error.isVisibleTo(panel.nat)


def test_a_second_published_port_is_another_port_and_the_current_entry(
        window: MainWindow, tmp_path: Path) -> None:
    """Add… › Publish a port always wrote port 8080: on the docker example (which publishes
    8080) the new entry duplicated the old one, which takes every such packet, so the new
    one could never match, and nothing said so. It takes the next port no entry publishes.
    The new entry is the current one, as a new rule is (the current row stayed where it was,
    so keys typed next edited another entry)."""
    _open(window, tmp_path)
    panel = _namespace_panel(window, None)
    publish = next(a for a in panel.nat.menu.actions() if a.text() == "Publish a port")
    ports = []
    for _ in range(3):
        publish.trigger()  # the Add… button's menu (popping it up grabs the keyboard)
        entries = window.document.get(("host", "nat"))
        ports.append(entries[len(entries) - 1]["publish"]["port"])
        table = panel.nat.entries.table
        assert (table.currentRow(), table.currentColumn()) == (len(entries) - 1, 0)
        assert table.hasFocus()
    assert ports == [8080, 8081, 8082]


def test_insert_in_a_nat_table_opens_its_menu_beside_the_table(window: MainWindow,
                                                                 tmp_path: Path) -> None:
    """On a 1024×700 window the Add… button was scrolled out of the Inspector, and Insert
    in the NAT table opened its menu under the hidden button: below the dock, over the
    bottom panel, away from the table the keys were in."""
    from PySide6.QtCore import QPoint, QRect

    window.resize(1024, 700)
    window.bottom_panel.open(window.log_dock)
    _open(window, tmp_path)
    panel = _namespace_panel(window, "c1")
    panel.tabs.setCurrentWidget(panel.nat)
    table = panel.nat.entries.table
    table.setFocus()
    QApplication.processEvents()
    QTest.keyClick(table, Qt.Key.Key_Insert)
    QApplication.processEvents()
    menu = panel.nat.menu
    assert menu.isVisible()
    area = window.inspector_dock.widget()
    shown = QRect(area.mapToGlobal(QPoint(0, 0)), area.size())
    menu.hide()  # its top under the button, in the dock (the offscreen screen moves it left)
    assert shown.top() <= menu.geometry().top() <= shown.bottom(), (menu.geometry(), shown)


def test_add_nat_in_a_namespace_names_that_namespace(window: MainWindow,
                                                     tmp_path: Path) -> None:
    path = tmp_path / "inside.yaml"
    path.write_text(NO_HOST_INTERFACES.replace("  b0: {kind: veth, namespace: b,",
                                               "  b0: {kind: veth,"))
    assert window.open_path(path)
    panel = _namespace_panel(window, "b")
    assert not panel.nat.add("snat")
    said = panel.nat.error.text()
    assert said.startswith("SNAT rewrites the packets of a subnet"), said
    assert "add an interface to b (drag one from the palette into it)" in said, said


def test_add_snat_in_a_namespace_takes_the_address_of_that_namespaces_uplink(
        window: MainWindow, tmp_path: Path) -> None:
    """The SNAT's 'to' came from the first interface anywhere whose kernel name was the
    uplink's: c1's eth0 took the address of the host's NIC eth0. Names are per namespace."""
    path = tmp_path / "fw.yaml"
    path.write_text(DESIGN.replace("wlp2s0", "eth0").replace(
        "  eth0: {kind: veth, namespace: c1, peer: veth-c1,",
        "  c1-eth0: {kind: veth, name: eth0, namespace: c1, peer: veth-c1,").replace(
        "peer: eth0}", "peer: c1-eth0}"))
    assert window.open_path(path)
    panel = _namespace_panel(window, "c1")
    assert panel.nat.add("snat"), panel.nat.error.text()
    assert dict(window.document.get(("namespaces", "c1", "nat", 0, "snat"))) == {
        "from": "172.17.0.0/16", "out": "eth0", "to": "172.17.0.2"}


def test_a_refusal_does_not_move_the_rows(window: MainWindow, tmp_path: Path) -> None:
    """The refusal's sentence appeared above the rules table and pushed its rows down, so
    the next click meant for rule 2 landed elsewhere: the rows stay where they were."""
    _open(window, tmp_path)
    panel = _namespace_panel(window, "c1")
    editor = panel.chains["input"]
    table = editor.rules.table
    QApplication.processEvents()

    def row_top() -> int:
        return table.viewport().mapTo(panel, table.visualItemRect(table.item(1, 0)).topLeft()).y()

    before = row_top()
    _type_into_cell(table, 0, 2, "2000-1000")
    assert editor.error.isVisibleTo(editor)
    QApplication.processEvents()
    assert row_top() == before
    assert editor.error.geometry().top() > editor.rules.geometry().top()  # under the table
