"""`netwright adopt NAME|FILE OBJECT…`: hand existing objects to a deployed topology.

Every object is named on the command line and confirmed by name before anything is marked
(``--yes`` confirms for scripts); from then on the topology owns them and ``destroy`` removes
them. Given the design FILE, the objects' ``existing: true`` is taken out of it too, so the
next apply keeps them instead of letting them go. Runs in this process (root).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from netwright.backend.topology.problems import NetwrightError


class AdoptNotConfirmed(NetwrightError):  # noqa: N818 (reads as an outcome)
    """The user did not confirm (or could not be asked)."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "adopt",
        help="make existing objects a deployed topology's own (destroy then removes them)",
        description="Hand objects someone else made, listed as existing in a deployed design,"
        " to that topology: each is marked as Netwright marks its own, after a confirmation"
        " that names it. An object another topology owns is refused. Needs root.",
    )
    parser.add_argument("subject", metavar="NAME|FILE",
                        help="the deployed topology, or its design file (updated too)")
    parser.add_argument("objects", metavar="OBJECT", nargs="+",
                        help="keys of existing interfaces or namespaces in the design")
    parser.add_argument("--yes", action="store_true", help="confirm without asking")
    parser.add_argument("--state-dir", metavar="DIR", type=Path,
                        help="where deployments are recorded (default $NETWRIGHT_STATE_DIR or"
                        " /var/lib/netwright)")
    parser.set_defaults(func=run)


def _confirm(name: str, texts: list[str], yes: bool) -> None:
    print(f"Adopt into topology {name} (from now on it owns them, and destroy removes them):")
    for text in texts:
        print(f"  {text}")
    if yes:
        return
    if not sys.stdin.isatty():
        raise AdoptNotConfirmed("nothing adopted: confirm each object interactively, or pass"
                                " --yes")
    answer = input(f"Adopt these {len(texts)} object(s)? [y/N] ").strip().lower()
    if answer not in ("y", "yes"):
        raise AdoptNotConfirmed("nothing adopted")


def run(args: argparse.Namespace) -> int:
    from netwright.backend.engine import Target, default_state_dir
    from netwright.backend.engine.adopt import adopt, adoptions
    from netwright.backend.engine.engine import require_root
    from netwright.backend.engine.store import Store
    from netwright.backend.outcomes.errors import NotDeployed
    from netwright.backend.topology import Document

    require_root()
    target = Target.host()
    store = Store(args.state_dir or default_state_dir(), target)
    document = None
    name = args.subject
    if args.subject.endswith((".yaml", ".yml")) or Path(args.subject).is_file():
        document = Document.from_file(args.subject)
        name = document.topology().name
    record = store.load(name)
    if record is None:
        raise NotDeployed(f"topology {name} is not deployed: apply the design (with the"
                              " objects as existing) first, then adopt them")
    _confirm(name, [a.text for a in adoptions(record.topology, args.objects, target)],
             args.yes)
    _result, items = adopt(store, target, name, args.objects)
    for item in items:
        print(f"adopted {item.text}")
    if document is not None:
        for item in items:
            section = "namespaces" if item.namespace else "interfaces"
            document.delete((section, item.key, "existing"))
        document.save()
        print(f"{document.file}: no longer marks them existing")
    else:
        print("netwright: the design file still marks them existing: take 'existing: true' out"
              " of it, or the next apply removes them", file=sys.stderr)
    return 0
