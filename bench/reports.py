"""Report speed over a province's history: ``python -m bench.reports`` (PostgreSQL).

Fills a fresh database with 1,000,000 tickets over two years of the demo centre (with calls,
service times, pauses and ratings) and 200,000 dossiers, generated inside PostgreSQL with
``generate_series`` (a couple of minutes, not an hour), times a month straight from the tickets,
rolls up the ended days (``flask build-report-days``, as a nightly job would), then times the
whole report for a month, a year and the two years, each several times, and prints the figures
for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from datetime import date, timedelta

from sqlalchemy import text

from .stack import engine as database_engine
from .stack import flask_cli, prepare

TICKETS = """
INSERT INTO tickets (public_token, site_id, service_id, issued_service_id, business_date, sequence,
                     number, status, channel, issued_at, called_at, started_at, finished_at,
                     counter_id, officer_id, recall_count)
SELECT md5(g::text), :site, s.id, s.id, d, g, lpad(g::text, 7, '0'),
       CASE WHEN r < 0.84 THEN 'done' WHEN r < 0.92 THEN 'no_show' ELSE 'cancelled' END,
       'kiosk', issued,
       CASE WHEN r < 0.92 THEN issued + make_interval(secs => w) END,
       CASE WHEN r < 0.84 THEN issued + make_interval(secs => w + 30) END,
       CASE WHEN r < 0.92 THEN issued + make_interval(secs => w + 30 + sv) END,
       CASE WHEN r < 0.92 THEN c.id END,
       CASE WHEN r < 0.92 THEN :officer END, 0
FROM (
  SELECT g,
         random() AS r,
         (-ln(1 - random()) * 700)::int AS w,
         (-ln(1 - random()) * 420)::int + 30 AS sv,
         (CAST(:first AS date) + (g % :days))::date AS d,
         ((CAST(:first AS date) + (g % :days))::timestamp + interval '0 hour'
           + make_interval(secs => (random() * 9.5 * 3600)::int)) AS issued,
         (g % :services) AS si, (g % :counters) AS ci
  FROM generate_series(1, :n) AS g
) x
JOIN LATERAL (SELECT id FROM services WHERE site_id = :site ORDER BY id OFFSET x.si LIMIT 1) s ON true
JOIN LATERAL (SELECT id FROM counters WHERE site_id = :site ORDER BY id OFFSET x.ci LIMIT 1) c ON true
"""

DOSSIERS = """
INSERT INTO dossiers (client_id, code, tracking_key, form_set, site_id, intake_site_id, book_site_id,
                      procedure_id,
                      channel, status, applicant_name, documents, sets, delivery, fee, fee_payment,
                      received_at, due_at, paused_seconds, supplement_requests, finished_at, outcome,
                      returned_at, return_method, created_at, updated_at)
SELECT md5('d' || g::text), 'BENCH-' || g, md5('k' || g::text), 'TT01/2018', :site, :site, :site, :procedure,
       CASE WHEN g % 10 < 6 THEN 'counter' WHEN g % 10 < 9 THEN 'postal' ELSE 'online' END,
       CASE WHEN f THEN 'returned' ELSE 'processing' END, 'Công dân', '[]', 1,
       CASE WHEN g % 10 BETWEEN 6 AND 8 THEN 'post' ELSE 'counter' END, 0, 'cash',
       rec, rec + interval '10 days', 0, 0,
       CASE WHEN f THEN rec + make_interval(days => (random() * 14)::int) END,
       CASE WHEN f THEN (CASE WHEN random() < 0.9 THEN 'on_time' ELSE 'late' END) END,
       CASE WHEN f THEN rec + interval '15 days' END,
       CASE WHEN f THEN (CASE WHEN g % 10 BETWEEN 6 AND 8 THEN 'post' ELSE 'counter' END) END,
       rec, rec
FROM (SELECT g, random() < 0.8 AS f,
             (CAST(:first AS date) + (g % :days))::timestamp
               + make_interval(secs => (random() * 9 * 3600)::int) AS rec
      FROM generate_series(1, :n) AS g) x
"""

RATINGS = """
INSERT INTO ratings (ticket_id, site_id, service_id, counter_id, officer_id, level, reasons, channel,
                     created_at)
SELECT id, site_id, service_id, counter_id, officer_id,
       CASE WHEN random() < 0.5 THEN 'very_satisfied' WHEN random() < 0.9 THEN 'satisfied'
            ELSE 'not_satisfied' END, '[]', 'tablet', finished_at
FROM tickets WHERE status = 'done' AND id % 3 = 0
"""

PAUSES = """
INSERT INTO counter_pauses (site_id, counter_id, officer_id, reason, started_at, ended_at)
SELECT :site, c.id, :officer, 'Họp giao ban', t, t + interval '20 minutes'
FROM generate_series(CAST(:first AS timestamp),
                     CAST(:first AS timestamp) + make_interval(days => :days), interval '1 day') t
CROSS JOIN counters c WHERE c.site_id = :site
"""


def fill(engine, tickets: int, dossiers: int, first: date, days: int) -> float:
    started = time.perf_counter()
    with engine.begin() as conn:
        site = conn.execute(text("SELECT id FROM sites WHERE code = 'NA-HCC'")).scalar_one()
        officer = conn.execute(text("SELECT id FROM users WHERE username = 'officer1'")).scalar_one()
        procedure = conn.execute(
            text("SELECT id FROM procedures WHERE site_id = :s LIMIT 1"), {"s": site}
        ).scalar()
        services = conn.execute(
            text("SELECT count(*) FROM services WHERE site_id = :s"), {"s": site}
        ).scalar()
        counters = conn.execute(
            text("SELECT count(*) FROM counters WHERE site_id = :s"), {"s": site}
        ).scalar()
        common = {"site": site, "officer": officer, "first": first, "days": days}
        conn.execute(text(TICKETS), {**common, "n": tickets, "services": services, "counters": counters})
        conn.execute(text(DOSSIERS), {**common, "n": dossiers, "procedure": procedure})
        conn.execute(text(RATINGS))
        conn.execute(text(PAUSES), common)
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text("VACUUM ANALYZE"))
    return time.perf_counter() - started


SECTIONS = (
    "queue_summary",
    "by_service",
    "daily",
    "heatmap",
    "by_counter",
    "by_officer",
    "dossiers",
    "satisfaction",
)


def time_report(url: str, first: date, last: date, repeat: int) -> dict:
    from queue_server.app import create_app
    from queue_server.database import db
    from queue_server.reports import queries
    from queue_server.sites.models import Site

    app = create_app({"DATABASE_URL": url, "TESTING": True, "SECRET_KEY": "bench"})
    timings = []
    with app.app_context():
        site = db.session.query(Site).filter_by(code="NA-HCC").one()
        period = queries.Period((site,), first, last)
        for _ in range(repeat):
            started = time.perf_counter()
            report = queries.report(db.session, period)
            timings.append(time.perf_counter() - started)
            db.session.rollback()
        # Where the time goes: each section once more on its own (the slowest first).
        sections = {}
        for name in SECTIONS:
            started = time.perf_counter()
            getattr(queries, name)(db.session, period)
            sections[name] = round(time.perf_counter() - started, 3)
            db.session.rollback()
    return {
        "from": first.isoformat(),
        "to": last.isoformat(),
        "tickets": report["queue"]["issued"],
        "median_s": round(statistics.median(timings), 3),
        "max_s": round(max(timings), 3),
        "sections_s": dict(sorted(sections.items(), key=lambda item: -item[1])),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database",
        default=os.environ.get("BENCH_DATABASE_URL", "postgresql://queue:queue@127.0.0.1:5432/queue_bench"),
    )
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--dossiers", type=int, default=200_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--keep", action="store_true", help="reuse the data of the last run")
    args = parser.parse_args()
    # Two years of history that end yesterday, as a province would have on the day it asks.
    today = date.today()
    days = 730
    first = today - timedelta(days=days)
    engine = database_engine(args.database)
    result = {}
    if not args.keep:
        prepare(args.database)
        result["fill_s"] = round(fill(engine, args.tickets, args.dossiers, first, days), 1)
    engine.dispose()
    month = (today - timedelta(days=30), today)
    result["raw_last_month"] = time_report(args.database, *month, 1)
    started = time.perf_counter()
    flask_cli(args.database, "build-report-days")
    result["rollup_build_s"] = round(time.perf_counter() - started, 1)
    result["periods"] = [
        time_report(args.database, *month, args.repeat),
        time_report(args.database, today - timedelta(days=365), today, args.repeat),
        time_report(args.database, first, today, args.repeat),
    ]
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
