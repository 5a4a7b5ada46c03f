"""Requests under load: throughput and latency at a given concurrency (aiohttp)."""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import aiohttp

from .stats import percentile_ms

# Twelve services with 499 numbers a day each, so that a long run does not fill any of them.
SERVICES = (
    "NM-DD",
    "NM-MT",
    "NM-NN",
    "TC-DKDN",
    "TC-DT",
    "XD-GPXD",
    "XD-CCHN",
    "TP-LLTP",
    "TP-QT",
    "CT-TM",
    "YT-HN",
    "GD-VB",
)


async def _issue(session, base, token, i):
    body = {"service": SERVICES[i % len(SERVICES)]}
    headers = {"Authorization": f"Bearer {token}"}
    async with session.post(f"{base}/api/v1/sites/NA-HCC/tickets", json=body, headers=headers) as response:
        await response.read()
        return response.status == 201 or response.status


async def _list_sites(session, base, token, i):
    async with session.get(f"{base}/api/v1/sites") as response:
        await response.read()
        return response.status == 200 or response.status


async def _worker(request, session, base, token, deadline, latencies, errors, index):
    i = index
    while time.perf_counter() < deadline:
        started = time.perf_counter()
        outcome = await request(session, base, token, i)
        i += 1
        if outcome is True:
            latencies.append(time.perf_counter() - started)
        else:
            errors.append(outcome)


async def run(base: str, token: str, concurrency: int, seconds: float, request=_issue) -> dict:
    latencies: list[float] = []
    errors: list = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(
            *(
                _worker(request, session, base, token, deadline, latencies, errors, i)
                for i in range(concurrency)
            )
        )
        elapsed = time.perf_counter() - started
    latencies.sort()

    return {
        "concurrency": concurrency,
        "requests": len(latencies),
        "errors": dict(Counter(errors)),
        "per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": percentile_ms(latencies, 0.50),
        "p99_ms": percentile_ms(latencies, 0.99),
    }


def measure(base: str, token: str, concurrency: int, seconds: float) -> dict:
    """Tickets issued (POST /sites/NA-HCC/tickets) over six services."""
    return asyncio.run(run(base, token, concurrency, seconds))


def measure_baseline(base: str, concurrency: int, seconds: float) -> dict:
    """The cheapest API call (GET /sites, one small query): the ceiling of this stack."""
    return asyncio.run(run(base, "", concurrency, seconds, request=_list_sites))
