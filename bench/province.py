"""A province at once: ``python -m bench.province`` (issue 7).

One gunicorn (``--workers`` gevent workers) on PostgreSQL with the Redis message queue serves
the demo centre NA-HCC grown to ``--counters`` counters (the demo's 12 plus counters created
through the admin API, one service each), ``--kiosks`` kiosk tokens and one officer account
per counter. For ``--seconds`` it then takes, all at once:

- ``--clients`` Socket.IO connections (WebSocket) over ``--listener-processes`` processes:
  hall displays and counter displays (``auth`` with the counter) in the site's room, and phones
  each following a ticket of its own (``auth`` with the ticket's key, as the tracking page
  does; the tickets are taken before the window, so they are the first to be called);
- kiosks taking numbers at a steady open-loop rate (``--rate`` per second over the kiosk
  tokens, each press with its own ``client_id``): a request is sent at its time whether or
  not the earlier ones were answered (at most ``--max-inflight`` at once);
- one officer per counter pressing "call next" every ``--call-every`` seconds.

It reports what the kiosks achieved against the target and their latency, the calls made and
how long ``ticket.called`` took to reach every screen (and the phone of the ticket: to the
kernel's receipt on its socket, and as read, :mod:`bench.screens`), how long
connecting took, the memory of each part of the stack, and the CPU each group of processes
used during the load window (read from /proc), which shows what saturates first. Then it
checks that the numbers are unique and gap-free. With ``--find-max`` and a rate that was not
sustained, it steps the rate down (then bisects) for ``--step-seconds`` each, with the same
screens and officers, to find the highest sustained rate. Results: bench/results/province.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import random
import secrets
import tempfile
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import aiohttp

from .harness import Gunicorn, staff_session
from .run import check_numbers
from .screens import Screens
from .stack import prepare, start_server
from .stats import percentile_ms

RESULTS = Path(__file__).resolve().parent / "results"
SITE = "NA-HCC"
OFFICER_PASSWORD = "bench-officer-password"
# What the admin gives a new officer; he changes it at his first login.
FIRST_PASSWORD = "bench-officer-first-password"
CLK_TCK = os.sysconf("SC_CLK_TCK")
# Each service gets this many numbers a day, so that minutes at hundreds of tickets a second
# do not run out (the demo's ranges hold 499).
NUMBERS_PER_SERVICE = 60_000


# -- /proc ---------------------------------------------------------------------------------------


def _read(path: str) -> str | None:
    try:
        return Path(path).read_text()
    except OSError:
        return None


def loadavg() -> list[float]:
    return [float(x) for x in Path("/proc/loadavg").read_text().split()[:3]]


def _stat_fields(pid: int) -> list[str] | None:
    """The fields of /proc/<pid>/stat after the command's name (field 3 on)."""
    stat = _read(f"/proc/{pid}/stat")
    return None if stat is None else stat[stat.rindex(")") + 2 :].split()


def cpu_seconds(pid: int) -> float | None:
    """User plus system CPU time of a process."""
    fields = _stat_fields(pid)
    return None if fields is None else (int(fields[11]) + int(fields[12])) / CLK_TCK


def system_seconds(pid: int) -> float | None:
    """The CPU time a process spent in the kernel (its system calls: writes to sockets...)."""
    fields = _stat_fields(pid)
    return None if fields is None else int(fields[12]) / CLK_TCK


def machine_busy_seconds() -> tuple[float, float]:
    """CPU seconds all cores spent doing anything (not idle, not waiting for I/O), and of those
    the seconds the hypervisor gave to other machines ("steal"): on a shared virtual machine the
    cores this one did not get."""
    values = [int(x) for x in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / CLK_TCK, values[7] / CLK_TCK


def pids_named(name: str) -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (_read(f"/proc/{entry.name}/comm") or "").strip() == name:
            pids.append(int(entry.name))
    return pids


def cmdline(pid: int) -> str:
    return (_read(f"/proc/{pid}/cmdline") or "").replace("\0", " ")


def memory_kib(pid: int, field: str = "VmRSS") -> int:
    """VmRSS from status, or Pss from smaps_rollup (shared pages divided among their users)."""
    path = f"/proc/{pid}/smaps_rollup" if field == "Pss" else f"/proc/{pid}/status"
    for line in (_read(path) or "").splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


class Groups:
    """The processes of each part of the stack, found afresh at each sample."""

    def __init__(self, server: Gunicorn, screens: Screens, database: str):
        self.server = server
        self.screens = screens
        self.database = database

    def pids(self) -> dict[str, list[int]]:
        server = self.server.pids()
        postgres = pids_named("postgres")
        groups = {
            "gunicorn_master": server[:1],
            "gunicorn_workers": server[1:],
            "postgres": postgres,
            "postgres_bench_backends": [p for p in postgres if f" {self.database} " in cmdline(p)],
            "redis": pids_named("redis-server"),
            "bench_listeners": self.screens.pids,
            "bench_driver": [os.getpid()],
        }
        for index, pid in enumerate(server[1:]):
            groups[f"worker_{index + 1}"] = [pid]
        return groups

    def sample(self) -> dict:
        groups = self.pids()
        return {
            "at": time.monotonic(),
            "machine": machine_busy_seconds(),
            "cpu": {
                **{name: {pid: cpu_seconds(pid) or 0.0 for pid in pids} for name, pids in groups.items()},
                "gunicorn_workers_in_kernel": {
                    pid: system_seconds(pid) or 0.0 for pid in groups["gunicorn_workers"]
                },
            },
        }

    @staticmethod
    def usage(before: dict, after: dict) -> dict:
        """CPU seconds of each group between two samples, and as cores (seconds per second)."""
        elapsed = after["at"] - before["at"]
        result = {"window_s": round(elapsed, 1)}
        for name, after_pids in after["cpu"].items():
            before_pids = before["cpu"].get(name, {})
            seconds = sum(value - before_pids.get(pid, 0.0) for pid, value in after_pids.items())
            result[name] = {"cpu_s": round(seconds, 1), "cores": round(seconds / elapsed, 2)}
        machine = after["machine"][0] - before["machine"][0]
        steal = after["machine"][1] - before["machine"][1]
        result["machine_busy"] = {"cpu_s": round(machine, 1), "cores": round(machine / elapsed, 2)}
        result["stolen_by_hypervisor"] = {"cpu_s": round(steal, 1), "cores": round(steal / elapsed, 2)}
        counted = sum(
            result[name]["cpu_s"]
            for name in ("gunicorn_master", "gunicorn_workers", "postgres", "redis", "bench_listeners")
        )
        counted += result["bench_driver"]["cpu_s"]
        other = machine - steal - counted
        result["other_processes"] = {"cpu_s": round(other, 1), "cores": round(other / elapsed, 2)}
        return result

    def memory(self) -> dict:
        groups = self.pids()
        mib = 1024

        def total(pids, field="VmRSS"):
            return round(sum(memory_kib(p, field) for p in pids) / mib)

        master, *workers = [round(x) for x in self.server.rss_mib()]
        result = {
            "gunicorn_master_mib": master,
            "gunicorn_workers_mib": workers,
            "postgres_rss_sum_mib": total(groups["postgres"]),
            "postgres_pss_sum_mib": total(groups["postgres"], "Pss"),
            "postgres_processes": len(groups["postgres"]),
            "postgres_bench_backends_rss_mib": total(groups["postgres_bench_backends"]),
            "postgres_bench_backends": len(groups["postgres_bench_backends"]),
            "redis_rss_mib": total(groups["redis"]),
            "bench_listeners_rss_mib": total(groups["bench_listeners"]),
        }
        gunicorn = master + sum(workers)
        result["stack_rss_mib"] = gunicorn + result["postgres_rss_sum_mib"] + result["redis_rss_mib"]
        result["stack_pss_mib"] = (
            total(groups["gunicorn_master"] + groups["gunicorn_workers"], "Pss")
            + result["postgres_pss_sum_mib"]
            + total(groups["redis"], "Pss")
        )
        return result


# -- the province --------------------------------------------------------------------------------


def build_province(base: str, counters: int, kiosks: int, first_token: str) -> dict:
    """Through the admin API: room for many numbers, counters with a service each, officers,
    kiosk tokens. Returns the service codes, the counters' ids and the tokens."""
    admin = staff_session(base, "admin", "quan-tri-demo")

    def call(method, path, **kwargs):
        response = admin.request(method, f"{base}/api/v1{path}", **kwargs)
        if not response.ok:
            raise RuntimeError(f"{method} {path}: {response.status_code} {response.text[:300]}")
        return response.json() if response.content else None

    services = [s for s in call("GET", f"/admin/sites/{SITE}/services") if s["active"]]
    ranged = sorted((s for s in services if s["number_start"] is not None), key=lambda s: s["number_start"])
    for index, service in enumerate(ranged):
        start = 100_000 + index * NUMBERS_PER_SERVICE
        changes = {"number_start": start, "number_end": start + NUMBERS_PER_SERVICE - 1, "daily_max": None}
        call("PATCH", f"/admin/services/{service['id']}", json=changes)
    for service in services:
        if service["number_start"] is None:
            call("PATCH", f"/admin/services/{service['id']}", json={"daily_max": NUMBERS_PER_SERVICE})
    codes = [s["code"] for s in sorted(services, key=lambda s: s["sort_order"])]

    existing = {c["number"]: c["id"] for c in call("GET", f"/admin/sites/{SITE}/counters")}
    for number in range(1, counters + 1):
        if number in existing:
            continue
        counter = call(
            "POST", f"/admin/sites/{SITE}/counters", json={"number": number, "name": f"Quầy {number}"}
        )
        rule = {"service": codes[number % len(codes)], "weekdays": "1234567"}
        call("POST", f"/admin/counters/{counter['id']}/schedules", json=rule)
        existing[number] = counter["id"]
    counter_ids = [existing[n] for n in sorted(existing)][:counters]

    officers = []
    for index in range(1, counters + 1):
        username = f"bench-officer-{index:02d}"
        body = {
            "username": username,
            "password": FIRST_PASSWORD,
            "role": "officer",
            "sites": [SITE],
            "full_name": f"Cán bộ {index}",
        }
        call("POST", "/admin/users", json=body)
        # The admin chose that password, so the officer may do nothing until he chooses his own
        # (auth.access.WHILE_PASSWORD_CHANGE_REQUIRED): as on his first day, he changes it.
        first_day = staff_session(base, username, FIRST_PASSWORD)
        changes = {"current_password": FIRST_PASSWORD, "new_password": OFFICER_PASSWORD}
        first_day.post(f"{base}/api/v1/auth/password", json=changes).raise_for_status()
        officers.append(username)

    tokens = [first_token]
    for index in range(2, kiosks + 1):
        device = call("POST", f"/sites/{SITE}/devices", json={"kind": "kiosk", "name": f"Kiosk {index}"})
        tokens.append(device["token"])
    return {"services": codes, "counter_ids": counter_ids, "officers": officers, "tokens": tokens}


def phones_needed(clients: int, halls: int, counter_screens: int) -> int:
    return max(0, clients - min(halls, clients) - min(counter_screens, max(0, clients - halls)))


def take_numbers_for_phones(base: str, province: dict, count: int) -> list[dict]:
    """``count`` tickets taken through the kiosk API before the window, each to be followed by
    a phone: ``{"id", "key"}``."""

    async def take() -> list[dict]:
        tokens, services = province["tokens"], province["services"]
        limit = asyncio.Semaphore(20)
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as http:

            async def one(i: int) -> dict:
                body = {
                    "service": services[i % len(services)],
                    "client_id": f"phone-{i:06d}-{secrets.token_hex(4)}",
                }
                headers = {"Authorization": f"Bearer {tokens[i % len(tokens)]}"}
                async with limit:
                    for _ in range(5):
                        async with http.post(
                            f"{base}/api/v1/sites/{SITE}/tickets", json=body, headers=headers
                        ) as r:
                            if r.status in (200, 201):
                                ticket = await r.json()
                                return {"id": ticket["id"], "key": ticket["track_url"].rsplit("/", 1)[1]}
                        await asyncio.sleep(1)
                    raise RuntimeError(f"could not take a number for phone {i}: {r.status}")

            return await asyncio.gather(*(one(i) for i in range(count)))

    return asyncio.run(take())


def screen_auths(
    clients: int, halls: int, counter_screens: int, counter_ids: list[int], followed: list[dict]
) -> tuple[list, dict]:
    halls = min(halls, clients)
    counter_screens = min(counter_screens, clients - halls)
    auths = [{"site": SITE} for _ in range(halls)]
    auths += [{"site": SITE, "counter": counter_ids[i % len(counter_ids)]} for i in range(counter_screens)]
    auths += [{"ticket": ticket["key"]} for ticket in followed]  # the tracking page's connection
    random.Random(7).shuffle(auths)  # every listener process gets its share of each kind
    return auths, {"hall_displays": halls, "counter_displays": counter_screens, "phones": len(followed)}


# -- load ----------------------------------------------------------------------------------------


async def login_officers(base: str, officers: list[str]) -> list[tuple[aiohttp.ClientSession, str]]:
    sessions = []
    for username in officers:
        # unsafe=True: aiohttp keeps no cookies from a bare IP address otherwise.
        http = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        body = {"username": username, "password": OFFICER_PASSWORD}
        async with http.post(f"{base}/api/v1/auth/login", json=body) as response:
            response.raise_for_status()
            csrf = (await response.json())["csrf_token"]
        sessions.append((http, csrf))
    return sessions


async def run_window(
    base: str,
    province: dict,
    officers: list[tuple[aiohttp.ClientSession, str]],
    groups: Groups,
    rate: float,
    seconds: float,
    call_every: float,
    max_inflight: int,
    drain: float,
) -> dict:
    """Kiosks at ``rate`` and every officer calling for ``seconds``; raw records."""
    tag = secrets.token_hex(4)
    services, tokens = province["services"], province["tokens"]
    headers = [{"Authorization": f"Bearer {t}"} for t in tokens]
    issue_url = f"{base}/api/v1/sites/{SITE}/tickets"
    issues: list[tuple] = []  # (scheduled, sent, done, status)
    calls: list[tuple] = []  # (sent, done, status, ticket id)
    inflight = {"now": 0, "peak": 0}
    timeout = aiohttp.ClientTimeout(total=60)
    kiosk_http = aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0), timeout=timeout)
    gate = asyncio.Semaphore(max_inflight)
    start = time.monotonic() + 0.5
    end = start + seconds

    async def issue(i: int, scheduled: float) -> None:
        sent = None
        try:
            async with gate:
                sent = time.monotonic()
                inflight["now"] += 1
                inflight["peak"] = max(inflight["peak"], inflight["now"])
                body = {"service": services[i % len(services)], "client_id": f"{tag}-{i:09d}"}
                try:
                    async with kiosk_http.post(issue_url, json=body, headers=headers[i % len(headers)]) as r:
                        await r.read()
                        status = r.status
                except TimeoutError:
                    status = "timeout"
                except aiohttp.ClientError as error:
                    status = type(error).__name__
                finally:
                    inflight["now"] -= 1
                issues.append((scheduled, sent, time.monotonic(), status))
        except asyncio.CancelledError:  # the drain time is over
            issues.append((scheduled, sent, None, "unanswered" if sent is not None else "not_sent"))
            raise

    async def kiosks() -> set:
        total = int(rate * seconds)
        tasks: set = set()
        i = 0
        while i < total:
            now = time.monotonic()
            due = min(total, int((now - start) * rate) + 1) if now >= start else 0
            while i < due:
                task = asyncio.create_task(issue(i, start + i / rate))
                tasks.add(task)
                task.add_done_callback(tasks.discard)
                i += 1
            await asyncio.sleep(max(0.0, min(0.005, start + i / rate - time.monotonic())))
        return tasks

    async def officer(index: int, http: aiohttp.ClientSession, csrf: str, counter_id: int) -> None:
        offset = call_every * index / len(officers)
        url = f"{base}/api/v1/counters/{counter_id}/call-next"
        slot = 0
        while True:
            at = start + offset + slot * call_every
            if at >= end:
                return
            await asyncio.sleep(max(0.0, at - time.monotonic()))
            sent = time.monotonic()
            ticket_id = None
            try:
                async with http.post(url, headers={"X-CSRFToken": csrf}, timeout=timeout) as response:
                    body = await response.read()
                    status = response.status
                    if status == 200:
                        ticket_id = json.loads(body)["ticket"]["id"]
            except TimeoutError:
                status = "timeout"
            except aiohttp.ClientError as error:
                status = type(error).__name__
            calls.append((sent, time.monotonic(), status, ticket_id))
            # A call slower than the think time delays the next one; no burst to catch up.
            slot = max(slot + 1, int((time.monotonic() - start - offset) / call_every) + 1)

    load_samples = []

    async def watch_load() -> None:
        while time.monotonic() < end:
            await asyncio.sleep(min(5.0, max(0.0, end - time.monotonic())))
            load_samples.append(loadavg())

    await asyncio.sleep(max(0.0, start - time.monotonic()))
    before = groups.sample()
    loadavg_start = loadavg()
    officer_tasks = [
        asyncio.create_task(officer(i, http, csrf, province["counter_ids"][i % len(province["counter_ids"])]))
        for i, (http, csrf) in enumerate(officers)
    ]
    watcher = asyncio.create_task(watch_load())
    pending = list(await kiosks())
    await asyncio.sleep(max(0.0, end - time.monotonic()))
    after = groups.sample()
    memory = groups.memory()
    await watcher
    # Answers still on their way count (late); whatever is still unanswered after the drain
    # time is recorded as such.
    waited_until = time.monotonic() + max(drain, 1.0)
    await asyncio.wait(officer_tasks, timeout=max(0.0, waited_until - time.monotonic()))
    if pending:
        await asyncio.wait(pending, timeout=max(0.0, waited_until - time.monotonic()))
    for task in [*pending, *officer_tasks]:
        task.cancel()
    await asyncio.gather(*pending, *officer_tasks, return_exceptions=True)
    await kiosk_http.close()
    return {
        "rate": rate,
        "seconds": seconds,
        "start": start,
        "end": end,
        "issues": issues,
        "calls": calls,
        "peak_inflight": inflight["peak"],
        "cpu": Groups.usage(before, after),
        "memory": memory,
        "loadavg_at_start": loadavg_start,
        "loadavg_during": load_samples,
    }


# -- figures -------------------------------------------------------------------------------------


def _ms(samples: list[float]) -> dict:
    samples = sorted(samples)
    return {
        "p50_ms": percentile_ms(samples, 0.50),
        "p95_ms": percentile_ms(samples, 0.95),
        "p99_ms": percentile_ms(samples, 0.99),
        "max_ms": round(samples[-1] * 1000, 1) if samples else None,
    }


def issue_figures(window: dict) -> dict:
    ok = [r for r in window["issues"] if r[3] == 201]
    in_window = [r for r in ok if r[2] <= window["end"]]
    errors = Counter(str(r[3]) for r in window["issues"] if r[3] != 201)
    target = int(window["rate"] * window["seconds"])
    from_schedule = _ms([r[2] - r[0] for r in ok])
    figures = {
        "target_per_s": window["rate"],
        "scheduled": target,
        "issued": len(ok),
        "issued_within_window": len(in_window),
        "achieved_per_s": round(len(in_window) / window["seconds"], 1),
        "latency": _ms([r[2] - r[1] for r in ok]),
        "latency_from_schedule": from_schedule,
        "errors": dict(errors),
        "peak_inflight": window["peak_inflight"],
    }
    figures["sustained"] = (
        figures["achieved_per_s"] >= 0.95 * window["rate"]
        and not errors
        and from_schedule["p99_ms"] is not None
        and from_schedule["p99_ms"] < 1000
    )
    return figures


def call_figures(window: dict, arrivals: dict, screens: int, followed: set[int]) -> dict:
    """``screens``: the site's screens (each gets every call); ``followed``: ticket ids that a
    phone follows (it gets the call of its own ticket)."""
    calls = window["calls"]
    statuses = Counter(str(c[2]) for c in calls)
    called = {c[3]: c[0] for c in calls if c[3] is not None}
    latencies = [at - called[tid] for tid, times in arrivals.items() if tid in called for at in times]
    to_phones = len(called.keys() & followed)
    expected = len(called) * screens + to_phones
    return {
        "calls": len(calls),
        "calls_per_s": round(len(calls) / window["seconds"], 1),
        "by_status": dict(statuses),
        "call_next_latency": _ms([c[1] - c[0] for c in calls if c[2] in (200, 204)]),
        # When in the window the slowest calls were sent: a tail bunched in time points at a
        # stall of the whole machine or a periodic task, one spread evenly at queueing.
        "slowest_calls": [
            {"sent_at_s": round(sent - window["start"], 2), "ms": round((answered - sent) * 1000, 1)}
            for sent, answered, *_ in sorted(calls, key=lambda c: c[0] - c[1])[:10]
        ],
        "display": {
            "tickets_called": len(called),
            "screens": screens,
            "tickets_called_with_a_phone": to_phones,
            "expected_deliveries": expected,
            "deliveries": len(latencies),
            "missed": expected - len(latencies),
            **_ms(latencies),
        },
    }


def display_as_read(window: dict, received: dict, screens: int, followed: set[int]) -> dict:
    """Call-to-display to when the listeners read each frame, beside :func:`call_figures`' to
    the kernel's receipt (:mod:`bench.screens`): the difference is the listeners' own reading."""
    display = call_figures(window, received["read_arrivals"], screens, followed)["display"]
    return {key: display[key] for key in ("p50_ms", "p99_ms", "max_ms")}


def saturation(cpu: dict, workers: int, cores: int) -> dict:
    """Which group used how much of the machine, and whether a worker ran flat out."""
    keys = (
        "gunicorn_workers",
        "postgres",
        "redis",
        "bench_listeners",
        "bench_driver",
        "other_processes",
        "stolen_by_hypervisor",
    )
    ranking = sorted(((cpu[k]["cores"], k) for k in keys), reverse=True)
    worker_cores = [cpu[f"worker_{i + 1}"]["cores"] for i in range(workers) if f"worker_{i + 1}" in cpu]
    return {
        "cores_on_machine": cores,
        "machine_busy_cores": cpu["machine_busy"]["cores"],
        "ranking_cores": [{k: c} for c, k in ranking],
        "worker_cores": worker_cores,
        "workers_flat_out": sum(1 for c in worker_cores if c >= 0.9),
    }


# -- main ----------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "BENCH_PROVINCE_DATABASE_URL", "postgresql://queue:queue@127.0.0.1:5432/queue_province_bench"
        ),
    )
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_PROVINCE_REDIS_URL", "redis://127.0.0.1:6379/2")
    )
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--clients", type=int, default=2000)
    parser.add_argument("--listener-processes", type=int, default=2)
    parser.add_argument("--hall-displays", type=int, default=50)
    parser.add_argument("--counter-displays", type=int, default=50, help="the rest of --clients are phones")
    parser.add_argument("--rate", type=float, default=200, help="tickets per second over all kiosks")
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--max-inflight", type=int, default=500, help="kiosk requests waiting at once")
    parser.add_argument("--counters", type=int, default=50, help="each with its own officer")
    parser.add_argument("--call-every", type=float, default=2.0, help="seconds between one counter's calls")
    parser.add_argument("--drain", type=float, default=10, help="seconds to wait for late answers and events")
    parser.add_argument("--find-max", action="store_true", help="if --rate is not sustained, step it down")
    parser.add_argument("--step-seconds", type=float, default=20)
    parser.add_argument("--max-steps", type=int, default=5)
    parser.add_argument(
        "--server-env",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="more environment for gunicorn, e.g. LIVE_STATS_SECONDS=1 (repeatable)",
    )
    parser.add_argument("--out", default=str(RESULTS / "province.json"))
    args = parser.parse_args()

    report: dict = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{os.cpu_count()} cores, Python {platform.python_version()}",
        "settings": {k: v for k, v in vars(args).items() if k not in ("database", "out")},
        "database": args.database.rsplit("/", 1)[-1],
        "loadavg_before": loadavg(),
    }
    print("load average before", report["loadavg_before"], flush=True)
    started = time.monotonic()
    first_token = prepare(args.database)
    channel = f"queue-province-bench-{os.getpid()}"
    extra_env = {"SOCKETIO_CHANNEL": channel, **dict(item.split("=", 1) for item in args.server_env)}
    server = start_server(args.database, args.workers, args.redis, extra_env=extra_env)
    screens = None
    try:
        province = build_province(server.url, args.counters, args.kiosks, first_token)
        report["setup_s"] = round(time.monotonic() - started, 1)
        report["province"] = {
            "services": len(province["services"]),
            "counters": len(province["counter_ids"]),
            "officers": len(province["officers"]),
            "kiosk_tokens": len(province["tokens"]),
        }
        print("province", report["province"], f"set up in {report['setup_s']} s", flush=True)
        phones = phones_needed(args.clients, args.hall_displays, args.counter_displays)
        taking = time.monotonic()
        followed = take_numbers_for_phones(server.url, province, phones)
        report["phone_tickets_s"] = round(time.monotonic() - taking, 1)
        print(f"{phones} tickets for the phones taken in {report['phone_tickets_s']} s", flush=True)
        auths, kinds = screen_auths(
            args.clients, args.hall_displays, args.counter_displays, province["counter_ids"], followed
        )
        with tempfile.TemporaryDirectory() as tmp:
            screens = Screens(server.url, auths, args.listener_processes, Path(tmp))
            connect_s = screens.wait_connected(600)
            listening_since = time.monotonic()
            print(f"{len(auths)} screens opened in {connect_s:.1f} s", flush=True)
            groups = Groups(server, screens, args.database.rsplit("/", 1)[-1])
            windows = asyncio.run(drive(server.url, province, groups, args))
            received = screens.finish(120)
            listening_s = time.monotonic() - listening_since
        screens = None
        report["numbering"] = check_numbers(args.database)
    finally:
        if screens is not None:
            screens.terminate()
        server.stop()

    connected = received["connected_at_ready"]
    report["clients"] = {
        "requested": len(auths),
        **kinds,
        "connected": connected,
        "refused": received["refused"],
        "failed": received["failed"],
        "closed_during_run": received["closed_early"],
        "connect_s": round(connect_s, 1),
        "frames_received": received["messages"],
        "frames_per_s_while_listening": round(received["messages"] / listening_s),
        "frames_by_event": dict(sorted(received["events"].items(), key=lambda item: -item[1])),
    }
    site_screens = kinds["hall_displays"] + kinds["counter_displays"]
    followed_ids = {ticket["id"] for ticket in followed}
    steps = []
    for window in windows:
        step = {
            "rate": window["rate"],
            "seconds": window["seconds"],
            "issuance": issue_figures(window),
            **call_figures(window, received["arrivals"], site_screens, followed_ids),
            "display_as_read": display_as_read(window, received, site_screens, followed_ids),
            "cpu": window["cpu"],
            "saturation": saturation(window["cpu"], args.workers, os.cpu_count()),
            "memory": window["memory"],
            "loadavg_at_start": window["loadavg_at_start"],
            "loadavg_during": window["loadavg_during"],
        }
        steps.append(step)
    report["main"] = steps[0]
    if len(steps) > 1:
        report["find_max"] = {
            "steps": [
                {
                    "rate": s["rate"],
                    "achieved_per_s": s["issuance"]["achieved_per_s"],
                    "sustained": s["issuance"]["sustained"],
                    "issue_p99_ms": s["issuance"]["latency"]["p99_ms"],
                    "issue_p99_from_schedule_ms": s["issuance"]["latency_from_schedule"]["p99_ms"],
                    "errors": s["issuance"]["errors"],
                    "calls_per_s": s["calls_per_s"],
                    "display_p99_ms": s["display"]["p99_ms"],
                    "display_missed": s["display"]["missed"],
                    "worker_cores": s["saturation"]["worker_cores"],
                    "machine_busy_cores": s["saturation"]["machine_busy_cores"],
                }
                for s in steps[1:]
            ],
            "details": steps[1:],
        }
        sustained = [s["rate"] for s in steps if s["issuance"]["sustained"]]
        report["find_max"]["highest_sustained_rate"] = max(sustained) if sustained else None
    report["loadavg_after"] = loadavg()
    out = Path(args.out)
    out.parent.mkdir(exist_ok=True)
    out.write_text(json.dumps(report, indent=2))
    summary = {k: v for k, v in report.items() if k != "find_max"}
    if "find_max" in report:
        summary["find_max"] = {k: v for k, v in report["find_max"].items() if k != "details"}
    print(json.dumps(summary, indent=2))


async def drive(base: str, province: dict, groups: Groups, args) -> list[dict]:
    officers = await login_officers(base, province["officers"])
    print(f"{len(officers)} officers logged in; the load starts", flush=True)
    try:
        options = {
            "call_every": args.call_every,
            "max_inflight": args.max_inflight,
            "drain": args.drain,
        }
        window = await run_window(base, province, officers, groups, args.rate, args.seconds, **options)
        windows = [window]
        figures = issue_figures(window)
        print("main", args.rate, "/s:", _brief(window, figures), flush=True)
        if args.find_max and not figures["sustained"]:
            low, high = 0.0, args.rate
            rate = max(1.0, round(min(args.rate / 2, figures["achieved_per_s"])))
            for _ in range(args.max_steps):
                await settle(base)
                window = await run_window(
                    base, province, officers, groups, rate, args.step_seconds, **options
                )
                windows.append(window)
                figures = issue_figures(window)
                print("step", rate, "/s:", _brief(window, figures), flush=True)
                if figures["sustained"]:
                    low = rate
                else:
                    high = rate
                if low == 0:  # nothing sustained yet: halve, down to one ticket a second
                    if rate <= 1:
                        break
                    rate = max(1, round(rate / 2))
                elif high - low <= max(5.0, 0.1 * high):
                    break
                else:
                    rate = round((low + high) / 2)
        await asyncio.sleep(args.drain)  # the last events reach the screens
        return windows
    finally:
        for http, _ in officers:
            await http.close()


async def settle(base: str, limit: float = 120) -> None:
    """Wait until the server answers GET /sites quickly again: the last step's backlog of
    requests and events is gone."""
    deadline = time.monotonic() + limit
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as http:
        while time.monotonic() < deadline:
            await asyncio.sleep(2)
            started = time.monotonic()
            try:
                async with http.get(f"{base}/api/v1/sites") as response:
                    await response.read()
            except (TimeoutError, aiohttp.ClientError):
                continue
            if time.monotonic() - started < 0.1:
                return


def _brief(window: dict, figures: dict) -> str:
    workers = [value["cores"] for key, value in window["cpu"].items() if key.startswith("worker_")]
    return (
        f"achieved {figures['achieved_per_s']}/s, p99 {figures['latency']['p99_ms']} ms"
        f" (from schedule {figures['latency_from_schedule']['p99_ms']} ms), errors {figures['errors']},"
        f" calls {len(window['calls'])}, workers {workers}"
        f" cores, machine {window['cpu']['machine_busy']['cores']} cores"
        f" ({window['cpu']['stolen_by_hypervisor']['cores']} stolen)"
    )


if __name__ == "__main__":
    main()
