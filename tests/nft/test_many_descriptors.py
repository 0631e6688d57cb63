"""libnftables in a process that holds more than FD_SETSIZE (1024) descriptors.

libnftables waits for a transaction's answer with select(); glibc aborts the whole process
when the socket's number is 1024 or more. netwrightd and the lab hold a descriptor per
namespace of a large apply or check, so a firewall change beside one killed the daemon. Each
case runs in a child process (an abort must fail the test, not end pytest) that first holds
1,100 open descriptors, in this test's own network namespace (the suite runs under
``tests/tools/run-isolated``).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

pytestmark = pytest.mark.root

CHILD = textwrap.dedent("""
    import json, os, resource, sys
    from netwright.backend.nft.binding import Nft
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    held = [os.open("/dev/null", os.O_RDONLY) for _ in range(1100)]
    table = sys.argv[1]
    Nft().run([{"add": {"table": {"family": "inet", "name": table}}},
               {"add": {"chain": {"family": "inet", "table": table, "name": "input",
                                  "type": "filter", "hook": "input", "prio": 0,
                                  "policy": "accept"}}}])
    listed = Nft().list_table("inet", table)
    tables = Nft().tables()
    refused = ""
    try:
        Nft().run([{"add": {"chain": {"family": "inet", "table": "no-such-" + table,
                                      "name": "c"}}}])
    except Exception as exc:
        refused = str(exc)
    Nft().run([{"delete": {"table": {"family": "inet", "name": table}}}])
    print(json.dumps({"highest": held[-1], "listed": listed, "tables": tables,
                      "refused": refused, "after": Nft().tables()}))
""")


def test_a_transaction_in_a_process_with_1100_descriptors_works() -> None:
    table = f"nw-fd-{uuid.uuid4().hex[:8]}"
    done = subprocess.run([sys.executable, "-c", CHILD, table], capture_output=True,
                          text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["highest"] >= 1100
    assert any("chain" in item and item["chain"]["name"] == "input"
               for item in seen["listed"]), seen["listed"]
    assert ["inet", table] in seen["tables"]
    assert seen["refused"].startswith("nftables refused the change:"), seen["refused"]
    assert "No such file or directory" in seen["refused"]
    assert ["inet", table] not in seen["after"]


HUNG = textwrap.dedent("""
    import json, os, resource, sys, time
    from netwright.backend.nft import binding
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (max(soft, min(hard, 4096)), hard))
    held = [os.open("/dev/null", os.O_RDONLY) for _ in range(1100)]
    binding.NFT_COMMAND_PATH = sys.argv[1]  # an "nft" there that never answers
    binding.NFT_COMMAND_SECONDS = 0.5
    began = time.monotonic()
    try:
        binding.Nft().run([{"add": {"table": {"family": "inet", "name": "nw-hung"}}}])
        said = ""
    except binding.NftError as exc:
        said = str(exc)
    print(json.dumps({"said": said, "seconds": time.monotonic() - began}))
""")


def test_an_nft_command_that_never_answers_is_ended_by_its_pid(tmp_path: Path) -> None:
    """The fallback's nft child had no time limit: one that hung (a kernel stuck in its
    netlink answer) held the daemon's job for ever. It now gets NFT_COMMAND_SECONDS, then
    is killed by its PID and the transaction fails with a sentence. The "nft" here is a
    program that only sleeps, found through the module's command path."""
    hung = tmp_path / "nft"
    hung.write_text("#!/bin/sh\nexec sleep 600\n")
    hung.chmod(0o755)
    done = subprocess.run([sys.executable, "-c", HUNG, str(tmp_path)], capture_output=True,
                          text=True, timeout=30, check=False)
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    said = seen["said"]
    assert said.startswith("the nft command (process "), said
    assert "did not answer within 0.5 s and was ended" in said
    assert seen["seconds"] < 10
    pid = int(said.split("(process ", 1)[1].split(")", 1)[0])
    assert not Path(f"/proc/{pid}").exists()  # killed and reaped, not left sleeping
