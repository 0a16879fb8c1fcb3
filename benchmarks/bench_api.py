"""Load benchmark of `POST /api/v1/predictions` on loopback, cached and uncached.

Starts `tradingia serve` in its own process on a home with a trained model (it imports the
shared BTCUSDT 5m candles and trains a small model set first when the home has none), then
drives it with N concurrent keep-alive HTTP/1.1 connections: cached back to back
(saturation: the most requests per second), cached paced at `--rate` requests per second in
all (latency at that load, timed from each request's scheduled send), and uncached
(`Cache-Control: no-cache`: every request runs the model on the stored candles).

The load generator must not be the bottleneck: the back-to-back runs use `wrk` (C, one
thread; `apt-get install wrk`) with a Lua script for the body and headers when it is on the
PATH, else the Python generator below (raw asyncio streams in this process). The paced run
always uses the Python generator (open loop per connection: wrk paces only with a think
time, and wrk2 is not packaged). The JSON names the generator of each run and the load
average of the machine around it. To see where the server spends its time under load,
`py-spy record -p <server pid>` (dev extra) while this runs.

    .venv/bin/python benchmarks/bench_api.py --clients 50 --seconds 10

writes benchmarks/results/api.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _common import ROOT

BIN = Path(sys.executable).parent
KEY = "bench-key-0123456789"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _cli(env: dict[str, str], *args: str) -> None:
    subprocess.run([str(BIN / "tradingia"), *args], env=env, check=True,
                   stdout=subprocess.DEVNULL)


def prepare_home(home: Path, env: dict[str, str], symbol: str, timeframe: str,
                 data: Path) -> None:
    """Import candles and train a small model set unless the home already has one."""
    if (home / "models" / symbol / timeframe).is_dir():
        return
    print(f"importing {data} and training a small model set in {home} ...", flush=True)
    _cli(env, "data", "import", str(data), "--symbol", symbol, "--timeframe", timeframe)
    _cli(env, "train", "--symbol", symbol, "--timeframe", timeframe,
         "--models", "range,tpsl", "--feature-set", "minimal", "--folds", "2")


async def _client(port: int, request: bytes, stop_at: float, latencies: list[float],
                  statuses: dict[int, int], interval: float | None = None,
                  first: float = 0.0) -> None:
    """One keep-alive connection: back to back, or one request every `interval` seconds
    (then latency counts from the scheduled send time, so a stall is not hidden)."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    scheduled = first
    try:
        while time.perf_counter() < stop_at:
            if interval is not None:
                await asyncio.sleep(max(0.0, scheduled - time.perf_counter()))
                start, scheduled = scheduled, scheduled + interval
            else:
                start = time.perf_counter()
            writer.write(request)
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.split(b"\r\n")
            status = int(lines[0].split()[1])
            length = next(int(line.split(b":")[1]) for line in lines
                          if line.lower().startswith(b"content-length:"))
            await reader.readexactly(length)
            latencies.append(time.perf_counter() - start)
            statuses[status] = statuses.get(status, 0) + 1
    finally:
        writer.close()


def _request(port: int, body: bytes, cached: bool) -> bytes:
    extra = b"" if cached else b"Cache-Control: no-cache\r\n"
    return (b"POST /api/v1/predictions HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n"
            b"X-API-Key: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n"
            % (port, KEY.encode(), len(body)) + extra + b"\r\n" + body)


async def run_load(port: int, body: bytes, cached: bool, clients: int,
                   seconds: float, rate: float | None = None) -> dict[str, object]:
    """Drive the server with `clients` connections for `seconds` (closed loop, or `rate`
    requests per second in all); latency percentiles."""
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    request = _request(port, body, cached)
    started = time.perf_counter()
    interval = None if rate is None else clients / rate
    await asyncio.gather(*(
        _client(port, request, started + seconds, latencies, statuses, interval,
                started + i * (interval or 0.0) / clients) for i in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p: float) -> float:
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 2)

    return {"generator": "python asyncio (raw streams, in the benchmark process)",
            "cached": cached, "clients": clients, "target_rate": rate,
            "seconds": round(elapsed, 2),
            "requests": len(latencies), "requests_per_second": round(len(latencies) / elapsed, 1),
            "p50_ms": pct(0.50), "p90_ms": pct(0.90), "p99_ms": pct(0.99),
            "max_ms": round(latencies[-1] * 1000, 2), "statuses": statuses}


_WRK_SCRIPT = """
wrk.method = "POST"
wrk.body = '%(body)s'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-Key"] = "%(key)s"
%(extra)s
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %%d, "duration_us": %%d, "non_2xx": %%d, "socket_errors": %%d, '
    .. '"p50_us": %%d, "p90_us": %%d, "p99_us": %%d, "max_us": %%d}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""


def run_wrk(wrk: str, port: int, body: bytes, cached: bool, clients: int,
            seconds: float) -> dict[str, object]:
    """Back-to-back load from `wrk` (one thread, `clients` connections); its percentiles."""
    extra = "" if cached else 'wrk.headers["Cache-Control"] = "no-cache"'
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "post.lua"
        script.write_text(_WRK_SCRIPT % {"body": body.decode(), "key": KEY, "extra": extra})
        out = subprocess.run(
            [wrk, "-t1", f"-c{clients}", f"-d{max(1, round(seconds))}s", "--timeout", "60s",
             "--latency", "-s", str(script), f"http://127.0.0.1:{port}/api/v1/predictions"],
            check=True, capture_output=True, text=True).stdout
    line = next(ln for ln in out.splitlines() if ln.startswith("WRKJSON "))
    res = json.loads(line.removeprefix("WRKJSON "))
    elapsed = res["duration_us"] / 1e6
    return {"generator": "wrk 4.1 (1 thread)", "cached": cached, "clients": clients,
            "target_rate": None, "seconds": round(elapsed, 2), "requests": res["requests"],
            "requests_per_second": round(res["requests"] / elapsed, 1),
            "p50_ms": res["p50_us"] / 1000, "p90_ms": res["p90_us"] / 1000,
            "p99_ms": res["p99_us"] / 1000, "max_ms": res["max_us"] / 1000,
            "non_2xx": res["non_2xx"], "socket_errors": res["socket_errors"]}


def _loaded(run: dict[str, object]) -> dict[str, object]:
    """`run` with the 1-minute load average after it."""
    return run | {"loadavg_1m_after": round(os.getloadavg()[0], 2)}


def _wait(port: int, proc: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit("the server exited during start-up")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit("the server did not start")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--uncached-seconds", type=float, default=10.0)
    parser.add_argument("--rate", type=float, default=1000.0,
                        help="requests per second of the paced cached run")
    parser.add_argument("--symbol", default="BTCUSDT")
    parser.add_argument("--timeframe", default="5m")
    parser.add_argument("--horizon", type=int, default=12)
    parser.add_argument("--home", type=Path, default=None,
                        help="TRADINGIA_HOME with a trained model (default: a fresh temp one)")
    parser.add_argument("--data", type=Path,
                        default=ROOT.parent / "shared/data/ohlcv/BTCUSDT_5m.csv.gz")
    parser.add_argument("--out", type=Path, default=ROOT / "benchmarks/results/api.json")
    parser.add_argument("--python-generator", action="store_true",
                        help="use the Python generator even when wrk is installed")
    args = parser.parse_args()

    home = args.home or Path(tempfile.mkdtemp(prefix="tradingia-bench-"))
    env = {k: v for k, v in os.environ.items() if not k.startswith("TRADINGIA_")}
    env |= {"TRADINGIA_HOME": str(home), "TRADINGIA_API_KEYS": KEY}
    prepare_home(home, env, args.symbol, args.timeframe, args.data)
    port = _free_port()
    server = subprocess.Popen(
        [str(BIN / "tradingia"), "serve", "--port", str(port), "--no-jobs",
         "--prediction-limit", "0", "--api-limit", "0", "--log-level", "warning"], env=env)
    try:
        _wait(port, server)
        body = json.dumps({"symbol": args.symbol, "timeframe": args.timeframe,
                           "horizon": args.horizon}).encode()
        asyncio.run(run_load(port, body, True, 2, 1.0))  # warm-up: first prediction, caches
        wrk = None if args.python_generator else shutil.which("wrk")
        load_before = round(os.getloadavg()[0], 2)

        def back_to_back(cached: bool, seconds: float) -> dict[str, object]:
            if wrk is not None:
                return run_wrk(wrk, port, body, cached, args.clients, seconds)
            return asyncio.run(run_load(port, body, cached, args.clients, seconds))

        cached = _loaded(back_to_back(True, args.seconds))
        paced = _loaded(asyncio.run(run_load(port, body, True, args.clients, args.seconds,
                                             args.rate)))
        uncached = _loaded(back_to_back(False, args.uncached_seconds))
    finally:
        server.terminate()
        server.wait(timeout=30)
    result = {
        "benchmark": "POST /api/v1/predictions on loopback",
        "command": "python benchmarks/bench_api.py " + " ".join(sys.argv[1:]),
        "server": "tradingia serve (uvicorn, 1 worker, embedded mode, --no-jobs, no rate limit)",
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "platform": platform.platform(), "loadavg_1m_before": load_before,
                    "note": "shared machine: other jobs may run beside the benchmark; "
                            "loadavg_1m_* is the 1-minute load average (2 CPUs)"},
        "generators": {"back_to_back": "wrk" if wrk else "python", "paced": "python"},
        "targets": {"cached_p99_ms_below": 25, "cached_rps_above": 1000},
        "cached": cached, "cached_at_target_rate": paced, "uncached": uncached,
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
    if any(not _all_ok(run) for run in (cached, paced, uncached)):
        raise SystemExit("some requests did not answer 200: see the runs above")


def _all_ok(run: dict[str, object]) -> bool:
    """Every request of a run answered 200 (wrk: no non-2xx and no socket error)."""
    if "statuses" in run:
        return set(run["statuses"]) == {200}  # type: ignore[call-overload]
    return run["non_2xx"] == 0 and run["socket_errors"] == 0


if __name__ == "__main__":
    main()
