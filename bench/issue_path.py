"""The bare ticket-issue path: ``python -m bench.issue_path``.

What one ``POST /api/v1/sites/NA-HCC/tickets`` costs, with nothing else running: no screens, no
officers. The same stack as ``bench.province`` (gunicorn with ``--workers`` gevent workers,
PostgreSQL, the Redis message queue and rate-limit store), a fresh database
``queue_issue_bench``, every active service of NA-HCC given room for ``NUMBERS_PER_SERVICE``
numbers a day through the admin API. Then:

1. ``GET /api/v1/sites`` at ``--baseline-concurrency`` for ``--baseline-seconds``: the ceiling
   of this stack for a trivial request;
2. closed-loop issuing at ``--concurrency`` requests in flight for ``--seconds``, over the
   services in turn, each request with its own ``client_id`` (as kiosks send): tickets/s,
   p50/p99, and the workers' CPU per ticket read from /proc;
3. the numbers afterwards (unique, gap-free);
4. with ``--statements``, the SQL statements and database round trips of one warm issue request,
   counted in this process against the same database (an app made by ``create_app``).

Results: bench/results/issue_path.json (``--out``).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import requests

from .province import cpu_seconds, loadavg, staff_session
from .run import check_numbers
from .stack import Server, prepare
from .stats import percentile_ms

RESULTS = Path(__file__).resolve().parent / "results"
SITE = "NA-HCC"
NUMBERS_PER_SERVICE = 60_000  # the admin API allows numbers up to 999,999


def make_room(base: str) -> list[str]:
    """Give every active service room for many numbers a day; return their codes."""
    admin = staff_session(base, "admin", "admin-demo")
    services = admin.get(f"{base}/api/v1/admin/sites/{SITE}/services").json()
    services = [s for s in services if s["active"]]
    ranged = sorted((s for s in services if s["number_start"] is not None), key=lambda s: s["number_start"])
    for index, service in enumerate(ranged):
        start = 100_000 + index * NUMBERS_PER_SERVICE
        changes = {"number_start": start, "number_end": start + NUMBERS_PER_SERVICE - 1, "daily_max": None}
        admin.patch(f"{base}/api/v1/admin/services/{service['id']}", json=changes).raise_for_status()
    for service in services:
        if service["number_start"] is None:
            body = {"daily_max": NUMBERS_PER_SERVICE}
            admin.patch(f"{base}/api/v1/admin/services/{service['id']}", json=body).raise_for_status()
    return [s["code"] for s in sorted(services, key=lambda s: s["sort_order"])]


async def closed_loop(url: str, concurrency: int, seconds: float, make_request) -> dict:
    """``concurrency`` clients, each sending its next request when the last is answered."""
    latencies: list[float] = []
    errors: Counter = Counter()
    counter = iter(range(10**12))
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as http:
        started = time.perf_counter()
        deadline = started + seconds

        async def client() -> None:
            while time.perf_counter() < deadline:
                sent = time.perf_counter()
                method, kwargs, ok = make_request(next(counter))
                try:
                    async with http.request(method, url, **kwargs) as response:
                        await response.read()
                        status = response.status
                except (TimeoutError, aiohttp.ClientError) as error:
                    status = type(error).__name__
                if status == ok:
                    latencies.append(time.perf_counter() - sent)
                else:
                    errors[str(status)] += 1

        await asyncio.gather(*(client() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "answered": len(latencies),
        "errors": dict(errors),
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": percentile_ms(latencies, 0.50),
        "p99_ms": percentile_ms(latencies, 0.99),
    }


def worker_cpu(server: Server) -> float:
    return sum(cpu_seconds(pid) or 0.0 for pid in server.pids()[1:])


def count_statements(url: str, token: str, service: str, requests_made: int = 3) -> dict:
    """SQL statements and PostgreSQL round trips of one warm issue request, in this process.

    Round trips: each statement; each BEGIN (psycopg sends it on its own before a
    transaction's first statement), COMMIT or ROLLBACK that reaches the server (none in
    autocommit); each pool checkout (``pool_pre_ping`` pings the server then).
    """
    from sqlalchemy import event

    from queue_server import create_app
    from queue_server.database import db

    app = create_app({"DATABASE_URL": url, "KIOSK_RATE_LIMIT": "1000000 per minute", "TESTING": False})
    counts: Counter = Counter()
    statements: list[str] = []

    def on_statement(conn, cursor, statement, parameters, context, executemany):
        counts["statements"] += 1
        statements.append(" ".join(statement.split())[:160])

    def transactional(name: str):
        def listener(conn) -> None:
            if not conn.connection.driver_connection.autocommit:
                counts[name] += 1

        return listener

    event.listen(db.engine, "before_cursor_execute", on_statement)
    for name in ("begin", "commit", "rollback"):
        event.listen(db.engine, name, transactional(name))
    event.listen(db.engine.pool, "checkout", lambda *args: counts.update(["checkout"]))
    client = app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    answer = None
    for i in range(requests_made):  # the last one is counted: caches and pools are warm
        counts.clear()
        statements.clear()
        body = {"service": service, "client_id": f"count-{os.getpid()}-{i}"}
        answer = client.post(f"/api/v1/sites/{SITE}/tickets", json=body, headers=headers)
    db.engine.dispose()
    round_trips = sum(counts[k] for k in ("statements", "begin", "commit", "rollback", "checkout"))
    return {"status": answer.status_code, **counts, "round_trips": round_trips, "sql": statements}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "BENCH_ISSUE_DATABASE_URL", "postgresql://queue:queue@127.0.0.1:5432/queue_issue_bench"
        ),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_ISSUE_REDIS_URL", "redis://127.0.0.1:6379/3")
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--baseline-concurrency", type=int, default=8)
    parser.add_argument("--baseline-seconds", type=float, default=5, help="0: skip GET /sites")
    parser.add_argument("--statements", action="store_true", help="count one request's SQL")
    parser.add_argument(
        "--hold",
        type=float,
        default=0,
        help="keep the server up this many seconds after the load, e.g. to attach a profiler",
    )
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="more environment for gunicorn",
    )
    parser.add_argument("--out", default=str(RESULTS / "issue_path.json"))
    args = parser.parse_args()

    report: dict = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {k: v for k, v in vars(args).items() if k not in ("database", "out")},
        "loadavg_before": loadavg(),
    }
    token = prepare(args.database)
    extra = dict(item.split("=", 1) for item in args.server_env)
    extra.setdefault("SOCKETIO_CHANNEL", f"queue-issue-bench-{os.getpid()}")
    server = Server(args.database, args.workers, args.redis, extra_env=extra)
    try:
        services = make_room(server.base)
        print("workers", server.pids()[1:], flush=True)
        if args.baseline_seconds > 0:
            report["get_sites"] = asyncio.run(
                closed_loop(
                    f"{server.base}/api/v1/sites",
                    args.baseline_concurrency,
                    args.baseline_seconds,
                    lambda i: ("GET", {}, 200),
                )
            )
            print("GET /sites", report["get_sites"], flush=True)
        tag = f"b{os.getpid()}"
        headers = {"Authorization": f"Bearer {token}"}

        def issue(i: int):
            body = {"service": services[i % len(services)], "client_id": f"{tag}-{i:09d}"}
            return "POST", {"json": body, "headers": headers}, 201

        requests.post(  # warm both workers' pools and caches a little
            f"{server.base}/api/v1/sites/{SITE}/tickets", json={"service": services[0]}, headers=headers
        )
        cpu_before, wall_before = worker_cpu(server), time.monotonic()
        result = asyncio.run(
            closed_loop(f"{server.base}/api/v1/sites/{SITE}/tickets", args.concurrency, args.seconds, issue)
        )
        cpu = worker_cpu(server) - cpu_before
        wall = time.monotonic() - wall_before
        result["worker_cores"] = round(cpu / wall, 2)
        result["worker_cpu_ms_per_ticket"] = round(1000 * cpu / max(1, result["answered"]), 2)
        report["issue"] = result
        print("issue", result, flush=True)
        report["numbering"] = check_numbers(args.database)
        print("numbering", report["numbering"], flush=True)
        if args.hold:
            print(f"holding the server for {args.hold} s", flush=True)
            time.sleep(args.hold)
    finally:
        server.stop()
    if args.statements:
        report["statements"] = count_statements(args.database, token, services[1])
        counted = {k: v for k, v in report["statements"].items() if k != "sql"}
        print("one warm request", counted, flush=True)
        for line in report["statements"]["sql"]:
            print("   ", line, flush=True)
    RESULTS.mkdir(exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    main()
