"""adopt's help said "Needs root." of a command that, like the others, goes to netwrightd
(polkit asks) or to the user's lab; only --local runs it in the command, as root."""

from __future__ import annotations

import pytest

from netwright.backend.cli.main import main


def test_adopt_help_says_who_may_adopt(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main(["adopt", "--help"])
    assert done.value.code == 0
    said = " ".join(capsys.readouterr().out.split())
    assert "Needs root" not in said, said
    assert ("netwrightd asks an administrator's password for it (polkit's io.netwright.adopt);"
            " --lab adopts in your lab, and only --local needs root.") in said, said
