"""Benchmark: what going through netwrightd costs, against the engine called in-process.

Same machine, same moment, same topology (one bridge, N namespaces each with a veth into it):

- direct: ``Engine.apply`` + ``Engine.destroy`` in this process (the ``--local`` path);
- service: ``BackendClient.apply`` + ``destroy`` run as an unprivileged user against netwrightd
  on a private system bus, with polkitd deciding every call (the default path): topology text
  over D-Bus, validation in the daemon, the engine in a worker thread, JobProgress signals.

Also the round trip of one small polkit-checked call (``Status`` of a topology that is not
deployed): polkit + D-Bus + the engine's state lookup, median of 30.

``test_latency_under_validate_flood``: a third user's List and Status latency, quiet and while
two unprivileged users each send 10 Validate calls a second of a 0.9 MB, 60,000-namespace
file (which once cost ~9 s of the daemon's CPU each); target: p99 < 100 ms under the flood.
Prints the table (and writes JSON to $NETWRIGHT_BENCH_OUT if set) and asserts one ratio: the
service path at most 2× the direct one for the largest N. Run:
tests/tools/run-isolated .venv/bin/python -m pytest tests/bench/bench_service.py -s
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from pathlib import Path

SERVICE_TESTS = Path(__file__).resolve().parents[1] / "service"
sys.path.insert(0, str(SERVICE_TESTS))

from svc_bus import start_system_bus  # noqa: E402
from svc_callers import Caller, run_client  # noqa: E402
from svc_daemon import Daemon, start_host  # noqa: E402
from svc_polkit import USER_ALLOWED, USER_DEFAULT, USER_PEER, start_polkitd  # noqa: E402
from svc_topologies import many_namespaces, star  # noqa: E402
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


@contextlib.contextmanager
def service(run_dir: Path, users: tuple[str, ...] = (USER_ALLOWED,)) -> Iterator[str]:
    """A private bus, polkitd and netwrightd (host target) in ``run_dir``; yields the bus."""
    for user in users:
        ensure_user(user)
    bus, address = start_system_bus(run_dir)
    polkitd = start_polkitd(run_dir, address)
    host = start_host(run_dir)
    (run_dir / "state").mkdir()
    daemon = Daemon(host, address, run_dir / "state", ["--target", "host"])
    try:
        daemon.start()
        yield address
    finally:
        daemon.stop()
        host.holder.stop()
        polkitd.stop()
        bus.stop()


def test_service_overhead() -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="netwright-bench-svc-"))
    run_dir.chmod(0o755)
    rows = []
    try:
        with service(run_dir) as address:
            latency = run_client(USER_ALLOWED, address, LATENCY_SNIPPET)["value"]
            for n in SIZES:
                text = star("bench", n)
                local = asyncio.run(direct(text, run_dir / "direct-state"))
                outcome = run_client(USER_ALLOWED, address,
                                     SERVICE_SNIPPET.format(text=text), timeout=600)
                service_times = outcome["value"]
                rows.append({"n": n, "direct_apply": local[0], "direct_destroy": local[1],
                             "service_apply": service_times[0],
                             "service_destroy": service_times[1],
                             "apply_ratio": service_times[0] / local[0],
                             "destroy_ratio": service_times[1] / local[1]})
    finally:
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


FLOOD_SECONDS = 15.0
IN_FLIGHT_PER_FLOODER = 10

PROBE_SNIPPET = """
import time
samples = []
deadline = time.monotonic() + {seconds}
while time.monotonic() < deadline:
    for call in (client.deployments, lambda: client.status('not-deployed')):
        started = time.perf_counter()
        try:
            await call()
        except Exception:
            pass
        samples.append(time.perf_counter() - started)
return samples
"""


def flood(caller: Caller, text: str, stop: threading.Event) -> None:
    """Send IN_FLIGHT_PER_FLOODER Validate calls of ``text`` a second until ``stop``."""
    while not stop.is_set():
        for _ in range(IN_FLIGHT_PER_FLOODER):
            caller.request(op="send", member="Validate", signature="s", body=[text])
        stop.wait(1.0)


def percentiles(samples: list[float]) -> dict[str, float]:
    ordered = sorted(samples)
    return {"n": len(ordered), "p50_ms": statistics.median(ordered) * 1000,
            "p99_ms": ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000,
            "max_ms": ordered[-1] * 1000}


def test_latency_under_validate_flood() -> None:
    run_dir = Path(tempfile.mkdtemp(prefix="netwright-bench-flood-"))
    run_dir.chmod(0o755)
    text = many_namespaces("flood", 60_000)
    try:
        with service(run_dir, (USER_ALLOWED, USER_DEFAULT, USER_PEER)) as address:
            quiet = run_client(USER_ALLOWED, address, PROBE_SNIPPET.format(seconds=5))["value"]
            flooders = [Caller(user, address, run_dir / f"flood-{user}.log")
                        for user in (USER_DEFAULT, USER_PEER)]
            stop = threading.Event()
            threads = [threading.Thread(target=flood, args=(c, text, stop)) for c in flooders]
            for thread in threads:
                thread.start()
            try:
                loaded = run_client(USER_ALLOWED, address,
                                    PROBE_SNIPPET.format(seconds=FLOOD_SECONDS),
                                    timeout=FLOOD_SECONDS + 120)["value"]
            finally:
                stop.set()
                for thread in threads:
                    thread.join(30)
                for caller in flooders:
                    caller.stop()
    finally:
        shutil.rmtree(run_dir, ignore_errors=True)
    result = {"quiet": percentiles(quiet), "flood": percentiles(loaded)}
    for name, row in result.items():
        print(f"\nList/Status {name:>5}: {row['n']} calls, p50 {row['p50_ms']:.1f} ms,"
              f" p99 {row['p99_ms']:.1f} ms, max {row['max_ms']:.1f} ms")
    out = os.environ.get("NETWRIGHT_BENCH_OUT")
    if out:
        Path(out).write_text(json.dumps(result, indent=2))
    # The target (p99 < 100 ms under the flood) is judged on a machine quiet enough to meet
    # it without a flood (quiet p99 < 50 ms); on a loaded one, the flood may at most double
    # the quiet p99 plus 50 ms.
    quiet_p99, flood_p99 = result["quiet"]["p99_ms"], result["flood"]["p99_ms"]
    limit = 100.0 if quiet_p99 < 50 else 2 * quiet_p99 + 50
    assert flood_p99 < limit, result
