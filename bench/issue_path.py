"""The bare request paths: ``python -m bench.issue_path``.

What one ``POST /api/v1/sites/NA-HCC/tickets`` and one ``POST /counters/<id>/call-next`` cost,
with nothing else running: no screens. The same stack as ``bench.province`` (gunicorn with
``--workers`` gevent workers, PostgreSQL, the Redis message queue and rate-limit store), a
fresh database ``queue_issue_bench``, NA-HCC set up by ``bench.province.build_province`` (room
for many numbers, an officer for each of ``--counters`` counters). Then:

1. ``GET /api/v1/sites`` at ``--baseline-concurrency`` for ``--baseline-seconds``: the ceiling
   of this stack for a trivial request;
2. closed-loop issuing at ``--concurrency`` requests in flight for ``--seconds`` (or with
   ``--tickets`` until that many: old and new code then leave the calls the same queue), over the
   services in turn, each request with its own ``client_id`` (as kiosks send): tickets/s,
   p50/p99, and the CPU per ticket of the workers, PostgreSQL and Redis, read from /proc;
3. with ``--flood-seconds``, a flood: ``--flood-concurrency`` kiosks pressing as fast as they
   are answered, each resending a refused press after the time the server says, as the kiosk
   does (latency from the first send), while every officer calls next once every
   ``--flood-call-every`` seconds: p50/p99 of a press and of a call, presses resent or lost;
4. closed-loop calling for ``--call-seconds``: each officer presses "call next" at their
   counter again as soon as the last call is answered (the tickets issued in 2. wait): calls/s,
   p50/p99 and the workers' CPU per call;
5. the numbers afterwards (unique, gap-free);
6. with ``--statements``, the SQL statements and database round trips of one warm issue request
   and one warm call, counted in this process against the same database (an app made by
   ``create_app``).

Results: bench/results/issue_path.json (``--out``).

Old and new code in the same run: serve a ``git worktree`` of the old commit with ``--root``
(this bench, its database set-up with that checkout's migrations), in turn with this checkout::

    git worktree add /work/wt-before <commit>
    python3 -m venv /work/wt-before/.venv  # its own libraries (bench.harness.python_of)
    /work/wt-before/.venv/bin/pip install -r /work/wt-before/requirements.txt
    for i in 1 2; do for root in /work/wt-before .; do .venv/bin/python -m bench.issue_path \
      --root $root --database sqlite:////tmp/pair.sqlite3 --workers 1 --concurrency 8 \
      --out /tmp/pair-$(basename $(realpath $root))-$i.json; done; done
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import time
from collections import Counter
from contextlib import asynccontextmanager
from datetime import UTC, datetime
from pathlib import Path

import aiohttp
import requests

from .harness import ROOT, Gunicorn
from .province import (
    OFFICER_PASSWORD,
    build_province,
    cpu_seconds,
    loadavg,
    login_officers,
    pids_named,
)
from .run import check_numbers
from .stack import prepare, start_server
from .stats import percentile_ms

RESULTS = Path(__file__).resolve().parent / "results"
SITE = "NA-HCC"
NUMBERS_PER_SERVICE = 60_000  # the admin API allows numbers up to 999,999
RESEND_FOR_S = 10  # as long as the kiosk sends a press again (PRESS_PATIENCE_MS in kiosk.js)


async def closed_loop(
    url: str,
    concurrency: int,
    seconds: float,
    make_request,
    sessions=None,
    resend=False,
    pace=0.0,
    count: int | None = None,
) -> dict:
    """``concurrency`` clients, each sending its next request when the last is answered (and,
    with ``pace``, not sooner than ``pace`` seconds after sending the last), for ``seconds`` or
    until ``count`` requests have been sent.

    ``make_request(i)`` gives the i-th request's method, keyword arguments and expected status
    (or statuses); paced clients start one after the other, spread over ``pace``. With
    ``sessions`` (one aiohttp session per client, e.g. logged in) ``url`` may be a function of
    the client's index. With ``resend``, a client does what the kiosk does with a 503: sends the
    same request again after the time the server says (``retry_after_ms``, else
    ``Retry-After``), for up to ``RESEND_FOR_S``; its latency counts from the first send."""
    latencies: list[float] = []
    errors: Counter = Counter()
    answers: Counter = Counter()
    resent = 0
    counter = iter(range(10**12))
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as shared:
        started = time.perf_counter()
        deadline = started + seconds

        async def send(http, method, target, kwargs):
            try:
                async with http.request(method, target, **kwargs) as response:
                    body = await response.read()
                    return response.status, body, response.headers
            except (TimeoutError, aiohttp.ClientError) as error:
                return type(error).__name__, b"", {}

        async def client(index: int) -> None:
            nonlocal resent
            http = sessions[index] if sessions else shared
            target = url(index) if callable(url) else url
            await asyncio.sleep(pace * index / concurrency)  # paced clients take turns
            while time.perf_counter() < deadline:
                sent, i = time.perf_counter(), next(counter)
                if count is not None and i >= count:
                    break
                method, kwargs, ok = make_request(i)
                status, body, headers = await send(http, method, target, kwargs)
                while resend and status == 503 and time.perf_counter() - sent < RESEND_FOR_S:
                    await asyncio.sleep(retry_after_s(body, headers))
                    resent += 1
                    status, body, headers = await send(http, method, target, kwargs)
                if status in (ok if isinstance(ok, tuple) else (ok,)):
                    latencies.append(time.perf_counter() - sent)
                    answers[status] += 1
                else:
                    errors[str(status)] += 1
                if pace:
                    await asyncio.sleep(max(0.0, sent + pace - time.perf_counter()))

        await asyncio.gather(*(client(i) for i in range(concurrency)))
        elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "concurrency": concurrency,
        "seconds": round(elapsed, 1),
        "answered": len(latencies),
        "by_status": dict(answers),
        "errors": dict(errors),
        **({"resent": resent} if resend else {}),
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": percentile_ms(latencies, 0.50),
        "p99_ms": percentile_ms(latencies, 0.99),
        "max_ms": round(1000 * latencies[-1], 1) if latencies else None,
    }


def retry_after_s(body: bytes, headers) -> float:
    """When a refused request may go again, as the kiosk reads it: the body's
    ``retry_after_ms``, else the ``Retry-After`` header (two seconds before it said more)."""
    try:
        return json.loads(body)["error"]["retry_after_ms"] / 1000
    except (ValueError, KeyError, TypeError):
        return float(headers.get("Retry-After", 2))


def worker_cpu(server: Gunicorn) -> float:
    return sum(cpu_seconds(pid) or 0.0 for pid in server.worker_pids())


def count_statements(url: str, token: str, services: list[str], officer: str, counter: int, made=3) -> dict:
    """SQL statements and PostgreSQL round trips of one warm issue request and one warm call.

    Round trips on PostgreSQL: each exchange of psycopg with the server, what it sent flushed and
    every answer to it read (a statement; a BEGIN, COMMIT or ROLLBACK psycopg sends on its own;
    one message of several statements, such as the journal's that commits). On SQLite, where
    nothing travels, the sum of statements, BEGINs, COMMITs and ROLLBACKs. A pool checkout is
    counted but is not a round trip (``database._replace_if_closed_by_server`` only polls the
    socket).
    """
    import psycopg
    from sqlalchemy import event

    from queue_server.app import create_app
    from queue_server.database import db

    quiet = {"LIVE_STATS_SECONDS": 0, "LIVE_STANDING_SECONDS": 0, "DOSSIER_WATCH_SECONDS": 0}  # no other SQL
    app = create_app(
        {"DATABASE_URL": url, "KIOSK_RATE_LIMIT": "1000000 per minute", "TESTING": False, **quiet}
    )
    counts: Counter = Counter()
    statements: list[str] = []

    def on_statement(conn, cursor, statement, parameters, context, executemany):
        counts["statements"] += 1
        statements.append(" ".join(statement.split())[:160])

    def transactional(name: str):
        def listener(conn) -> None:
            # sqlite3 before Python 3.12 has no such attribute: its transactions are all counted
            if not getattr(conn.connection.driver_connection, "autocommit", False):
                counts[name] += 1

        return listener

    # psycopg's generator that flushes what was sent and reads every answer to it: one round
    # trip each time it runs. The cursors hold it by name, the connection's commands by module.
    exchange = psycopg.generators.execute

    def counted_exchange(pgconn):
        counts["exchanges"] += 1
        return exchange(pgconn)

    psycopg.generators.execute = psycopg._cursor_base.execute = counted_exchange
    event.listen(db.engine, "before_cursor_execute", on_statement)
    for name in ("begin", "commit", "rollback"):
        event.listen(db.engine, name, transactional(name))
    event.listen(db.engine.pool, "checkout", lambda *args: counts.update(["checkout"]))
    client = app.test_client()  # the officer's, logged in
    # The kiosk's, without the officer's session: a request with both reads the device on its
    # own (security.check_csrf), which no kiosk does, and counted a round trip too many.
    device = app.test_client()
    login = client.post("/api/v1/auth/login", json={"username": officer, "password": OFFICER_PASSWORD})
    csrf = login.get_json()["csrf_token"]
    requests_made = {
        "issue": lambda i: device.post(
            f"/api/v1/sites/{SITE}/tickets",
            json={"service": services[1], "client_id": f"count-{os.getpid()}-{i}"},
            headers=kiosk,
        ),
        "call": lambda i: client.post(f"/api/v1/counters/{counter}/call-next", headers={"X-CSRFToken": csrf}),
    }
    kiosk = {"Authorization": f"Bearer {token}"}
    for code in services:  # someone waits for every counter's call
        for i in range(made):
            body = {"service": code, "client_id": f"count-{os.getpid()}-{code}-{i}"}
            device.post(f"/api/v1/sites/{SITE}/tickets", json=body, headers=kiosk)
    result = {}
    for path, make in requests_made.items():
        for i in range(made):  # the last one is counted: caches and pools are warm
            counts.clear()
            statements.clear()
            answer = make(i)
        trips = sum(counts[k] for k in ("statements", "begin", "commit", "rollback"))
        if db.dialect == "postgresql":
            trips = counts.pop("exchanges", 0)
        result[path] = {"status": answer.status_code, **counts, "round_trips": trips, "sql": list(statements)}
    psycopg.generators.execute = psycopg._cursor_base.execute = exchange
    db.engine.dispose()
    return result


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
    # Beyond the server's cap of numbers taken at once (ISSUE_MAX_INFLIGHT, 4 per process) the
    # presses wait in the server's line: the loop then measures the line as well.
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument(
        "--tickets", type=int, help="stop issuing after this many (the calls then find the same queue)"
    )
    parser.add_argument("--counters", type=int, default=12, help="officers calling at once")
    parser.add_argument("--flood-concurrency", type=int, default=32)
    parser.add_argument("--flood-seconds", type=float, default=0, help="0: no flood")
    parser.add_argument("--flood-call-every", type=float, default=1.0, help="seconds, per officer")
    parser.add_argument("--call-seconds", type=float, default=10, help="0: no calls")
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
    parser.add_argument(
        "--root",
        type=Path,
        default=ROOT,
        help="the checkout to serve (e.g. a git worktree of the code before a change, for a "
        "same-run comparison); --statements still counts this checkout's",
    )
    parser.add_argument("--out", default=str(RESULTS / "issue_path.json"))
    args = parser.parse_args()

    report: dict = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {k: v for k, v in vars(args).items() if k not in ("database", "out")},
        "loadavg_before": loadavg(),
    }
    token = prepare(args.database, args.root)
    extra = dict(item.split("=", 1) for item in args.server_env)
    extra.setdefault("SOCKETIO_CHANNEL", f"queue-issue-bench-{os.getpid()}")
    server = start_server(args.database, args.workers, args.redis, extra_env=extra, root=args.root)
    try:
        province = build_province(server.url, args.counters, 1, token)
        services = province["services"]
        print("workers", server.worker_pids(), flush=True)
        if args.baseline_seconds > 0:
            report["get_sites"] = asyncio.run(
                closed_loop(
                    f"{server.url}/api/v1/sites",
                    args.baseline_concurrency,
                    args.baseline_seconds,
                    lambda i: ("GET", {}, 200),
                )
            )
            print("GET /sites", report["get_sites"], flush=True)
        tag = f"b{os.getpid()}"  # press ids of this run; the flood's are of their own
        headers = {"Authorization": f"Bearer {token}"}

        def issue(i: int, phase: str = "i"):
            body = {"service": services[i % len(services)], "client_id": f"{tag}-{phase}{i:09d}"}
            return "POST", {"json": body, "headers": headers}, 201

        requests.post(  # warm both workers' pools and caches a little
            f"{server.url}/api/v1/sites/{SITE}/tickets", json={"service": services[0]}, headers=headers
        )
        url = f"{server.url}/api/v1/sites/{SITE}/tickets"
        meter = cpu_per_request(server, "ticket")
        report["issue"] = meter(
            asyncio.run(closed_loop(url, args.concurrency, args.seconds, issue, count=args.tickets))
        )
        print("issue", report["issue"], flush=True)
        if args.flood_seconds > 0:
            report["flood"] = asyncio.run(flood(server, province, url, issue, args))
            print("flood", report["flood"], flush=True)
        if args.call_seconds > 0:
            report["call"] = asyncio.run(calls(server, province, args.call_seconds))
            print("call", report["call"], flush=True)
        report["numbering"] = check_numbers(args.database)
        print("numbering", report["numbering"], flush=True)
        if args.hold:
            print(f"holding the server for {args.hold} s", flush=True)
            time.sleep(args.hold)
    finally:
        server.stop()
    if args.statements:
        report["statements"] = count_statements(
            args.database, token, services, province["officers"][0], province["counter_ids"][0]
        )
        for path, counted in report["statements"].items():
            print(f"one warm {path}", {k: v for k, v in counted.items() if k != "sql"}, flush=True)
            for line in counted["sql"]:
                print("   ", line, flush=True)
    RESULTS.mkdir(exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))


def servers_cpu() -> dict[str, dict[int, float]]:
    """CPU seconds so far of each PostgreSQL and Redis process on this machine, by pid."""
    return {
        name: {pid: cpu_seconds(pid) or 0.0 for pid in pids_named(name)}
        for name in ("postgres", "redis-server")
    }


def cpu_per_request(server: Gunicorn, unit: str):
    """Start counting the workers' CPU, and PostgreSQL's and Redis's; the function returned
    adds it to a closed loop's result, per answered request. A database connection opened
    during the loop counts from nought; one closed during it is missed."""
    cpu_before, wall_before, servers_before = worker_cpu(server), time.monotonic(), servers_cpu()

    def add(result: dict) -> dict:
        cpu = worker_cpu(server) - cpu_before
        answered = max(1, result["answered"])
        result["worker_cores"] = round(cpu / (time.monotonic() - wall_before), 2)
        result[f"worker_cpu_ms_per_{unit}"] = round(1000 * cpu / answered, 2)
        for name, now in servers_cpu().items():
            spent = sum(seconds - servers_before[name].get(pid, 0.0) for pid, seconds in now.items())
            result[f"{name}_cpu_ms_per_{unit}"] = round(1000 * spent / answered, 2)
        return result

    return add


@asynccontextmanager
async def officers(server: Gunicorn, province: dict):
    """A logged-in aiohttp session for every officer of ``province``, closed afterwards."""
    sessions = []
    try:
        for http, csrf in await login_officers(server.url, province["officers"]):
            http.headers["X-CSRFToken"] = csrf
            sessions.append(http)
        yield sessions
    finally:
        for http in sessions:
            await http.close()


async def calls(
    server: Gunicorn,
    province: dict,
    seconds: float,
    pace: float = 0.0,
    sessions=None,
    count: int | None = None,
) -> dict:
    """Every officer calls next at their counter, again as soon as the last call is answered
    (with ``pace``: once every ``pace`` seconds), for ``seconds`` or ``count`` calls."""
    if sessions is None:
        async with officers(server, province) as sessions:
            return await calls(server, province, seconds, pace, sessions, count)
    counters = province["counter_ids"]
    meter = cpu_per_request(server, "call")
    return meter(
        await closed_loop(
            lambda i: f"{server.url}/api/v1/counters/{counters[i]}/call-next",
            len(sessions),
            seconds,
            lambda i: ("POST", {}, (200, 204)),
            sessions=sessions,
            pace=pace,
            count=count,
        )
    )


async def flood(server: Gunicorn, province: dict, url: str, issue, args) -> dict:
    """Kiosks pressing as fast as they are answered (``--flood-concurrency``, resending a
    refused press as the kiosk does) while every officer, logged in beforehand, calls next once
    every ``--flood-call-every`` seconds: what a press and a call take then. The CPU per ticket
    here includes the calls'."""
    async with officers(server, province) as sessions:
        meter = cpu_per_request(server, "ticket")
        pressing, calling = await asyncio.gather(
            closed_loop(
                url, args.flood_concurrency, args.flood_seconds, lambda i: issue(i, "f"), resend=True
            ),
            calls(server, province, args.flood_seconds, args.flood_call_every, sessions),
        )
    return {"issue": meter(pressing), "call": calling}


if __name__ == "__main__":
    main()
