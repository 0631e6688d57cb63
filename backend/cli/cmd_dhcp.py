"""`netwright dhcp leases|renew|server`: the DHCP clients of a deployment, and the lab's server.

Reads what the clients recorded under the state directory (their leases, last events and
the record of each client process: PID, start time and command line), so it works whichever
process applied the topology. Local only (as root, like ``--local``): the service shows the
same facts in Status.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK = 0
EXIT_NOT_OK = 1


def register(subparsers: Any) -> None:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--lab", action="store_true", help="the lab host's deployments")
    common.add_argument("--json", action="store_true", help="machine-readable output")
    common.add_argument("--state-dir", metavar="DIR", type=Path,
                        help="where deployments are recorded (default $NETWRIGHT_STATE_DIR or"
                        " /var/lib/netwright)")
    parser = subparsers.add_parser(
        "dhcp", help="DHCP leases of a deployment, and the lab's DHCP server",
        description="Show or renew the DHCP leases of a deployed topology's dhcp interfaces,"
        " or list the leases the lab's DHCP server (dnsmasq) handed out.")
    actions = parser.add_subparsers(dest="dhcp_action", metavar="ACTION", required=True)
    leases = actions.add_parser("leases", parents=[common],
                                help="each dhcp interface: client-id, lease, server, expiry")
    leases.add_argument("name", metavar="NAME", help="a deployed topology")
    leases.set_defaults(func=_leases)
    renew = actions.add_parser("renew", parents=[common], help="ask every client to renew now")
    renew.add_argument("name", metavar="NAME", help="a deployed topology")
    renew.set_defaults(func=_renew)
    server = actions.add_parser("server", parents=[common],
                                help="the leases in the lab DHCP server's lease file")
    server.set_defaults(func=_server)


def _clients(args: argparse.Namespace) -> Any:
    from netwright.backend.dhcp import DhcpClients
    from netwright.backend.engine import Target, default_state_dir

    target = Target.lab() if args.lab else Target.host()
    return DhcpClients(args.state_dir or default_state_dir(), target)


def _leases(args: argparse.Namespace) -> int:
    from netwright.backend.engine.store import Store

    clients = _clients(args)
    record = Store(clients.dir.parent.parent, clients.target).load(args.name)
    if record is None:
        print(f"netwright: topology {args.name} is not deployed"
              f" {'in the lab' if args.lab else 'on this machine'}", file=sys.stderr)
        return EXIT_NOT_OK
    states = clients.states(record.topology)
    if args.json:
        json.dump([s.to_json() for s in states], sys.stdout, indent=1)
        sys.stdout.write("\n")
    elif not states:
        print(f"{args.name}: no interface gets its address from DHCP")
    else:
        for state in states:
            print(state.describe())
            print(f"    {state.request.describe()}")
    return EXIT_OK if all(s.phase == "bound" for s in states) else EXIT_NOT_OK


def _renew(args: argparse.Namespace) -> int:
    asked = _clients(args).renew(args.name)
    print(f"{args.name}: asked {asked} DHCP client(s) to renew")
    return EXIT_OK if asked else EXIT_NOT_OK


def _server(args: argparse.Namespace) -> int:
    from netwright.backend.dhcp.lab_server import LabDhcpServer, lab_server_dir
    from netwright.backend.engine import default_state_dir

    server = LabDhcpServer(lab_server_dir(args.state_dir or default_state_dir()), "")
    leases = server.leases()
    if args.json:
        json.dump([vars(lease) for lease in leases], sys.stdout, indent=1)
        sys.stdout.write("\n")
        return EXIT_OK
    if not leases:
        print("the lab DHCP server holds no lease")
    for lease in leases:
        print(f"{lease.address:15} {lease.mac}  client-id {lease.client_id or '-'}"
              f"  expires {lease.expires}")
    return EXIT_OK
