"""Call-next to display latency with many connected Socket.IO clients.

Listener processes each hold a share of the connections (Socket.IO over WebSocket, see
:mod:`bench.screens`) and record, per ticket id, when ``ticket.called`` reached each client.
The driver records when it sent each call-next. Both use CLOCK_MONOTONIC, which is shared by
all the processes of one machine.
"""

from __future__ import annotations

import time

import requests

from .screens import Screens
from .stats import percentile_ms


def measure(base: str, token: str, clients: int, calls: int, processes: int, workdir) -> dict:
    per_process = clients // processes
    screens = Screens(base, [{"site": "NA-HCC"}] * (per_process * processes), processes, workdir)
    try:
        connect_seconds = screens.wait_connected(180)

        kiosk = requests.Session()
        kiosk.headers["Authorization"] = f"Bearer {token}"
        for _ in range(calls):
            kiosk.post(f"{base}/api/v1/sites/NA-HCC/tickets", json={"service": "TKQ"}).raise_for_status()
        officer = requests.Session()
        login = {"username": "officer1", "password": "officer-demo"}
        signed_in = officer.post(f"{base}/api/v1/auth/login", json=login)
        signed_in.raise_for_status()
        officer.headers["X-CSRFToken"] = signed_in.json()["csrf_token"]
        sent: dict[int, float] = {}
        for _ in range(calls):
            started = time.monotonic()
            response = officer.post(f"{base}/api/v1/counters/12/call-next")
            response.raise_for_status()
            sent[response.json()["ticket"]["id"]] = started
            time.sleep(0.2)  # a busy centre calls a few times a second
        received = screens.finish(60)
    finally:
        screens.terminate()

    latencies = [
        at - sent[ticket_id]
        for ticket_id, times in received["arrivals"].items()
        if ticket_id in sent
        for at in times
    ]
    latencies.sort()
    expected = calls * per_process * processes

    return {
        "clients": per_process * processes,
        "calls": calls,
        "deliveries": len(latencies),
        "missed": expected - len(latencies),
        "connect_s": round(connect_seconds, 1),
        "p50_ms": percentile_ms(latencies, 0.50),
        "p99_ms": percentile_ms(latencies, 0.99),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
    }
