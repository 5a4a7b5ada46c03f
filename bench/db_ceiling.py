"""What PostgreSQL alone can do with a ticket's SQL: ``python -m bench.db_ceiling``.

The issue path's statements, sent by ``pgbench`` (C, one connection per client, nothing else
running): no Python, no HTTP, no Socket.IO. Whatever the application does, it cannot issue
tickets faster than this on the same machine, so the figure bounds every tuning of the
request path.

One ticket is what ``POST /api/v1/sites/<site>/tickets`` sends today (8 round trips, see
``bench.issue_path --statements``): the press lookup (site, service and a retried press in one
query), the device token, BEGIN, the service's number (upsert), the ticket, the journal entry
with COMMIT in one message, then, after the commit, the open counters and the people ahead.

``--batch K`` models a group commit: the reads stay one per ticket, but K tickets share one
transaction (one upsert moving the number by K, one multi-row insert of tickets and one of
journal entries, one COMMIT). It shows how far writing tickets together would lift the
database's ceiling.

Each run writes its tickets under a business date of its own, so the people-ahead count starts
from an empty queue each time, as it would in the morning; afterwards the run's rows are checked
(each ticket numbered once, no number skipped, one journal entry each). Results:
bench/results/db_ceiling.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import resource
import shutil
import subprocess
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import text

from .province import CLK_TCK, machine_busy_seconds
from .stack import engine, prepare

RESULTS = Path(__file__).resolve().parent / "results"
DEFAULT_URL = "postgresql://queue:queue@127.0.0.1:5432/queue_db_ceiling"
SITE = "NA-HCC"
PEOPLE_AHEAD = (
    "SELECT count(*) FROM tickets WHERE site_id = {site} AND business_date = '{day}'"
    " AND service_id = :svc AND status IN ('waiting', 'transferred')"
    " AND (priority IS NOT NULL OR issued_at < now()::timestamp OR id < :first)"
)


def pgbench_path() -> str:
    """Debian's pgbench comes with the server package (postgresql-NN), not on PATH."""
    found = shutil.which("pgbench")
    if found:
        return found
    versions = sorted(Path("/usr/lib/postgresql").glob("*/bin/pgbench"), key=lambda p: int(p.parts[-3]))
    if not versions:
        raise SystemExit("pgbench not found: install PostgreSQL (scripts/system-deps.sh)")
    return str(versions[-1])


def site_facts(url: str) -> dict:
    """The ids the script needs: the site, its ranged services, a counter set, a device token."""
    database = engine(url)
    with database.connect() as conn:
        site = conn.execute(text("SELECT id FROM sites WHERE code = :c"), {"c": SITE}).scalar_one()
        services = conn.execute(
            text("SELECT id, code FROM services WHERE site_id = :s AND number_start IS NOT NULL ORDER BY id"),
            {"s": site},
        ).all()
        counters = conn.execute(
            text("SELECT id FROM counters WHERE site_id = :s ORDER BY id LIMIT 3"), {"s": site}
        )
        token = conn.execute(text("SELECT token_hash FROM device_tokens ORDER BY id LIMIT 1")).scalar_one()
    database.dispose()
    return {
        "site": site,
        "services": [row.id for row in services],
        "service_code": services[0].code,
        "counters": [row[0] for row in counters],
        "token_hash": token,
    }


def script(facts: dict, day: date, batch: int) -> str:
    """A pgbench transaction: ``batch`` tickets' statements (see the module's docstring)."""
    site, first_service = facts["site"], facts["services"][0]
    lines = [
        f"\\set svc random({first_service}, {facts['services'][-1]})",
        "\\set press random(1, 2000000000)",
    ]
    service = facts["service_code"]
    reads_before = [
        "SELECT sites.*, services.*, tickets.* FROM sites"
        f" LEFT OUTER JOIN services ON services.site_id = sites.id AND services.code = '{service}'"
        " LEFT OUTER JOIN tickets ON tickets.client_id = 'press-' || :client_id || '-' || :press"
        f" WHERE sites.code = '{SITE}';",
        f"SELECT * FROM device_tokens WHERE token_hash = '{facts['token_hash']}';",
    ]
    counters = ", ".join(str(c) for c in facts["counters"])
    reads_after = [
        f"SELECT * FROM counters WHERE id IN ({counters});",
        PEOPLE_AHEAD.format(site=site, day=day) + ";",
    ]
    for _ in range(batch):
        lines += reads_before
    lines += [
        "BEGIN;",
        f"INSERT INTO ticket_sequences (site_id, service_id, business_date, last_value)"
        f" VALUES ({site}, :svc, '{day}', {batch}) ON CONFLICT (site_id, service_id, business_date)"
        f" DO UPDATE SET last_value = ticket_sequences.last_value + {batch}"
        " RETURNING last_value AS last \\gset",
        "WITH made AS (INSERT INTO tickets (public_token, client_id, site_id, service_id,"
        " issued_service_id, business_date, sequence, number, status, priority, channel, issued_at,"
        " recall_count) SELECT substr(md5(random()::text), 1, 22), substr(md5(random()::text), 1, 30),"
        f" {site}, :svc, :svc, '{day}', n, n::text, 'waiting', NULL, 'kiosk', now()::timestamp, 0"
        f" FROM generate_series(:last - {batch} + 1, :last) AS n RETURNING id)"
        " SELECT array_agg(id) AS made, min(id) AS first FROM made \\gset",
        "INSERT INTO queue_events (site_id, kind, at, ticket_id, counter_id, user_id, device_id,"
        " address, data, site_seq)"
        f" SELECT {site}, 'ticket.issued', now()::timestamp, id, NULL, NULL, 1, '127.0.0.1',"
        " '{}'::json, NULL"
        " FROM unnest(':made'::integer[]) AS id \\; COMMIT;",
    ]
    for _ in range(batch):
        lines += reads_after
    return "\n".join(lines) + "\n"


def run_pgbench(url: str, script_text: str, clients: int, seconds: int) -> dict:
    """One pgbench run; its transactions per second, latency, and the machine's CPU meanwhile."""
    with tempfile.NamedTemporaryFile("w", suffix=".pgb", delete=False) as handle:
        handle.write(script_text)
    parts = re.match(r"postgresql://(\w+):(\w+)@([\w.]+):(\d+)/(\w+)", url)
    user, password, host, port, name = parts.groups()
    command = [
        pgbench_path(), "-n", "-h", host, "-p", port, "-U", user, "-f", handle.name,
        "-c", str(clients), "-j", str(min(clients, 2)), "-T", str(seconds), name,
    ]  # fmt: skip
    before_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    busy_before, steal_before = machine_busy_seconds()
    started = time.monotonic()
    done = subprocess.run(command, env={**os.environ, "PGPASSWORD": password}, capture_output=True, text=True)
    elapsed = time.monotonic() - started
    busy_after, steal_after = machine_busy_seconds()
    after_children = resource.getrusage(resource.RUSAGE_CHILDREN)
    os.unlink(handle.name)
    if done.returncode != 0 or "tps = " not in done.stdout:
        raise SystemExit(f"pgbench failed:\n{done.stdout}\n{done.stderr}")
    tps = float(re.search(r"tps = ([\d.]+)", done.stdout).group(1))
    latency = float(re.search(r"latency average = ([\d.]+) ms", done.stdout).group(1))
    pgbench_cpu = (after_children.ru_utime + after_children.ru_stime) - (
        before_children.ru_utime + before_children.ru_stime
    )
    steal = steal_after - steal_before
    return {
        "clients": clients,
        "transactions_per_s": round(tps, 1),
        "latency_avg_ms": latency,
        "cores": {
            "machine_busy": round((busy_after - busy_before) / elapsed, 2),
            "stolen_by_hypervisor": round(steal / elapsed, 2),
            "pgbench": round(pgbench_cpu / elapsed, 2),
        },
    }


def check_written(url: str, site: int, day: date) -> dict:
    """What one run wrote: every ticket numbered once, no number skipped, one journal entry each."""
    database = engine(url)
    with database.connect() as conn:
        row = conn.execute(
            text(
                "SELECT count(*) AS tickets, count(DISTINCT (service_id, sequence)) AS numbers,"
                " (SELECT coalesce(sum(last_value), 0) FROM ticket_sequences"
                "   WHERE site_id = :site AND business_date = :day) AS handed_out,"
                " (SELECT count(*) FROM queue_events e JOIN tickets t ON t.id = e.ticket_id"
                "   WHERE t.site_id = :site AND t.business_date = :day) AS journal"
                " FROM tickets WHERE site_id = :site AND business_date = :day"
            ),
            {"site": site, "day": day},
        ).one()
    database.dispose()
    written = dict(row._mapping)
    if not written["tickets"] == written["numbers"] == written["handed_out"] == written["journal"]:
        raise SystemExit(f"the run on {day} wrote inconsistent rows: {written}")
    return written


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--database", default=DEFAULT_URL)
    parser.add_argument("--clients", default="4,8,16,32", help="pgbench connections, comma-separated")
    parser.add_argument("--batch", default="1,10", help="tickets per transaction, comma-separated")
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--out", default=str(RESULTS / "db_ceiling.json"))
    args = parser.parse_args()

    prepare(args.database)  # migrated, with the demo centre
    facts = site_facts(args.database)
    report = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "cores": os.cpu_count(),
        "clk_tck": CLK_TCK,
        "runs": [],
    }
    day = date(2100, 1, 1)
    for batch in (int(b) for b in args.batch.split(",")):
        for clients in (int(c) for c in args.clients.split(",")):
            day += timedelta(days=1)  # an empty queue for each run
            result = run_pgbench(args.database, script(facts, day, batch), clients, args.seconds)
            result["batch"] = batch
            result["tickets_per_s"] = round(result["transactions_per_s"] * batch, 1)
            result["written"] = check_written(args.database, facts["site"], day)
            report["runs"].append(result)
            cores = result["cores"]
            print(
                f"{batch:>3} per transaction, {clients:>3} clients: {result['tickets_per_s']:>7} tickets/s,"
                f" {result['latency_avg_ms']} ms a transaction; cores busy {cores['machine_busy']}"
                f" (pgbench {cores['pgbench']}, stolen {cores['stolen_by_hypervisor']})",
                flush=True,
            )
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2) + "\n")


if __name__ == "__main__":
    main()
