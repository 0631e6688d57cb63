"""The Problems dock: where a problem is, in the designer's words (no "line 1" for unsaved
designs; the model path in the tooltip), and whole sentences."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QRect, Qt
from PySide6.QtWidgets import QApplication

from netwright.gui.model.problem_place import place_words
from netwright.gui.window.main import MainWindow


def _rows(window: MainWindow) -> list[tuple[str, str]]:
    view = window.problems
    return [(view.topLevelItem(i).text(1), view.topLevelItem(i).text(2))
            for i in range(view.topLevelItemCount())]


def test_an_unsaved_design_names_its_objects_not_lines(window: MainWindow, seed: Path) -> None:
    window.new_from_example(seed)  # the example's text, unsaved
    rows = _rows(window)
    assert rows and all("line" not in where for where, _text in rows), rows
    assert {where for where, _text in rows} == {"namespace net1", "namespace net2",
                                                "ipvlan1's parent", "ipvlan2's parent"}
    assert window.open_path(seed)  # a file: its lines help
    wheres = [where for where, _text in _rows(window)]
    assert "namespace net1, line 16" in wheres and "ipvlan1's parent, line 21" in wheres


def test_the_tooltip_keeps_the_files_path_and_line(window: MainWindow, seed: Path) -> None:
    assert window.open_path(seed)
    view = window.problems
    item = next(view.topLevelItem(i) for i in range(view.topLevelItemCount())
                if view.topLevelItem(i).text(1).startswith("ipvlan1's parent"))
    tip = item.toolTip(1)
    assert "<i>In the file:</i> interfaces.ipvlan1.parent, line 21" in tip, tip
    assert "interfaces." not in item.text(1) and "interfaces." not in item.text(2)


def test_every_kind_of_place_is_said_in_the_designers_words() -> None:
    def kind(key: str) -> str:
        return "veth"

    assert place_words(()) == "the design"
    assert place_words(("name",)) == "Topology name"
    assert place_words(("interfaces", "v2"), kind) == "veth v2"
    assert place_words(("interfaces", "v2")) == "interface v2"
    assert place_words(("interfaces", "mv", "mtu")) == "mv's MTU"
    assert place_words(("interfaces", "br1", "addresses", 0)) == "br1's address 1"
    assert place_words(("namespaces", "n1", "routes", 1, "via")) == "n1's route 2 › via"
    assert place_words(("host", "nics", "eth1")) == "NIC eth1"
    assert place_words(("host", "nics", "eth1", "gateway")) == "eth1's gateway"
    assert place_words(("host", "nat", 0, "to")) == "the host's NAT entry 1 › to"
    assert place_words(("interfaces", "v1", "port-firewall", "to-port", "rules", 2, "dport")) \
        == "v1's port firewall › to-port chain › rule 3 › dport"


def test_long_sentences_wrap_and_show_whole_in_the_tooltip(window: MainWindow,
                                                           seed: Path) -> None:
    window.resize(1024, 700)
    assert window.open_path(seed)
    window.problems_dock.raise_()
    QApplication.processEvents()
    view = window.problems
    longest = max(range(view.topLevelItemCount()),
                  key=lambda i: len(view.topLevelItem(i).text(2)))
    item = view.topLevelItem(longest)
    text = item.text(2)
    assert view.fontMetrics().horizontalAdvance(text) > view.columnWidth(2)  # needs wrapping
    lines = view.visualItemRect(item).height() / view.fontMetrics().height()
    assert lines >= 1.9, lines
    assert text.replace("'", "&#x27;") in item.toolTip(2) or text in item.toolTip(2)


def test_a_long_place_beside_a_short_sentence_shows_whole(window: MainWindow,
                                                          tmp_path: Path) -> None:
    """The row was as tall as the sentence alone needed: "the host's firewall › forward
    chain › rule 1 › in" beside a one-line sentence showed as "the host's firewall ›
    forward chain ›", the rest cut off below the row."""
    path = tmp_path / "p.yaml"
    path.write_text("netwright: 1\nname: p\nhost:\n  firewall:\n    forward:\n      rules:\n"
                    "        - {action: accept, in: nosuch0}\n")
    assert window.open_path(path)
    window.problems_dock.raise_()
    QApplication.processEvents()
    view = window.problems
    item = next(view.topLevelItem(i) for i in range(view.topLevelItemCount())
                if view.topLevelItem(i).text(1).startswith("the host's firewall › forward"))
    metrics = view.fontMetrics()
    where = item.text(1)
    assert metrics.horizontalAdvance(where) > view.columnWidth(1)  # it needs two lines
    needed = metrics.boundingRect(QRect(0, 0, view.columnWidth(1) - 8, 10_000),
                                  Qt.TextFlag.TextWordWrap, where).height()
    assert metrics.horizontalAdvance(item.text(2)) < view.columnWidth(2)  # one line
    assert view.visualItemRect(item).height() >= needed, (where, needed)
