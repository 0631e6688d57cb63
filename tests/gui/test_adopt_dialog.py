"""The Adopt confirmation says what pressing Adopt does, in a plain sentence: the objects
become the topology's and Destroy deletes them with it (it asked "Adopt these 1 object(s)
into topology …?" before)."""

from __future__ import annotations

from PySide6.QtWidgets import QDialogButtonBox

from netwright.gui.dialogs.adopt import AdoptDialog

OBJECTS = ["veth obsvh1 in the host", "veth eth0 in namespace obs-red", "namespace obs-red"]


def test_the_header_is_a_sentence_of_what_adopt_does(qtbot) -> None:  # type: ignore[no-untyped-def]
    dialog = AdoptDialog("guiadopt", OBJECTS)
    qtbot.addWidget(dialog)
    assert dialog.header.text() == ("Adopt makes the 3 objects below part of guiadopt: Destroy"
                                    " will then delete them with the rest of guiadopt.")
    assert dialog.header.font().bold() and not dialog.detail.font().bold()
    assert "nothing is moved or re-addressed" in dialog.detail.text()
    assert "(s)" not in dialog.header.text() + dialog.detail.text()
    assert [dialog.objects.item(i).text() for i in range(dialog.objects.count())] == OBJECTS
    one = AdoptDialog("guiadopt", ["namespace obs-red"])
    qtbot.addWidget(one)
    assert one.header.text() == ("Adopt makes namespace obs-red part of guiadopt: Destroy will"
                                 " then delete it with the rest of guiadopt.")
    assert "save the design so the next Apply keeps it" in one.detail.text()
    # nothing is adopted by Enter: Cancel is the default button
    buttons = dialog.findChild(QDialogButtonBox)
    assert buttons is not None and dialog.cancel_button.isDefault()
