"""What each command path may import: start-up time is mostly imports (issue 23).

Each case runs in a fresh interpreter (a real subprocess: this process has long imported
everything) and reads ``sys.modules`` back after importing what that path imports.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from netwright.backend.cli.commands import COMMANDS

ROOT = Path(__file__).parents[2]

HEAVY = ("pyroute2", "netwright.backend.engine", "pydantic", "ruamel", "yaml", "PySide6")

PYROUTE2_UNUSED = tuple(f"pyroute2.{name}" for name in (
    "iproute", "ndb", "ipdb", "ipset", "ipvs", "iwutil", "conntrack", "devlink", "ethtool", "wiset",
    "plan9", "nslink", "netlink.generic", "netlink.nl80211", "netlink.taskstats",
    "netlink.diag", "netlink.nfnetlink", "netlink.uevent"))

#: standard modules that cost a backend command's start-up and that it does not use (issue
#: 23): dataclasses (with inspect, ast, dis: ~13 ms; results are backend/record.py's
#: records), shutil (bz2, lzma: argparse's width comes from cli/argparser.py) and tempfile
#: (only writing a file needs it)
STARTUP_ONLY = ("dataclasses", "inspect", "shutil", "tempfile")

#: dbus-fast's asyncio bus, service and introspection layers (with xml.etree): its package
#: __init__ loads them all, where the blocking calls need only its marshaller, and the
#: engine its message types until a NetworkManager is there to ask (backend/nm/__init__)
DBUS_BUS = ("dbus_fast.aio", "dbus_fast.message_bus", "dbus_fast.introspection",
            "dbus_fast.service", "xml")

PARSER = ("import netwright.backend.cli.main as m\n"
          "m.build_parser()\n")

#: every command module: ``--help`` imports none of them, a command only its own
COMMAND_MODULES = tuple(sorted({f"netwright.backend.cli.{module}"
                                for module, _help in COMMANDS.values()}))

CASES = {
    # `netwright --help`: the command table, no command module (nor the topology package)
    "--help": ("import netwright.backend.cli.main as m\n"
               "m.build_parser([])\n",
               (*HEAVY, *COMMAND_MODULES, "netwright.backend.topology", "dbus_fast",
                "asyncio", "shlex", "pathlib")),
    # `netwright list …`: its own module's parser only
    "one command's parser": ("import netwright.backend.cli.main as m\n"
                             "m.build_parser(['list'])\n",
                             tuple(m for m in COMMAND_MODULES if not m.endswith("cmd_engine"))),
    # `netwright --help` and every command's argument parsing: no work, no asyncio, no D-Bus.
    "parser": (PARSER, (*HEAVY, "dbus_fast", "asyncio", "netwright.backend.client")),
    # plan/apply/status/destroy/list through a backend: the client and D-Bus only (the
    # backend validates the file in full); the lab's launcher only when a lab must start.
    "backend path": (PARSER + "import netwright.backend.client\n"
                     "import netwright.backend.cli.via_backend\n",
                     (*HEAVY, "netwright.backend.service.lab", "ctypes")),
    # the backend commands through the system's netwrightd: blocking calls, so no asyncio
    # and none of dbus-fast's bus (its package __init__ is deferred: message and marshaller)
    "blocking calls": (PARSER + "import socket\n"
                       "from netwright.backend.cli.via_backend import run_via_service\n"
                       "from netwright.backend.client.oneshot import SystemBackend\n"
                       "from netwright.backend.client.requests import apply_options\n"
                       "ours, theirs = socket.socketpair()\n"
                       "options = apply_options(True, 60, '/a.yaml')\n"
                       "SystemBackend(ours)._send('a.b', '/a', 'a.b', 'M', 'sa{sv}',"
                       " ['x', options])\n"
                       "assert theirs.recv(4096)\n",
                 (*HEAVY, "asyncio", *DBUS_BUS, *STARTUP_ONLY)),
    # `revert`, or "no" at the keep question, through a backend: the revert's words come
    # from the outcomes it reads, not from the engine (it loaded the engine to say them)
    "trial undone through a backend": (
        PARSER + "import netwright.backend.cli.via_backend\n"
        "from netwright.backend.cli.terminal import report_restored\n"
        "from netwright.backend.client.results import parse_apply_result\n"
        "result = parse_apply_result('{\"topology\": \"t\", \"steps\": [], \"seconds\": 0.1,"
        " \"removed\": true}')\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()) as said:\n"
        "    report_restored('t', result, False, removed=True)\n"
        "assert said.getvalue().startswith('removed t; nothing of it')\n",
        HEAVY),
    # status/destroy FILE through a backend read the file's name: the model, not the
    # round-trip parser (the file is valid) nor the engine
    "name of a file": (PARSER + "import netwright.backend.cli.via_backend\n"
                       "from netwright.backend.cli.terminal import subject_name\n"
                       "assert subject_name('examples/seed-ipvlan-l2.yaml') == 'seed'\n",
                       ("ruamel", "pyroute2", "netwright.backend.engine", "PySide6")),
    # `netwright validate` where there is no system bus to find a netwrightd on: no client
    "validate, no system bus": (PARSER + "import os\n"
                                "os.environ.pop('DBUS_SYSTEM_BUS_ADDRESS', None)\n"
                                "from netwright.backend import lazy_init\n"
                                "lazy_init.SYSTEM_BUS_SOCKET = '/nonexistent/bus'\n"
                                "from netwright.backend.cli import cmd_validate\n"
                                "assert cmd_validate.problems_from_backend(['a.yaml']) == {}\n",
                                ("netwright.backend.client", "netwright.backend.service",
                                 "dbus_fast")),
    # `netwright validate` of a file libyaml reads: the model and libyaml, which places its
    # problems (warnings too), nothing of the engine, D-Bus or the round-trip parser
    "validate": (PARSER + "from netwright.backend.cli import cmd_validate\n"
                 "assert cmd_validate.problems_of_file('examples/seed-ipvlan-l2.yaml')\n",
                 ("pyroute2", "netwright.backend.engine", "dbus_fast", "PySide6", "ruamel",
                  "netwright.backend.topology.document", "difflib")),
    # `apply --local` of a valid file: libyaml, the model and the engine; the round-trip
    # parser (ruamel.yaml) only to explain an invalid file
    "--local": (PARSER + "import netwright.backend.engine\n"
                "from netwright.backend.cli import cmd_engine\n"
                "cmd_engine._load('examples/seed-ipvlan-l2.yaml')\n",
                ("ruamel", "netwright.backend.topology.document", *PYROUTE2_UNUSED)),
    # apply/destroy --local: NetworkManager's part of the engine loads dbus-fast's bus only
    # when it connects to a NetworkManager (none runs here)
    "engine without NetworkManager": ("import netwright.backend.engine\n", DBUS_BUS),
    # … nor pyroute2's tc messages (every scheduler, classifier and action it has): read
    # only for an impaired link's qdisc (kernel/rtnl_marshal.py, engine/qdisc.py)
    "engine without tc": ("import netwright.backend.engine\n",
                          ("pyroute2.netlink.rtnl.tcmsg", "pyroute2.netlink.rtnl.marshal")),
    # … nor when it looks for one where there is no system bus at all (no D-Bus here)
    "NetworkManager looked for, no system bus": (
        "import asyncio, os\n"
        "os.environ.pop('DBUS_SYSTEM_BUS_ADDRESS', None)\n"
        "from netwright.backend import lazy_init\n"
        "lazy_init.SYSTEM_BUS_SOCKET = '/nonexistent/bus'\n"
        "from netwright.backend.nm.engine_part import NetworkManagerPart\n"
        "assert asyncio.run(NetworkManagerPart.open(None)).nm is None\n", DBUS_BUS),
    # the daemon and `--local`: pyroute2's netlink and IPRoute, none of its other APIs, which
    # its package __init__ would load (netwright.backend.lazy_pyroute2 defers it)
    "engine and daemon": ("import netwright.backend.engine\n"
                          "import netwright.backend.service.daemon\n",
                          PYROUTE2_UNUSED),
}


def _loaded(code: str, prefixes: tuple[str, ...]) -> list[str]:
    probe = code + (
        "import json, sys\n"
        f"prefixes = {prefixes!r}\n"
        # bare 'pyroute2' and 'dbus_fast' are the shells lazy_init registers (none of their
        # __init__ has run): any use of them imports a submodule
        "print(json.dumps(sorted(n for n in sys.modules if n not in ('pyroute2', 'dbus_fast')"
        " and any(n == p or n.startswith(p + '.') for p in prefixes))))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60, check=True, cwd=ROOT)
    return list(json.loads(result.stdout))


@pytest.mark.parametrize("case", sorted(CASES))
def test_command_path_imports_nothing_it_does_not_run(case: str) -> None:
    code, forbidden = CASES[case]
    assert _loaded(code, forbidden) == []


def test_the_probe_sees_a_loaded_module() -> None:
    """The check above can fail: the direct path (--local) does load the engine."""
    assert "netwright.backend.engine" in _loaded(
        "import netwright.backend.engine\n", ("netwright.backend.engine",))


def test_pyroute2_still_gives_every_name_it_exports() -> None:
    """Deferring pyroute2's __init__ changes when it runs, not what ``from pyroute2 import``
    finds: a name of the package (NDB) loads it, in the module the submodules already use."""
    loaded = _loaded("import netwright.backend.engine\n"
                     "from pyroute2 import NDB, IPRoute\n"
                     "import pyroute2, pyroute2.iproute\n"
                     "assert pyroute2.IPRoute is pyroute2.iproute.IPRoute is IPRoute\n"
                     "assert NDB.__module__ == 'pyroute2.ndb.main'\n", ("pyroute2.ndb",))
    assert "pyroute2.ndb" in loaded


def _plugins_after_validate(environment: dict[str, str]) -> str:
    """What a `netwright validate` process left of pydantic's plugin search: 'not searched'
    or the plugins found, and the variable as the command saw it."""
    probe = ("import os, sys\n"
             "from netwright.backend.cli.main import main\n"
             "main(['validate', '--here', 'examples/seed-ipvlan-l2.yaml'])\n"
             "from pydantic.plugin import _loader\n"
             "searched = 'not searched' if _loader._plugins is None else 'searched'\n"
             "print(searched, repr(os.environ.get('PYDANTIC_DISABLE_PLUGINS')), file=sys.stderr)\n")
    env = {key: value for key, value in os.environ.items() if key != "PYDANTIC_DISABLE_PLUGINS"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                            timeout=60, check=True, cwd=ROOT, env={**env, **environment})
    return result.stderr.strip().splitlines()[-1]


def test_a_command_does_not_search_every_package_for_pydantic_plugins() -> None:
    """Reading every installed distribution's entry points costs a command 5–10 ms; the
    user's own setting wins, and an empty one lets the plugins run again."""
    assert _plugins_after_validate({}) == "not searched '__all__'"
    assert _plugins_after_validate({"PYDANTIC_DISABLE_PLUGINS": ""}) == "searched ''"
    assert _plugins_after_validate({"PYDANTIC_DISABLE_PLUGINS": "logfire"}) == (
        "searched 'logfire'")
