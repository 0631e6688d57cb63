"""`netwright adopt`: existing objects of a deployed design become its own only when named
and confirmed; destroy then removes them; another topology's objects are refused; what was
not adopted is never touched."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from netwright.backend.cli.main import main
from netwright.backend.engine import Engine
from netwright.backend.hostimport.header import IMPORTED, after_adoption
from netwright.backend.outcomes.errors import ConflictError
from netwright.backend.topology import parse_topology
from tests.engine.conftest import links, netns_list, sh, snapshot
from tests.observe.livehost import BRIDGE, NAMED, LiveHost

PAIR = ["obsvh1", "eth0", NAMED]  # the named namespace, its veth end, the host's end


@pytest.fixture
def design(live: LiveHost, tmp_path: Path, state_dir: Path, engine: Engine) -> Path:
    """The live host imported (its two namespaces only) and deployed as topology 'imported'."""
    out = tmp_path / "design.yaml"
    assert main(["import", "--local", "--process-tree", str(os.getpid()), "--name", "imported",
                 "--namespace", NAMED, "--namespace", live.anonymous_key, "-o", str(out)]) == 0
    asyncio.run(engine.apply(parse_topology(out.read_text())))
    return out


def _adopt(state_dir: Path, *argv: str) -> int:
    return main(["adopt", "--local", "--state-dir", str(state_dir), *argv])


def test_nothing_is_adopted_without_a_confirmation(design: Path, state_dir: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot()
    assert _adopt(state_dir, str(design), *PAIR) != 0  # stdin is no terminal, no --yes
    out, err = capsys.readouterr()
    for text in ("veth obsvh1 in the host", "veth eth0 in namespace obs-red",
                 "namespace obs-red"):
        assert text in out
    assert "nothing adopted" in err
    assert snapshot() == before


def test_the_refusal_follows_the_list_it_is_about(design: Path, state_dir: Path) -> None:
    """Into one pipe (a script's log, `| less`), stdout block-buffered kept the list back
    until exit, after the refusal on stderr that says what happened to it."""
    env = {k: v for k, v in os.environ.items() if k != "PYTHONUNBUFFERED"}
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from netwright.backend.cli.main import main;"
         " sys.exit(main())", "adopt", "--local", "--state-dir", str(state_dir), str(design),
         *PAIR], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, env=env, check=False)
    lines = done.stdout.splitlines()
    assert done.returncode != 0 and lines[0].startswith("Adopt into topology imported"), lines
    assert lines[-1].startswith("netwright: nothing adopted: confirm each object"), lines


def test_adopted_objects_are_owned_and_destroy_removes_only_them(
        design: Path, state_dir: Path, engine: Engine, live: LiveHost) -> None:
    assert _adopt(state_dir, str(design), *PAIR, "--yes") == 0
    assert links()["obsvh1"]["ifalias"] == "netwright:imported:obsvh1"
    assert links(NAMED)["eth0"]["ifalias"] == "netwright:imported:eth0"
    assert links(NAMED)["lo"]["ifalias"] == f"netwright:imported:{NAMED}"
    text = design.read_text()
    assert text.startswith("# Imported from the live host by `netwright import`, every object"
                           " existing; adopted since by `netwright adopt` (now the topology's"
                           " own): obsvh1, eth0, obs-red.\n"), text.splitlines()[0]
    data = yaml.safe_load(text)
    assert "existing" not in data["interfaces"]["obsvh1"]
    assert "existing" not in data["namespaces"][NAMED]
    assert data["interfaces"]["obsvh2"]["existing"] is True
    topology = parse_topology(design.read_text())
    assert asyncio.run(engine.plan(topology)).steps == []  # the design matches the kernel
    def unadopted() -> dict[str, Any]:
        state: dict[str, Any] = snapshot()["host"]["links"]
        state.pop("obsvh1", None)
        state[BRIDGE].pop("mtu")  # a bridge's MTU follows its smallest port (obsvh1's 1400)
        return state

    untouched = unadopted()
    asyncio.run(engine.destroy("imported"))
    assert NAMED not in netns_list()
    assert "obsvh1" not in links()
    assert unadopted() == untouched  # the bridge, obsvh2, the uplinks, the macvlan, the vxlan
    assert live.anonymous_key not in netns_list() and live.sleeper.poll() is None


def test_each_adopt_adds_its_objects_to_the_imported_files_first_line() -> None:
    """The first line stays true over several adopts; a line import did not write is kept."""
    once = after_adoption(IMPORTED + "netwright: 1\n", ["a", "b"])
    twice = after_adoption(once, ["b", "c"])
    assert twice.endswith("(now the topology's own): a, b, c.\nnetwright: 1\n"), twice
    assert twice.count("\n") == 2
    mine = "# my own notes\nnetwright: 1\n"
    assert after_adoption(mine, ["a"]) == mine


def test_another_topologys_object_is_refused(design: Path, state_dir: Path, live: LiveHost,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    sh("ip link set obsvh1 alias netwright:other:obsvh1")
    before = snapshot()
    assert _adopt(state_dir, str(design), *PAIR, "--yes") != 0
    assert "belongs to topology other" in capsys.readouterr().err
    assert snapshot() == before  # not even the namespace or eth0 was marked
    assert yaml.safe_load(design.read_text())["interfaces"]["obsvh1"]["existing"] is True


def test_half_a_veth_pair_is_refused(design: Path, state_dir: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    before = snapshot()
    assert _adopt(state_dir, str(design), "obsvh1", "--yes") != 0
    assert "cannot depend on one Netwright creates" in capsys.readouterr().err
    assert snapshot() == before


def test_a_design_that_marks_an_adopted_object_existing_again_is_refused(
        design: Path, state_dir: Path, engine: Engine) -> None:
    old = design.read_text()
    assert _adopt(state_dir, "imported", *PAIR, "--yes") == 0  # by name: the file is unchanged
    before = snapshot()
    with pytest.raises(ConflictError, match="would delete them"):
        asyncio.run(engine.apply(parse_topology(old)))
    assert snapshot() == before


def test_another_topologys_object_is_refused_before_the_confirmation(
        design: Path, state_dir: Path, live: LiveHost,
        capsys: pytest.CaptureFixture[str]) -> None:
    """Nobody is asked to confirm an adoption that would then be refused."""
    sh("ip link set obsvh1 alias netwright:other:obsvh1")
    before = snapshot()
    assert _adopt(state_dir, str(design), *PAIR) != 0  # no --yes: it would ask
    out, err = capsys.readouterr()
    assert "belongs to topology other" in err and "nothing adopted" not in err
    assert "Adopt into topology" not in out
    assert snapshot() == before


def test_a_namespace_holding_what_would_not_be_adopted_is_refused(
        design: Path, state_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Destroy deletes an adopted namespace whole and refuses while it holds a link the
    topology does not own: adopting it alone would make a deployment no destroy can end."""
    sh(f"ip -n {NAMED} link add stray0 type veth peer name stray1")
    try:
        before = snapshot()
        assert _adopt(state_dir, str(design), *PAIR, "--yes") != 0
        err = capsys.readouterr().err
        assert f"namespace {NAMED} holds stray0, stray1, which imported would not own" in err, err
        assert snapshot() == before
    finally:
        sh(f"ip -n {NAMED} link del stray0", check=False)
    assert _adopt(state_dir, str(design), *PAIR, "--yes") == 0  # with nothing else in it
