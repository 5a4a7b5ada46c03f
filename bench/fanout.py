"""Live fan-out, old code against new in one run: ``python -m bench.fanout`` (issue 21).

Two stacks side by side, each a gunicorn (``--workers`` gevent workers) on a PostgreSQL database
of its own (``fanout_before``, ``fanout_after``) with the Redis message queue on a channel of its
own: ``before`` serves the checkout ``--before`` (the code before issue 21), ``after`` this one.
Both are set up as :mod:`bench.province` sets up a province (``--counters`` counters with an
officer each, ``--kiosks`` kiosk tokens). Then, ``--pairs`` times, each stack in turn:

- ``--queued`` tickets are taken, so that every counter has someone to call;
- ``--clients`` Socket.IO connections (WebSocket, :mod:`bench.screens`) join the site's room,
  all of them: every call is one frame to each of them;
- after ``--settle-seconds`` (what the connections set off is done by then: the first pings,
  the workers' freeze of the new sockets' objects, ``live/collector.py``), the worker
  processes' CPU is read over ``--idle-seconds`` with nothing happening (pings);
- each ``--window`` runs in turn (:func:`bench.province.run_window`): kiosks taking numbers at
  RATE per second and every officer calling next every CALL_EVERY seconds, for SECONDS;
- the screens hang up and each window's figures are taken: call-to-display over every
  client (p50/p99/max, missed; to the kernel's receipt on each screen's socket, and as the
  listeners read them, :mod:`bench.screens`), call-next latency, and the workers' CPU per
  call, as measured and less what the idle workers used over as long (read from /proc,
  ``bench.province.Groups``).

The stacks take turns, so that the machine's drift (it is shared) falls on both alike; the report
gives, pair by pair, the ratio after/before of each figure. The load average is recorded before
each window. Results: ``bench/results/fanout.json``.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from .harness import ROOT, Gunicorn
from .province import (
    SITE,
    Groups,
    build_province,
    call_figures,
    cpu_seconds,
    display_as_read,
    loadavg,
    login_officers,
    run_window,
    settle,
    take_numbers_for_phones,
)
from .screens import Screens
from .stack import prepare, start_server
from .stats import percentile_ms

RESULTS = Path(__file__).resolve().parent / "results"
# What a window is given as: NAME:RATE:CALL_EVERY:SECONDS.
DEFAULT_WINDOWS = ("centre:2:12:40", "five-per-s:2:4:20", "calls-only:0:10:20")
# Figures whose ratio after/before the summary gives.
COMPARED = ("p50_ms", "p99_ms", "max_ms", "cpu_ms_per_call", "net_cpu_ms_per_call", "kernel_cpu_ms_per_call")


def parse_window(text: str) -> dict:
    name, rate, call_every, seconds = text.split(":")
    return {"name": name, "rate": float(rate), "call_every": float(call_every), "seconds": float(seconds)}


def set_up(name: str, root: Path, args) -> tuple[Gunicorn, dict, str]:
    """A database of its own, a server of ``root``'s code, and the province; (server, province, db)."""
    database = f"{args.postgres}/fanout_{name}"
    token = prepare(database, root)
    channel = f"fanout-{name}-{os.getpid()}"
    # Two stacks at once within PostgreSQL's 100 connections (the pool's default is 20 + 10).
    settings = {"SOCKETIO_CHANNEL": channel, "DATABASE_POOL_SIZE": "10", "DATABASE_MAX_OVERFLOW": "5"}
    server = start_server(database, args.workers, args.redis, settings, root)
    try:
        province = build_province(server.url, args.counters, args.kiosks, token)
    except Exception:
        server.stop()
        raise
    return server, province, database.rsplit("/", 1)[-1]


def workers_cpu(server: Gunicorn) -> float:
    return sum(cpu_seconds(pid) or 0.0 for pid in server.worker_pids())


async def drive(base: str, province: dict, groups: Groups, windows: list[dict], args) -> list[dict]:
    officers = await login_officers(base, province["officers"])
    try:
        done = []
        for window in windows:
            await settle(base)
            done.append(
                await run_window(
                    base,
                    province,
                    officers,
                    groups,
                    window["rate"],
                    window["seconds"],
                    window["call_every"],
                    max_inflight=100,
                    drain=args.drain,
                )
            )
        await asyncio.sleep(args.drain)  # the last calls reach the screens
        return done
    finally:
        for http, _ in officers:
            await http.close()


def visit(name: str, server: Gunicorn, province: dict, database: str, args) -> dict:
    """One turn of one stack: screens connected, idle CPU, the windows, their figures."""
    take_numbers_for_phones(server.url, province, args.queued)
    windows = [parse_window(w) for w in args.window or DEFAULT_WINDOWS]
    with tempfile.TemporaryDirectory() as tmp:
        screens = Screens(server.url, [{"site": SITE}] * args.clients, args.listener_processes, Path(tmp))
        try:
            connect_s = screens.wait_connected(300)
            groups = Groups(server, screens, database)
            time.sleep(args.settle_seconds)
            idle_from, idle_at = workers_cpu(server), time.monotonic()
            time.sleep(args.idle_seconds)
            idle_cores = (workers_cpu(server) - idle_from) / (time.monotonic() - idle_at)
            done = asyncio.run(drive(server.url, province, groups, windows, args))
            received = screens.finish(120)
        finally:
            screens.terminate()
    results = {}
    for window, record in zip(windows, done, strict=True):
        figures = call_figures(record, received["arrivals"], received["connected_at_ready"], set())
        called = figures["display"]["tickets_called"]
        worker_s = record["cpu"]["gunicorn_workers"]["cpu_s"]
        window_s = record["cpu"]["window_s"]
        answered = {c[3]: c[1] for c in record["calls"] if c[3] is not None}
        # From the officer's answer to each screen: the fan-out's own share of the delay (the
        # event leaves after the commit, before the answer; negative when it came first).
        lag = sorted(
            at - answered[tid]
            for tid, times in received["arrivals"].items()
            if tid in answered
            for at in times
        )
        results[window["name"]] = {
            "loadavg_at_start": record["loadavg_at_start"],
            "calls": figures["calls"],
            "calls_answered_with_a_ticket": called,
            "calls_per_s": figures["calls_per_s"],
            "by_status": figures["by_status"],
            "call_next_latency": figures["call_next_latency"],
            "display": figures["display"],
            "display_as_read": display_as_read(record, received, received["connected_at_ready"], set()),
            "after_answer": {
                "p50_ms": percentile_ms(lag, 0.5),
                "p99_ms": percentile_ms(lag, 0.99),
                "max_ms": round(lag[-1] * 1000, 1) if lag else None,
            },
            "worker_cores": round(worker_s / window_s, 2),
            "machine_busy_cores": record["cpu"]["machine_busy"]["cores"],
            "stolen_cores": record["cpu"]["stolen_by_hypervisor"]["cores"],
            "cpu_ms_per_call": round(1000 * worker_s / called, 1) if called else None,
            "kernel_cpu_ms_per_call": (
                round(1000 * record["cpu"]["gunicorn_workers_in_kernel"]["cpu_s"] / called, 1)
                if called
                else None
            ),
            "net_cpu_ms_per_call": (
                round(1000 * (worker_s - idle_cores * window_s) / called, 1) if called else None
            ),
        }
    return {
        "stack": name,
        "connected": received["connected_at_ready"],
        "connect_s": round(connect_s, 1),
        "closed_early": received["closed_early"],
        "reads_without_the_kernels_time": received["unstamped"],
        "idle_worker_cores": round(idle_cores, 3),
        "windows": results,
    }


def ratios(visits: list[dict]) -> list[dict]:
    """After/before of each compared figure, for each pair of visits (before first)."""
    rows = []
    for before, after in zip(visits[::2], visits[1::2], strict=False):
        for name, old in before["windows"].items():
            new = after["windows"][name]
            row: dict = {"window": name}
            for key in COMPARED:
                a = new["display"].get(key, new.get(key))
                b = old["display"].get(key, old.get(key))
                row[key] = round(a / b, 2) if a is not None and b else None
            rows.append(row)
    return rows


def brief(visit_: dict) -> str:
    parts = [f"{visit_['stack']:6} {visit_['connected']} connected in {visit_['connect_s']} s"]
    for name, w in visit_["windows"].items():
        d, r = w["display"], w["display_as_read"]
        parts.append(
            f"  {name}: load {w['loadavg_at_start']}, {w['calls_answered_with_a_ticket']} calls,"
            f" display p50/p99/max {d['p50_ms']}/{d['p99_ms']}/{d['max_ms']} ms"
            f" (as read {r['p50_ms']}/{r['p99_ms']}/{r['max_ms']}), missed {d['missed']},"
            f" after the answer p50/p99 {w['after_answer']['p50_ms']}/{w['after_answer']['p99_ms']} ms,"
            f" CPU/call {w['cpu_ms_per_call']} ms (net {w['net_cpu_ms_per_call']},"
            f" in the kernel {w['kernel_cpu_ms_per_call']}),"
            f" workers {w['worker_cores']} cores, machine {w['machine_busy_cores']}"
        )
    return "\n".join(parts)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", default="/work/wt-before", help="the checkout to compare with")
    parser.add_argument("--postgres", default="postgresql://queue:queue@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--listener-processes", type=int, default=2)
    parser.add_argument("--counters", type=int, default=20, help="each with its own officer")
    parser.add_argument("--kiosks", type=int, default=5)
    parser.add_argument("--queued", type=int, default=400, help="tickets taken before each turn")
    parser.add_argument("--pairs", type=int, default=1)
    parser.add_argument(
        "--stacks", default="before,after", help="which to run: both, or one alone (e.g. to profile it)"
    )
    parser.add_argument(
        "--settle-seconds",
        type=float,
        default=5,
        help="after the screens connect, before the idle CPU is read (the freeze of their objects)",
    )
    parser.add_argument("--idle-seconds", type=float, default=5)
    parser.add_argument("--drain", type=float, default=3)
    parser.add_argument(
        "--window", action="append", metavar="NAME:RATE:CALL_EVERY:SECONDS", help=f"default {DEFAULT_WINDOWS}"
    )
    parser.add_argument("--out", default=str(RESULTS / "fanout.json"))
    args = parser.parse_args()

    report: dict = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {k: v for k, v in vars(args).items() if k != "out"},
        "loadavg_before": loadavg(),
    }
    print("load average before", report["loadavg_before"], flush=True)
    stacks = {}
    try:
        for name, root in (("before", Path(args.before)), ("after", ROOT)):
            if name not in args.stacks.split(","):
                continue
            stacks[name] = set_up(name, root, args)
            print(name, "workers", stacks[name][0].worker_pids(), flush=True)
        visits = []
        for _ in range(args.pairs):
            for name, (server, province, database) in stacks.items():
                visits.append(visit(name, server, province, database, args))
                print(brief(visits[-1]), flush=True)
    finally:
        for server, _, _ in stacks.values():
            server.stop()
    report["visits"] = visits
    report["ratios_after_over_before"] = ratios(visits)
    report["loadavg_after"] = loadavg()
    out = Path(args.out)
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    for row in report["ratios_after_over_before"]:
        print("after/before", row, flush=True)


if __name__ == "__main__":
    main()
