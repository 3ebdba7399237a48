"""API latency under load: a 300-agent month's roster as JSON and as xlsx, 50 concurrent clients.

`python -m benchmarks.api [--agents 300] [--clients 50] [--seconds 10] [--xlsx-seconds 5] [--workers N]`
starts `shiftcast serve`'s gunicorn (its own config) on a free loopback port over a scratch store, stores a
roster month directly in the store, and measures p50/p99 latency and throughput of:
  baseline: GET /health (the framework's floor, measured in the same run);
  json:     GET /api/v1/rosters/{id}       (target p99 <= 100 ms);
  xlsx:     GET /api/v1/rosters/{id}/xlsx  (target <= 1 s each).
The load comes from wrk (Debian's `wrk`), a C load generator: `clients` connections kept alive, as a roster
page's browser keeps its own, each sending its next request as soon as its answer is in. Python clients on the
same two cores took a third of the machine's CPU and most of the tail; wrk takes a few per cent, and its
CPU is reported beside the server's. The server and wrk run ahead of other work on the machine when the
benchmark may raise their scheduling priority (root): a shared machine's other processes would otherwise
set the tail. The roster is stored as a roster job stores it, with its workbook rendered once beforehand
(that render time, which the job pays, is reported as `xlsx_render_in_job_s`).
Prints one JSON object. Loopback traffic only.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass
from pathlib import Path

from api import testing
from core.periods import month_days

MONTH = "2026-12"
TARGET_JSON_P99_MS = 100.0
TARGET_XLSX_MS = 1000.0
WRK_SUMMARY = Path(__file__).with_name("wrk_summary.lua")
# The autogroup nice value the server and wrk run at (Linux's scheduler shares the cores between sessions
# first: each new session, as the server's and wrk's are, gets an equal share whatever its processes' nice).
PRIORITY = -20
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass(frozen=True)
class LoadRun:
    """One wrk run against one path: its latencies, throughput and both sides' CPU."""

    requests: int
    errors: int
    bytes_per_answer: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    throughput_rps: float
    seconds: float
    server_cpu_ms_per_request: float
    server_cpu_share: float  # of all the machine's cores
    client_cpu_share: float


@dataclass(frozen=True)
class Download:
    """One GET alone."""

    ms: float
    ok: bool


def _raise_priority(pid: int) -> bool:
    """Run the session of `pid` ahead of the machine's other sessions; False where that is not allowed."""
    try:
        Path(f"/proc/{pid}/autogroup").write_text(str(PRIORITY))
        return True
    except OSError:
        return False


def _cpu_seconds(pid: int) -> float:
    """CPU seconds so far of process `pid` and its children alive now (the web workers, the job worker)."""
    total = 0.0
    for p in [str(pid), *Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]:
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime
    return total


def _children_cpu_seconds() -> float:
    """CPU seconds of this process's children that have ended (wrk's runs, once each is waited for)."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _wrk(port: int, path: str, headers: dict, clients: int, seconds: float, server_pid: int) -> LoadRun:
    """`clients` connections GET `path` for `seconds`, each sending its next request once its answer is in."""
    cmd = ["wrk", "-t1", f"-c{clients}", f"-d{seconds:g}s", "--timeout", "60s", "-s", str(WRK_SUMMARY)]
    for name, value in headers.items():
        cmd += ["-H", f"{name}: {value}"]
    cmd.append(f"http://127.0.0.1:{port}{path}")
    server_cpu, client_cpu = _cpu_seconds(server_pid), _children_cpu_seconds()
    began = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)
    _raise_priority(proc.pid)
    out, err = proc.communicate()
    wall = time.perf_counter() - began
    server_cpu, client_cpu = _cpu_seconds(server_pid) - server_cpu, _children_cpu_seconds() - client_cpu
    lines = [line for line in out.splitlines() if line.startswith("{")]
    if proc.returncode != 0 or not lines:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {err.strip() or out.strip()}")
    run = json.loads(lines[-1])
    errors = sum(run[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts"))
    seconds_run = run["duration_us"] / 1e6
    return LoadRun(
        requests=run["requests"], errors=errors, bytes_per_answer=round(run["bytes"] / max(run["requests"], 1)),
        p50_ms=run["p50_us"] / 1000, p90_ms=run["p90_us"] / 1000, p99_ms=run["p99_us"] / 1000,
        max_ms=run["max_us"] / 1000, throughput_rps=round(run["requests"] / seconds_run, 1),
        seconds=round(seconds_run, 2),
        server_cpu_ms_per_request=round(server_cpu * 1000 / max(run["requests"], 1), 3),
        server_cpu_share=round(server_cpu / wall / os.cpu_count(), 2),
        client_cpu_share=round(client_cpu / wall / os.cpu_count(), 2),
    )


def _first_download(url: str, headers: dict) -> Download:
    t0 = time.perf_counter()
    try:
        with urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=60) as r:
            r.read()
            ok = r.status == 200
    except OSError:
        ok = False
    return Download((time.perf_counter() - t0) * 1000, ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=300)
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10, help="seconds of load on JSON (and on the baseline)")
    parser.add_argument("--xlsx-seconds", type=float, default=5)
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default: the config's)")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("benchmarks.api needs wrk, the C load generator (Debian: apt-get install wrk); .ci/run installs it. "
                 "Nothing was measured.")

    from shiftcast.exports.specimen import specimen_roster, specimen_staff

    from api.exports import DEFAULT_EXPORT_LANG, roster_export
    from core.rules import DEFAULT_RULES

    staff = specimen_staff(args.agents)
    roster = specimen_roster(staff, MONTH, seed=0)
    t0 = time.perf_counter()
    workbook = roster_export(roster, "xlsx", DEFAULT_RULES, DEFAULT_EXPORT_LANG, staff)
    render_s = time.perf_counter() - t0
    with tempfile.TemporaryDirectory(prefix="shiftcast-bench-") as folder:
        url = f"sqlite:///{Path(folder) / 'bench.sqlite'}"
        roster_id = testing.store_roster(url, roster, MONTH, staff, workbook=workbook)
        headers = {"Authorization": f"Bearer {testing.token(url, 'viewer')}", "Accept-Encoding": "gzip"}
        with testing.running_server(url, Path(folder), workers=args.workers) as server:
            pid = server.proc.pid
            prioritised = _raise_priority(pid)
            json_path, xlsx_path = f"/api/v1/rosters/{roster_id}", f"/api/v1/rosters/{roster_id}/xlsx"
            first = _first_download(server.url + xlsx_path, headers)
            load = dict(clients=args.clients, server_pid=pid)
            _wrk(server.port, json_path, headers, seconds=2, **load)  # every worker's cache warm
            baseline = _wrk(server.port, "/health", {}, seconds=args.seconds, **load)
            as_json = _wrk(server.port, json_path, headers, seconds=args.seconds, **load)
            as_xlsx = _wrk(server.port, xlsx_path, headers, seconds=args.xlsx_seconds, **load)
            children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
            # the web workers (forks of the arbiter); the arbiter's other child is the job worker
            workers = sum(b"gunicorn" in Path(f"/proc/{child}/cmdline").read_bytes() for child in children)
    result = {
        "benchmark": "api",
        "agents": args.agents, "days": len(month_days(MONTH)), "clients": args.clients,
        "client": "wrk, 1 thread, keep-alive",
        "gunicorn_workers": workers,
        "priority": f"autogroup nice {PRIORITY}" if prioritised else "as the machine's other work (not root)",
        "baseline_health": asdict(baseline),
        "roster_json": asdict(as_json),
        "roster_xlsx": {**asdict(as_xlsx), "first_download_ms": round(first.ms, 1), "first_ok": first.ok},
        "xlsx_render_in_job_s": round(render_s, 3),
        "json_p99_over_baseline_p99": round(as_json.p99_ms / max(baseline.p99_ms, 1e-9), 2),
        "targets": {"roster_json_p99_ms": TARGET_JSON_P99_MS, "roster_xlsx_each_ms": TARGET_XLSX_MS},
        "met": {"roster_json_p99": as_json.p99_ms <= TARGET_JSON_P99_MS and as_json.errors == 0,
                "roster_xlsx_each": max(as_xlsx.max_ms, first.ms) <= TARGET_XLSX_MS and as_xlsx.errors == 0
                and first.ok},
        "load_average_1m": round(os.getloadavg()[0], 2),
        "cpus": os.cpu_count(),
    }
    print(json.dumps(result))


if __name__ == "__main__":
    main()
