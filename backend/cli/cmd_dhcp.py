"""`netwright dhcp leases|renew|server`: the DHCP clients of a deployment, and the lab's server.

The clients and the lab's server keep their state where the backend runs them (a lab's in its
private namespaces and state directory), so by default these commands ask the backend, like
``status``: netwrightd on the system bus (polkit: inspect to read, apply to renew), or the
user's lab with ``--lab`` or when no system backend answers. ``--local`` reads and signals
the clients recorded under the state directory from this process (root), for scripts.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path
from typing import Any

from netwright.backend.cli.argparser import Parser
from netwright.backend.cli.terminal import emit_json
from netwright.backend.count_words import agreeing, counted

EXIT_OK = 0
EXIT_NOT_OK = 1


def register(subparsers: Any) -> None:
    common = Parser(add_help=False)
    common.add_argument("--lab", action="store_true",
                        help="the lab backend's deployments (an emulated network)")
    common.add_argument("--local", action="store_true",
                        help="read the state directory in this process (root) instead of asking"
                        " the backend")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("--state-dir", metavar="DIR", type=Path,
                        help="with --local: where deployments are recorded (default"
                        " $NETWRIGHT_STATE_DIR or /var/lib/netwright)")
    parser = subparsers.add_parser(
        "dhcp", help="DHCP leases of a deployment, and the lab's DHCP server",
        description="Show or renew the DHCP leases of a deployed topology's dhcp interfaces,"
        " or list the leases the lab's DHCP server (dnsmasq) handed out.")
    actions = parser.add_subparsers(dest="dhcp_action", metavar="ACTION", required=True)
    leases = actions.add_parser("leases", parents=[common],
                                help="each dhcp interface: client-id, lease, server, expiry")
    leases.add_argument("name", metavar="NAME", help="a deployed topology")
    leases.set_defaults(func=lambda args: _run(args, _leases_local, _leases_backend))
    renew = actions.add_parser("renew", parents=[common], help="ask every client to renew now")
    renew.add_argument("name", metavar="NAME", help="a deployed topology")
    renew.set_defaults(func=lambda args: _run(args, _renew_local, _renew_backend))
    server = actions.add_parser("server", parents=[common],
                                help="the leases the lab's DHCP server holds")
    server.set_defaults(func=lambda args: _run(args, _server_local, _server_backend))


def _run(args: argparse.Namespace, local: Any, backend: Any) -> int:
    if not args.local:
        from netwright.backend.cli.via_backend import run_with_backend

        return run_with_backend(args, backend)
    import asyncio  # here, not at the top: `netwright --help` stays fast

    from netwright.backend.engine.engine import require_root

    require_root()
    return int(asyncio.run(local(args)))


def _engine(args: argparse.Namespace) -> Any:
    from netwright.backend.engine import Engine, Target, default_state_dir

    target = Target.lab() if args.lab else Target.host()
    return Engine(args.state_dir or default_state_dir(), target)


# -- leases -----------------------------------------------------------------------------------

async def _leases_local(args: argparse.Namespace) -> int:
    states = await _engine(args).dhcp_clients(args.name)
    return _show_leases(args, [state.to_json() for state in states])


async def _leases_backend(client: Any, args: argparse.Namespace) -> int:
    return _show_leases(args, await client.dhcp_leases(args.name))


def _show_leases(args: argparse.Namespace, states: list[dict[str, Any]]) -> int:
    if args.json:
        emit_json(states)
    elif not states:
        print(f"{args.name}: no interface gets its address from DHCP")
    else:
        for state in states:
            print(state.get("text", ""))
            print(f"    {state.get('request', '')}")
    return EXIT_OK if all(s.get("phase") == "bound" for s in states) else EXIT_NOT_OK


# -- renew ------------------------------------------------------------------------------------

# Exit status: renew, like leases, fails only when something is wrong. A design with no dhcp
# interface has nothing to renew and nothing wrong (leases says so and exits 0; so does a
# plan with nothing to do); dhcp interfaces whose clients do not run are a fault to act on
# (apply again), and leases fails on them too (no lease is bound).

async def _renew_local(args: argparse.Namespace) -> int:
    engine = _engine(args)
    asked = await engine.renew_dhcp(args.name)
    return _said_renewed(args, asked, asked or len(await engine.dhcp_clients(args.name)))


async def _renew_backend(client: Any, args: argparse.Namespace) -> int:
    asked = await client.dhcp_renew(args.name)
    return _said_renewed(args, asked, asked or len(await client.dhcp_leases(args.name)))


def _said_renewed(args: argparse.Namespace, asked: int, dhcp_interfaces: int) -> int:
    """Say what renew did; ``dhcp_interfaces`` is looked up only when no client was asked
    (any non-zero count when some were)."""
    if args.json:
        emit_json({"topology": args.name, "asked": asked})
    elif asked:
        print(f"{args.name}: asked {counted(asked, 'DHCP client')} to renew")
    elif not dhcp_interfaces:
        print(f"{args.name}: no interface gets its address from DHCP: nothing to renew")
    else:
        print(f"{args.name}: no DHCP client runs for its"
              f" {counted(dhcp_interfaces, 'dhcp interface')}: apply again to start"
              f" {agreeing(dhcp_interfaces, 'it', 'them')}")
    return EXIT_OK if asked or not dhcp_interfaces else EXIT_NOT_OK


# -- server -----------------------------------------------------------------------------------

async def _server_local(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from netwright.backend.lab import dhcp_server_leases

    return _show_server([asdict(lease) for lease in dhcp_server_leases(args.state_dir)], args)


async def _server_backend(client: Any, args: argparse.Namespace) -> int:
    return _show_server(await client.dhcp_server_leases(), args)


def _show_server(leases: list[dict[str, Any]], args: argparse.Namespace) -> int:
    if args.json:
        emit_json(leases)
        return EXIT_OK
    if not leases:
        print("the lab DHCP server holds no lease")
    from netwright.backend.dhcp.identity import client_id_as_written

    for lease in leases:
        sent = lease.get("client_id")
        print(f"{lease.get('address', ''):15} {lease.get('mac', '')}"
              f"  client-id {client_id_as_written(sent) if sent else '-'}"
              f"  {_expiry(lease.get('expires'))}")
    return EXIT_OK


def _expiry(expires: object) -> str:
    if not isinstance(expires, int | float):
        return "expiry unknown"
    left = expires - time.time()
    return f"expires in {left:.0f} s" if left > 0 else "expired"
