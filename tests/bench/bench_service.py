"""Benchmark: what going through netwrightd costs, against the engine called in-process.

Same machine, same moment, same topology (one bridge, N namespaces each with a veth into it):

- direct: ``Engine.apply`` + ``Engine.destroy`` in this process (the ``--local`` path);
- service: ``BackendClient.apply`` + ``destroy`` run as an unprivileged user against netwrightd
  on a private system bus, with polkitd deciding every call (the default path): topology text
  over D-Bus, validation in the daemon, the engine in a worker thread, JobProgress signals.

Also the round trip of one small polkit-checked call (``Status`` of a topology that is not
deployed): polkit + D-Bus + the engine's state lookup, median of 30.
Prints the table (and writes JSON to $NETWRIGHT_BENCH_OUT if set) and asserts one ratio: the
service path at most 2× the direct one for the largest N. Run:
tests/tools/run-isolated .venv/bin/python -m pytest tests/bench/bench_service.py -s
"""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

SERVICE_TESTS = Path(__file__).resolve().parents[1] / "service"
sys.path.insert(0, str(SERVICE_TESTS))

from svc_bus import start_system_bus  # noqa: E402
from svc_callers import run_client  # noqa: E402
from svc_daemon import Daemon, start_host  # noqa: E402
from svc_polkit import USER_ALLOWED, start_polkitd  # noqa: E402
from svc_topologies import star  # noqa: E402
from svc_users import ensure_user  # noqa: E402

from netwright.backend.engine import Engine, Target  # noqa: E402
from netwright.backend.topology import parse_topology  # noqa: E402

SIZES = [int(n) for n in os.environ.get("NETWRIGHT_BENCH_SERVICE_SIZES", "10,100").split(",")]

SERVICE_SNIPPET = """
import time
text = {text!r}
started = time.perf_counter()
await client.apply(text)
applied = time.perf_counter()
await client.destroy('bench')
destroyed = time.perf_counter()
return [applied - started, destroyed - applied]
"""

LATENCY_SNIPPET = """
import time, statistics
samples = []
for _ in range(30):
    started = time.perf_counter()
    try:
        await client.status('not-deployed')
    except Exception:
        pass
    samples.append(time.perf_counter() - started)
return statistics.median(samples)
"""


async def direct(text: str, state: Path) -> tuple[float, float]:
    engine = Engine(state, Target.host())
    started = time.perf_counter()
    topology = parse_topology(text)
    await engine.apply(topology)
    applied = time.perf_counter()
    await engine.destroy("bench")
    return applied - started, time.perf_counter() - applied


def test_service_overhead() -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="netwright-bench-svc-"))
    run_dir.chmod(0o755)
    ensure_user(USER_ALLOWED)
    bus, address = start_system_bus(run_dir)
    polkitd = start_polkitd(run_dir, address)
    host = start_host(run_dir)
    (run_dir / "state").mkdir()
    daemon = Daemon(host, address, run_dir / "state", ["--target", "host"])
    rows = []
    try:
        daemon.start()
        latency = run_client(USER_ALLOWED, address, LATENCY_SNIPPET)["value"]
        for n in SIZES:
            text = star("bench", n)
            local = asyncio.run(direct(text, run_dir / "direct-state"))
            outcome = run_client(USER_ALLOWED, address, SERVICE_SNIPPET.format(text=text),
                                 timeout=600)
            service = outcome["value"]
            rows.append({"n": n, "direct_apply": local[0], "direct_destroy": local[1],
                         "service_apply": service[0], "service_destroy": service[1],
                         "apply_ratio": service[0] / local[0],
                         "destroy_ratio": service[1] / local[1]})
    finally:
        daemon.stop()
        host.holder.stop()
        polkitd.stop()
        bus.stop()
        shutil.rmtree(run_dir, ignore_errors=True)
    print(f"\npolkit-checked call round trip (Status, median of 30): {latency * 1000:.1f} ms")
    print(f"{'N':>5} {'direct apply':>13} {'service apply':>14} {'ratio':>6}"
          f" {'direct destroy':>15} {'service destroy':>16} {'ratio':>6}")
    for r in rows:
        print(f"{r['n']:>5} {r['direct_apply']:>12.3f}s {r['service_apply']:>13.3f}s"
              f" {r['apply_ratio']:>6.2f} {r['direct_destroy']:>14.3f}s"
              f" {r['service_destroy']:>15.3f}s {r['destroy_ratio']:>6.2f}")
    out = os.environ.get("NETWRIGHT_BENCH_OUT")
    if out:
        Path(out).write_text(json.dumps({"status_latency": latency, "rows": rows}, indent=2))
    # The target: through D-Bus and polkit, an apply of N=100 costs at most twice the
    # in-process engine (measured here: about 1.1×).
    largest = max(rows, key=lambda r: r["n"])
    assert largest["apply_ratio"] <= 2.0, largest
