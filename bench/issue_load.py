"""Ticket issuance under load: throughput and latency at a given concurrency (aiohttp)."""

from __future__ import annotations

import asyncio
import time

import aiohttp

SERVICES = ("NM-DD", "NM-MT", "TC-DKDN", "XD-GPXD", "TP-LLTP", "YT-HN")


async def _worker(session, url, token, deadline, latencies, errors, index):
    headers = {"Authorization": f"Bearer {token}"}
    i = index
    while time.perf_counter() < deadline:
        body = {"service": SERVICES[i % len(SERVICES)]}
        i += 1
        started = time.perf_counter()
        async with session.post(url, json=body, headers=headers) as response:
            await response.read()
            if response.status == 201:
                latencies.append(time.perf_counter() - started)
            else:
                errors.append(response.status)


async def run(base: str, token: str, concurrency: int, seconds: float) -> dict:
    url = f"{base}/api/v1/sites/NA-HCC/tickets"
    latencies: list[float] = []
    errors: list[int] = []
    connector = aiohttp.TCPConnector(limit=concurrency)
    async with aiohttp.ClientSession(connector=connector) as session:
        started = time.perf_counter()
        deadline = started + seconds
        await asyncio.gather(*(
            _worker(session, url, token, deadline, latencies, errors, i) for i in range(concurrency)
        ))
        elapsed = time.perf_counter() - started
    latencies.sort()

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1) if latencies else None

    return {
        "concurrency": concurrency,
        "tickets": len(latencies),
        "errors": len(errors),
        "tickets_per_s": round(len(latencies) / elapsed, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
    }


def measure(base: str, token: str, concurrency: int, seconds: float) -> dict:
    return asyncio.run(run(base, token, concurrency, seconds))
