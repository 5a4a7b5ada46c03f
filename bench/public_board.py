"""The public board under a crowd: ``python -m bench.public_board`` (PostgreSQL).

Fills a fresh database with a year of the demo centre (``bench.reports.fill``: tickets,
ratings and dossiers, all ending today, so that this month and this year are full), starts
gunicorn (``--workers`` gevent workers), then has ``--readers`` concurrent readers fetch
``/public/NA-HCC`` for ``--seconds``: once as deployed (the figures counted at most once per
``PUBLIC_BOARD_CACHE_SECONDS`` per process) and once with that cache off (0: every reader counts
them all again), to show what the cache saves. Also times one count of the figures on its own.
Prints the figures for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import statistics
import time
from datetime import UTC, date, datetime, timedelta

from . import issue_load
from .reports import fill
from .stack import engine as database_engine
from .stack import prepare, start_server


async def _read_board(session, base, token, i):
    async with session.get(f"{base}/public/NA-HCC") as response:
        await response.read()
        return response.status == 200 or response.status


def time_count(url: str, repeat: int) -> dict:
    """One count of the board's figures (this month and this year), without any cache."""
    from queue_server.app import create_app
    from queue_server.board import figures
    from queue_server.database import db, utcnow

    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench"})
    timings = []
    with app.app_context():
        for _ in range(repeat):
            started = time.perf_counter()
            board = figures.compute(db.session(), "NA-HCC", utcnow())
            timings.append(time.perf_counter() - started)
            db.session.rollback()
    return {
        "received_this_year": board.year.overall["received"],
        "median_s": round(statistics.median(timings), 3),
        "max_s": round(max(timings), 3),
    }


def crowd(url: str, workers: int, readers: int, seconds: float, cache_seconds: str) -> dict:
    server = start_server(url, workers, None, {"PUBLIC_BOARD_CACHE_SECONDS": cache_seconds})
    try:
        result = asyncio.run(issue_load.run(server.url, "", readers, seconds, request=_read_board))
    finally:
        server.stop()
    return {"cache_seconds": float(cache_seconds), **result}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://queue:queue@127.0.0.1:5432/queue_bench"),
    )
    parser.add_argument("--tickets", type=int, default=300_000)
    parser.add_argument("--dossiers", type=int, default=60_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--readers", type=int, default=200)
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the data of the last run")
    args = parser.parse_args()
    report: dict = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "workers": args.workers,
    }
    days = 365
    first = date.today() - timedelta(days=days - 1)
    if not args.keep:
        prepare(args.database)
        engine = database_engine(args.database)
        report["fill_s"] = round(fill(engine, args.tickets, args.dossiers, first, days), 1)
        engine.dispose()
    # The machine is shared: its load before each level is part of the figure.
    load = [round(x, 2) for x in os.getloadavg()]
    report["count"] = {"load": load, **time_count(args.database, args.repeat)}
    print("one count", report["count"], flush=True)
    report["crowd"] = []
    for cache_seconds in ("300", "0"):
        load = [round(x, 2) for x in os.getloadavg()]
        result = crowd(args.database, args.workers, args.readers, args.seconds, cache_seconds)
        result = {"load": load, **result}
        print("readers", result, flush=True)
        report["crowd"].append(result)
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
