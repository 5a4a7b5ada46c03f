"""Old and new code side by side, phase by phase: ``python -m bench.issue_pair --before DIR``.

On a shared machine the speed of the same code moves by a third from one minute to the next,
so two benchmarks run one after the other compare the machine's minutes as much as the code.
This one serves both checkouts at once, each with its own gunicorn (``--workers`` gevent
workers) and its own fresh database (SQLite files by default, as the issue path's targets are
stated), and sends them the same work in short alternating phases:

``--phases`` rounds, each side in turn (the order swapped every round), each side's phase:

1. ``GET /api/v1/sites`` at 32 in flight for ``--baseline-seconds``: the ceiling of the stack
   for a trivial request, in the same minute as its tickets;
2. ``--tickets`` presses at ``--concurrency`` in flight, over the services in turn, each with
   its own ``client_id``: the workers' CPU per ticket (and PostgreSQL's and Redis's, read from
   /proc) and tickets/s;
3. ``--calls`` calls by the 12 officers, each calling again at their counter as soon as the
   last call is answered (logged in before): the workers' CPU per call and calls/s.

Both sides issue and call the same number of tickets in each phase, so their queues stay the
same length (the count of the people ahead grows with it). Reported: each side's medians (of
tickets/s ÷ ``GET /sites``/s too), and the median of the round-by-round ratios new/old, which
the machine's drift moves least. Then each side's numbers are checked (unique, gap-free).
Results: bench/results/issue_pair.json.

    git worktree add /work/wt-before <commit>
    python3 -m venv /work/wt-before/.venv  # its own libraries (bench.harness.python_of)
    /work/wt-before/.venv/bin/pip install -r /work/wt-before/requirements.txt
    .venv/bin/python -m bench.issue_pair --before /work/wt-before
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from .harness import ROOT
from .issue_path import SITE, calls, closed_loop, cpu_per_request
from .province import build_province, loadavg
from .run import check_numbers
from .stack import prepare, start_server

RESULTS = Path(__file__).resolve().parent / "results"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--before", type=Path, required=True, help="the checkout of the old code")
    parser.add_argument("--after", type=Path, default=ROOT, help="the checkout of the new code (this one)")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument(
        "--redis", default=os.environ.get("BENCH_ISSUE_REDIS_URL", "redis://127.0.0.1:6379/3")
    )
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--phases", type=int, default=10)
    parser.add_argument("--tickets", type=int, default=400, help="tickets per phase and side")
    parser.add_argument("--calls", type=int, default=0, help="calls per phase and side")
    parser.add_argument("--baseline-seconds", type=float, default=1.5, help="GET /sites in each phase")
    parser.add_argument("--out", default=str(RESULTS / "issue_pair.json"))
    args = parser.parse_args()

    sides = {"before": args.before.resolve(), "after": args.after.resolve()}
    report: dict = {
        "at": datetime.now(UTC).isoformat(timespec="seconds"),
        "settings": {k: str(v) for k, v in vars(args).items() if k != "out"},
        "loadavg_before": loadavg(),
    }
    scratch = Path(tempfile.mkdtemp(prefix="issue-pair-"))
    urls = {name: database_url(args.database, name, scratch) for name in sides}
    servers: dict = {}
    try:
        stacks = {}
        for name, root in sides.items():
            token = prepare(urls[name], root)
            env = {"SOCKETIO_CHANNEL": f"queue-issue-pair-{name}-{os.getpid()}"}
            servers[name] = start_server(urls[name], args.workers, args.redis, extra_env=env, root=root)
            province = build_province(servers[name].url, 12, 1, token)
            stacks[name] = (servers[name], province, {"Authorization": f"Bearer {token}"})
        rounds = []
        for phase in range(args.phases):
            order = list(stacks) if phase % 2 == 0 else list(stacks)[::-1]
            loads = {"load": loadavg()[0]}
            rounds.append({**loads, **{name: issue_phase(stacks[name], name, phase, args) for name in order}})
            print(phase, rounds[-1], flush=True)
        report["rounds"] = rounds
        report["numbering"] = {name: check_numbers(urls[name]) for name in sides}
    finally:
        for server in servers.values():
            server.stop()
    report["summary"] = summary(rounds)
    print(json.dumps(report["summary"], indent=2), flush=True)
    print("numbering", report["numbering"], flush=True)
    RESULTS.mkdir(exist_ok=True)
    Path(args.out).write_text(json.dumps(report, indent=2, ensure_ascii=False, default=str))


def database_url(kind: str, side: str, scratch: Path) -> str:
    if kind == "sqlite":
        return f"sqlite:///{scratch / side}.sqlite3"
    return f"postgresql://queue:queue@127.0.0.1:5432/queue_issue_pair_{side}"


def issue_phase(stack, side: str, phase: int, args) -> dict:
    server, province, headers = stack
    services = province["services"]
    get_sites = asyncio.run(
        closed_loop(f"{server.url}/api/v1/sites", 32, args.baseline_seconds, lambda i: ("GET", {}, 200))
    )
    tag = f"p{os.getpid()}{side[0]}{phase:03d}"

    def issue(i: int):
        body = {"service": services[i % len(services)], "client_id": f"{tag}-{i:09d}"}
        return "POST", {"json": body, "headers": headers}, 201

    meter = cpu_per_request(server, "ticket")
    url = f"{server.url}/api/v1/sites/{SITE}/tickets"
    result = meter(asyncio.run(closed_loop(url, args.concurrency, 600, issue, count=args.tickets)))
    called = asyncio.run(calls(server, province, 600, count=args.calls)) if args.calls else {}
    return {
        **(
            {"calls_per_s": called["per_s"], "cpu_ms_per_call": called["worker_cpu_ms_per_call"]}
            if called
            else {}
        ),
        "get_sites_per_s": get_sites["per_s"],
        "per_s": result["per_s"],
        "cpu_ms": result["worker_cpu_ms_per_ticket"],
        "p99_ms": result["p99_ms"],
        "errors": sum(result["errors"].values()),
        **{
            k: v
            for k, v in result.items()
            if k.endswith("_cpu_ms_per_ticket") and k.startswith(("postgres", "redis"))
        },
    }


def summary(rounds: list[dict]) -> dict:
    """Medians per side, and the median of the round-by-round ratios after/before."""
    result: dict = {}
    for name in ("before", "after"):
        result[name] = {
            "tickets_per_s": statistics.median(r[name]["per_s"] for r in rounds),
            "worker_cpu_ms_per_ticket": statistics.median(r[name]["cpu_ms"] for r in rounds),
            "get_sites_per_s": statistics.median(r[name]["get_sites_per_s"] for r in rounds),
            "tickets_per_get_sites": round(
                statistics.median(r[name]["per_s"] / r[name]["get_sites_per_s"] for r in rounds), 3
            ),
            "errors": sum(r[name]["errors"] for r in rounds),
        }
        if "cpu_ms_per_call" in rounds[0][name]:
            result[name]["calls_per_s"] = statistics.median(r[name]["calls_per_s"] for r in rounds)
            result[name]["worker_cpu_ms_per_call"] = statistics.median(
                r[name]["cpu_ms_per_call"] for r in rounds
            )
    result["after_over_before"] = {
        "worker_cpu_per_ticket": round(
            statistics.median(r["after"]["cpu_ms"] / r["before"]["cpu_ms"] for r in rounds), 3
        ),
        "tickets_per_s": round(
            statistics.median(r["after"]["per_s"] / r["before"]["per_s"] for r in rounds), 3
        ),
    }
    if "cpu_ms_per_call" in rounds[0]["after"]:
        result["after_over_before"]["worker_cpu_per_call"] = round(
            statistics.median(r["after"]["cpu_ms_per_call"] / r["before"]["cpu_ms_per_call"] for r in rounds),
            3,
        )
    return result


if __name__ == "__main__":
    main()
