"""Benchmarks of the queue core: ``python -m bench.run`` (``make bench``).

1. Ticket issuance throughput and p50/p99 latency at increasing concurrency, then a check that
   every number is unique and gap-free.
2. Call-next to display latency with many Socket.IO clients connected.

Defaults: PostgreSQL and Redis (``make services``), 2 gunicorn gevent workers. Results go to
bench/results/latest.json; docs/benchmarks.md records the figures and what limits them.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from . import display_latency, issue_load
from .stack import engine, prepare, start_server

RESULTS = Path(__file__).resolve().parent / "results"


def check_numbers(url: str) -> dict:
    database = engine(url)
    with database.connect() as conn:
        rows = conn.execute(
            text(
                "SELECT issued_service_id, business_date, COUNT(*), COUNT(DISTINCT sequence),"
                " MIN(sequence), MAX(sequence) FROM tickets GROUP BY issued_service_id, business_date"
            )
        ).all()
    database.dispose()
    total = sum(r[2] for r in rows)
    duplicates = sum(r[2] - r[3] for r in rows)
    gaps = sum((r[5] - r[4] + 1) - r[3] for r in rows)
    return {"tickets_in_db": total, "duplicates": duplicates, "gaps": gaps}


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://queue:queue@127.0.0.1:5432/queue_bench"),
    )
    parser.add_argument("--redis", default=os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/1"))
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--levels", default="1,8,32,64")
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--calls", type=int, default=50)
    parser.add_argument("--listener-processes", type=int, default=2)
    args = parser.parse_args()

    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "database": args.database.split("://")[0],
        "workers": args.workers,
    }
    token = prepare(args.database)
    server = start_server(args.database, args.workers, args.redis)
    try:
        report["baseline_get_sites"] = issue_load.measure_baseline(server.url, 8, args.seconds)
        print("baseline GET /sites", report["baseline_get_sites"], flush=True)
        report["issuance"] = []
        for level in [int(x) for x in args.levels.split(",")]:
            result = issue_load.measure(server.url, token, level, args.seconds)
            print("issue", result, flush=True)
            report["issuance"].append(result)
        report["numbering"] = check_numbers(args.database)
        print("numbering", report["numbering"], flush=True)
        with tempfile.TemporaryDirectory() as tmp:
            report["display"] = display_latency.measure(
                server.url, token, args.clients, args.calls, args.listener_processes, Path(tmp)
            )
        print("display", report["display"], flush=True)
        report["rss_mib"] = [round(x) for x in server.rss_mib()]
        print("memory (MiB, master then workers)", report["rss_mib"], flush=True)
    finally:
        server.stop()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "latest.json").write_text(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
