"""`netwright adopt NAME|FILE OBJECT…`: hand existing objects to a deployed topology.

Every object is named on the command line and confirmed by name before anything is marked
(``--yes`` confirms for scripts); from then on the topology owns them and ``destroy`` removes
them. Given the design FILE, the objects' ``existing: true`` is taken out of it too (and an
imported file's first line, which said every object is existing, names them), so the
next apply keeps them instead of letting them go. Through netwrightd (Adopt, polkit's
io.netwright.apply) or the lab's backend; ``--local`` in this process (root).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from netwright.backend.count_words import counted
from netwright.backend.topology.problems import NetwrightError


class AdoptNotConfirmed(NetwrightError):  # noqa: N818 (reads as an outcome)
    """The user did not confirm (or could not be asked)."""


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "adopt",
        help="make existing objects a deployed topology's own (destroy then removes them)",
        description="Hand objects someone else made, listed as existing in a deployed design,"
        " to that topology: each is marked as Netwright marks its own, after a confirmation"
        " that names it. An object another topology owns is refused. netwrightd asks an"
        " administrator's password for it (polkit's io.netwright.adopt); --lab adopts in your"
        " lab, and only --local needs root.",
    )
    parser.add_argument("subject", metavar="NAME|FILE",
                        help="the deployed topology, or its design file (updated too)")
    parser.add_argument("objects", metavar="OBJECT", nargs="+",
                        help="keys of existing interfaces or namespaces in the design")
    parser.add_argument("--yes", action="store_true", help="confirm without asking")
    parser.add_argument("--local", action="store_true",
                        help="adopt in this process (root) instead of via the service")
    parser.add_argument("--lab", action="store_true",
                        help="adopt on the lab host (through its backend)")
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
    from netwright.backend.cli.terminal import ctrl_c_raises, typed_input

    try:
        with ctrl_c_raises():  # the backend's path asks inside asyncio.run
            question = ("Adopt this object?" if len(texts) == 1
                        else f"Adopt these {counted(len(texts), 'object')}?")
            answer = typed_input(f"{question} [y/N] ").strip().lower()
    except (KeyboardInterrupt, EOFError):
        print()
        answer = ""
    if answer not in ("y", "yes"):
        raise AdoptNotConfirmed("nothing adopted")


def _subject(args: argparse.Namespace) -> tuple[Any, str]:
    """The design Document (None for a NAME) and the topology's name."""
    from netwright.backend.topology import Document

    if args.subject.endswith((".yaml", ".yml")) or Path(args.subject).is_file():
        document = Document.from_file(args.subject)
        return document, document.topology().name
    return None, args.subject


def _local(args: argparse.Namespace, name: str) -> list[tuple[str, str, str]]:
    from netwright.backend.engine import Target, default_state_dir
    from netwright.backend.engine.adopt import adopt, preview
    from netwright.backend.engine.engine import require_root
    from netwright.backend.engine.store import Store

    require_root()
    target = Target.host()
    store = Store(args.state_dir or default_state_dir(), target)
    _confirm(name, [a.text for a in preview(store, target, name, args.objects)], args.yes)
    return [(a.key, a.text, "namespaces" if a.namespace else "interfaces")
            for a in adopt(store, target, name, args.objects)[1]]


async def _via_backend(args: argparse.Namespace, name: str) -> list[tuple[str, str, str]]:
    from netwright.backend.cli.terminal import say_if_lab
    from netwright.backend.client.connecting import connect

    client = await connect(lab=True if args.lab else None)
    try:
        say_if_lab(client)
        shown = await client.adopt(name, args.objects, preview=True)
        _confirm(name, [item["text"] for item in shown], args.yes)
        return [(i["key"], i["text"], i["section"])
                for i in await client.adopt(name, args.objects)]
    finally:
        client.close()


def run(args: argparse.Namespace) -> int:
    document, name = _subject(args)
    if args.local:
        done = _local(args, name)
    else:
        import asyncio

        done = asyncio.run(_via_backend(args, name))
    for _key, text, _section in done:
        print(f"adopted {text}")
    if document is not None:  # the caller's own file, edited by the caller, never by root
        from netwright.backend.hostimport.header import after_adoption
        from netwright.backend.topology.source import atomic_write

        for key, _text, section in done:
            document.delete((section, key, "existing"))
        # an imported file's first line says every object is existing: it names them now
        atomic_write(Path(document.file),
                     after_adoption(document.render(), [key for key, _t, _s in done]))
        print(f"{document.file}: no longer marks them existing")
    else:
        print("netwright: the design file still marks them existing: take 'existing: true' out"
              " of it, or the next apply removes them", file=sys.stderr)
    return 0
