"""`netwright explain --deployed`: the prediction of a deployment with what the kernel says.

The offline `explain` knows only the file: the host's forwarding is assumed off unless the
design owns it, and rules Netwright does not own are unknown. For a deployment, the check's
own reading of the kernel (host forwarding, foreign rulesets, bridge-nf-call-ip*tables,
rp_filter, DAD flags) is what the prediction should start from, so this asks the backend (or,
with ``--local``, this root process) for a check that reads and predicts but sends nothing.
"""

from __future__ import annotations

import argparse
import asyncio
from typing import TYPE_CHECKING

from netwright.backend.cli.terminal import (
    TerminalProgress,
    names_a_file,
    read_topology,
    say_notices,
)

if TYPE_CHECKING:
    from netwright.backend.checks.results import CheckResult


def explain_deployed(args: argparse.Namespace) -> CheckResult:
    """The deployed topology ``args.file`` (a file or a deployed name), predicted from the
    kernel's facts, probed not at all."""
    from netwright.backend.checks.results import CheckResult
    from netwright.backend.checks.run import CheckOptions, run_check

    if args.local:
        from netwright.backend.cli.cmd_check import _deployment, _lab_outside, run_locally

        options = CheckOptions(probe=False, size=args.size, source=args.source,
                               outside=args.target_outside or (
                                   _lab_outside() if args.lab else None))

        async def here() -> CheckResult:
            return await run_check(await _deployment(args.file, args.lab, args.state_dir),
                                   options)

        return run_locally(here, "reads the kernel", "explanation")
    from netwright.backend.client.connecting import connect

    name = read_topology(args.file).name if names_a_file(args.file) else args.file

    async def ask() -> CheckResult:
        client = await connect(lab=True if args.lab else None)
        say_notices(client)
        progress = TerminalProgress(not args.json)
        try:
            data = await client.check_job(name, progress, outside=args.target_outside,
                                          size=args.size, source=args.source, probe=False)
        finally:
            progress.close()
            client.close()
        return CheckResult.from_json(data)

    return asyncio.run(ask())
