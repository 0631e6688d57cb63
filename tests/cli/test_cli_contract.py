"""`netwright validate`, `export` and `schema` as a user runs them (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]
EXAMPLES = sorted((ROOT / "examples").glob("*.yaml"))


def netwright(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "netwright.backend.cli.main", *args],
        cwd=cwd, capture_output=True, text=True, timeout=60, check=False,
    )


def test_examples_validate_cleanly() -> None:
    result = netwright("validate", *map(str, EXAMPLES))
    assert result.returncode == 0, result.stdout + result.stderr
    assert " error " not in result.stdout


def test_validate_reports_file_line_column_code(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("netwright: 1\nname: t\ninterfaces:\n  br0: {kind: bridge, name: 'br/0'}\n")
    result = netwright("validate", str(bad))
    assert result.returncode == 1
    assert result.stdout.splitlines() == [
        f"{bad}:4:29: error invalid-name: interface name 'br/0' contains '/';"
        " Linux forbids '/', ':' and whitespace (at interfaces.br0.name)"
    ]
    assert result.stderr == ""


def test_validate_json_and_several_files(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("netwright: 1\nname: [oops\n")
    result = netwright("validate", "--json", str(EXAMPLES[0]), str(bad))
    assert result.returncode == 1
    report = json.loads(result.stdout)
    assert [entry["valid"] for entry in report] == [True, False]
    problem = report[1]["problems"][0]
    assert problem["code"] == "yaml-syntax" and problem["line"] == 3
    assert set(problem) >= {"severity", "code", "path", "message", "line", "column", "file"}


def test_validate_missing_file_is_a_clear_error(tmp_path: Path) -> None:
    """A problem of the whole file has no line: it reads as compilers print theirs, not at a
    line 0, column 0 no editor can go to (JSON keeps its line and column 0)."""
    missing = tmp_path / "nope.yaml"
    result = netwright("validate", str(missing))
    assert result.returncode == 1
    assert result.stdout == (f"{missing}: error unreadable: cannot read the file: No such file"
                             " or directory\n")
    problem = json.loads(netwright("validate", "--json", str(missing)).stdout)[0]["problems"][0]
    assert (problem["line"], problem["column"], problem["code"]) == (0, 0, "unreadable")


def test_a_name_given_for_a_file_says_which_command_reads_a_file() -> None:
    """'netwright export seed' (a deployment's name, not a file) says what went wrong."""
    result = netwright("validate", "nosuchdeployment")
    assert result.returncode == 1
    assert ("cannot read the file: No such file or directory ('nosuchdeployment' looks like a"
            " topology's name, but this command reads a topology file: `netwright list` shows"
            " the file each deployment was applied from)") in result.stdout, result.stdout
    assert "looks like" not in netwright("validate", "/nonexistent/seed.yaml").stdout


def test_strict_fails_on_warnings() -> None:
    seed = ROOT / "examples" / "seed-ipvlan-l2.yaml"
    assert netwright("validate", str(seed)).returncode == 0
    assert netwright("validate", "--strict", str(seed)).returncode == 1


def test_schema_is_json_schema_and_matches_the_checked_in_copy() -> None:
    result = netwright("schema")
    assert result.returncode == 0
    schema = json.loads(result.stdout)
    assert schema["title"] == "Netwright topology"
    assert {"netwright", "name"} <= set(schema["required"])
    checked_in = ROOT / "packaging" / "netwright-topology.schema.json"
    assert json.loads(checked_in.read_text()) == schema, (
        "packaging/netwright-topology.schema.json is stale: regenerate it with"
        " `netwright schema > packaging/netwright-topology.schema.json`"
    )


def test_schema_accepts_the_examples() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    from netwright.backend.topology import Document
    from netwright.backend.topology.fastload import to_plain

    schema = json.loads(netwright("schema").stdout)
    for example in EXAMPLES:
        jsonschema.validate(to_plain(Document.from_file(example).tree), schema)


def test_export_seed_in_the_seed_style() -> None:
    result = netwright("export", "--format", "sh", str(ROOT / "examples" / "seed-ipvlan-l2.yaml"))
    assert result.returncode == 0
    lines = result.stdout.splitlines()
    assert lines[0] == "#!/bin/sh" and "set -e" in lines
    assert "ip netns add net1" in lines
    assert "ip link add link wlp2s0 name ipvlan1 netns net1 type ipvlan mode l2" in lines
    assert "ip -n net1 addr add 192.168.31.5/24 dev ipvlan1" in lines
    assert not [line for line in lines if "wlp2s0" in line and "link add link" not in line]


def test_export_batch_has_no_per_line_namespace_option() -> None:
    result = netwright("export", "--format", "batch", str(ROOT / "examples" / "docker-bridge.yaml"))
    assert result.returncode == 0
    body = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert body and not [line for line in body if line.startswith(("-n", "ip "))]
    assert "netns exec c1 ip addr add 172.17.0.2/16 dev eth0" in body


def test_export_refuses_an_invalid_file(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("netwright: 1\nname: t\ninterfaces:\n  v: {kind: veth}\n")
    result = netwright("export", str(bad))
    assert result.returncode == 1
    assert result.stdout == ""
    assert "veth-peer-missing" in result.stderr and "Traceback" not in result.stderr


IMPORTED = """netwright: 1
name: mixed
namespaces:
  router: {existing: true, routes: [{to: default, via: 10.1.0.254}]}
  r2: {forwarding: {ipv4: true}}
interfaces:
  br0: {kind: bridge, existing: true, addresses: [10.1.0.1/24]}
  up-a: {kind: veth, existing: true, peer: up-b, master: br0}
  up-b: {kind: veth, existing: true, namespace: router, peer: up-a, addresses: [10.1.0.2/24]}
  v1: {kind: veth, peer: v2, master: br0, impairment: {rate: 10mbit}}
  v2: {kind: veth, peer: v1, namespace: r2, addresses: [10.1.0.3/24]}
"""


@pytest.mark.parametrize("form", ["sh", "batch"])
def test_export_script_uses_existing_objects_and_names_what_it_leaves_out(
        tmp_path: Path, form: str) -> None:
    """Existing objects are someone else's: the script, like apply, never creates or
    changes them; rules, NAT, forwarding and impairment it does not build are said, on
    standard error and as comments, instead of vanishing from a script that 'builds it'."""
    design = tmp_path / "mixed.yaml"
    design.write_text(IMPORTED)
    result = netwright("export", "--format", form, str(design))
    assert result.returncode == 0, result.stderr
    body = [line for line in result.stdout.splitlines() if not line.startswith("#")]
    assert not [line for line in body if "router" in line or "br0 " in line.replace(
        "master br0", "") or "up-a" in line or "up-b" in line], body
    assert any("net.ipv4.ip_forward=1" in line and "r2" in line for line in body)
    assert any("v1 master br0" in line for line in body)
    said = "existing (someone else's, used as they are): router, br0, up-a, up-b"
    assert f"netwright: not in this script: {said}" in result.stderr
    assert f"# not in this script: {said}" in result.stdout
    if form == "batch":  # ip -batch runs no tc; the sh script sets it as apply does
        assert "the impairment of v1" in result.stderr
    else:
        assert "impairment" not in result.stderr
        assert "tc qdisc add dev v1 root handle 1: tbf rate 10mbit burst 32768 latency 50ms" \
            in body
    docker = netwright("export", "--format", form, str(ROOT / "examples" / "docker-bridge.yaml"))
    for lost in ("the host's forwarding", "2 NAT entries in the host",
                 "the firewall rules of the host"):
        assert lost in docker.stderr and lost in docker.stdout


def test_export_never_writes_over_a_file_unasked(tmp_path: Path) -> None:
    """-o OUT that exists needs --force (as import's), and never the design itself: a
    mistyped 'export -o docker.yaml docker.yaml' replaced the design by its script."""
    design = tmp_path / "docker.yaml"
    design.write_text((ROOT / "examples" / "docker-bridge.yaml").read_text())
    kept = design.read_text()
    same = netwright("export", "-o", str(design), "--force", str(design))
    assert same.returncode == 1 and "is the design being exported" in same.stderr
    assert design.read_text() == kept
    out = tmp_path / "docker.sh"
    out.write_text("mine\n")
    refused = netwright("export", "-o", str(out), str(design))
    assert refused.returncode == 1 and "exists; use --force" in refused.stderr
    assert out.read_text() == "mine\n"
    forced = netwright("export", "-o", str(out), "--force", str(design))
    assert forced.returncode == 0 and out.read_text().startswith("#!/bin/sh")


def test_an_output_that_cannot_be_written_is_a_sentence(tmp_path: Path) -> None:
    """-o into a folder that is not there, or -o naming a folder: a Python traceback
    (FileNotFoundError from tempfile), or with --force an attempt to replace the folder."""
    design = str(ROOT / "examples" / "seed-ipvlan-l2.yaml")
    pods = tmp_path / "seed.k8s.yaml"
    assert netwright("export", "--format", "multus", "-o", str(pods), design).returncode == 0
    missing = tmp_path / "no-such-folder" / "out"
    for command in (["export", design], ["import", "--from", "multus", str(pods)]):
        written = netwright(*command, "-o", str(missing))
        assert written.returncode == 1 and "Traceback" not in written.stderr, written.stderr
        assert f"netwright: cannot write {missing}: No such file or directory" \
            in written.stderr, written.stderr
        refused = netwright(*command, "-o", str(tmp_path), "--force")
        assert refused.returncode == 1, refused.stderr
        assert f"netwright: {tmp_path} is a directory: give -o the name of a file" \
            in refused.stderr, refused.stderr


def test_the_designer_without_a_display_says_so(tmp_path: Path) -> None:
    """`netwright` over SSH without a display: Qt aborted ("no Qt platform plugin could be
    initialized. Reinstalling the application may fix this problem") and dumped core."""
    quiet = {key: value for key, value in os.environ.items()
             if key not in ("DISPLAY", "WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}
    started = subprocess.run([sys.executable, "-m", "netwright.backend.cli.main"],
                             cwd=tmp_path, env=quiet, capture_output=True, text=True,
                             timeout=60, check=False)
    assert started.returncode == 2, started.stderr[-500:]
    assert "netwright: the designer needs a graphical display, and this session has none" \
        in started.stderr and "Reinstalling" not in started.stderr


def test_the_designer_with_a_display_nobody_serves_says_so(tmp_path: Path) -> None:
    """DISPLAY left over (a closed session, a copied environment): Qt aborted with the same
    "Reinstalling the application may fix this problem" and a core dump."""
    free = next(n for n in range(4242, 4342) if not Path(f"/tmp/.X11-unix/X{n}").exists())
    stale = {**{key: value for key, value in os.environ.items()
                if key not in ("WAYLAND_DISPLAY", "QT_QPA_PLATFORM")}, "DISPLAY": f":{free}"}
    started = subprocess.run([sys.executable, "-m", "netwright.backend.cli.main"],
                             cwd=tmp_path, env=stale, capture_output=True, text=True,
                             timeout=60, check=False)
    assert started.returncode == 2, started.stderr[-500:]
    assert started.stderr == (f"netwright: the designer cannot reach the display DISPLAY=:{free}:"
                              " no X server answers there; start it from a desktop session, or"
                              " over SSH with 'ssh -X'; the commands work here too (netwright"
                              " --help)\n"), started.stderr[-500:]


def test_options_before_the_command_say_where_it_goes(tmp_path: Path) -> None:
    """`netwright --lab plan x.yaml` started the designer (with "plan" as the file to
    open), or on a server said the designer needs a display: never what was asked."""
    for argv, fixed in ((["--lab", "plan", "x.yaml"], "netwright plan --lab x.yaml"),
                        (["--local", "--yes", "apply", "a b.yaml"],
                         "netwright apply --local --yes 'a b.yaml'")):
        said = netwright(*argv, cwd=tmp_path)
        assert said.returncode == 2, said.stderr[-500:]
        assert said.stderr == (f"netwright: '{argv[-2]}' is a command, so it comes first,"
                               f" before its options: {fixed}\n"), said.stderr[-500:]


def test_an_unknown_option_shows_the_usage_of_its_command(tmp_path: Path) -> None:
    """argparse left what a command's parser did not know to the top-level parser, whose
    error showed `usage: netwright [-h] COMMAND ...`: nothing about the command's options."""
    from netwright.backend.cli.commands import COMMANDS

    for name in [*COMMANDS, "lab start"]:
        said = netwright(*name.split(), "--no-such-option", cwd=tmp_path)
        assert said.returncode == 2, (name, said.stderr[-500:])
        assert said.stderr.startswith(f"usage: netwright {name} "), (name, said.stderr)
        assert f"\nnetwright {name}: error: " in said.stderr, (name, said.stderr)
    said = netwright("destroy", "--force", "x", cwd=tmp_path)
    assert said.stderr.endswith("netwright destroy: error: unrecognized arguments: --force\n")


@pytest.mark.root
def test_destroy_takes_yes_as_apply_does(tmp_path: Path) -> None:
    """Scripts pass --yes to apply and destroy alike; destroy never asks, and takes it (a
    usage error, exit 2, before)."""
    for yes in ("--yes", "-y"):
        said = netwright("destroy", yes, "--local", "--state-dir", str(tmp_path), "gone",
                         cwd=tmp_path)
        assert (said.returncode, said.stderr) == (
            1, "netwright: topology gone is not deployed on this machine\n"), said.stderr


def test_an_output_that_fills_the_disk_is_a_sentence() -> None:
    """Standard output on a full disk (/dev/full) ended in a Python traceback."""
    for command in (["schema"], ["explain", str(ROOT / "examples" / "docker-bridge.yaml")]):
        with open("/dev/full", "w", encoding="utf-8") as full:
            said = subprocess.run([sys.executable, "-m", "netwright.backend.cli.main",
                                   *command], cwd=ROOT, stdout=full, stderr=subprocess.PIPE,
                                  text=True, timeout=60, check=False)
        assert said.returncode == 1, said.stderr[-500:]
        assert said.stderr == "netwright: No space left on device\n", said.stderr[-500:]
