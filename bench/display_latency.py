"""Call-next to display latency with many connected Socket.IO clients.

Listener processes each hold a share of the connections (python-socketio AsyncClient over
WebSocket) and record, per ticket id, when ``ticket.called`` reached each client. The driver
records when it sent each call-next. Both use CLOCK_MONOTONIC, which is shared by all the
processes of one machine.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import time

import requests
import socketio


async def _listen(base: str, clients: int, ready, stop, out_path: str) -> None:
    received: list[tuple[int, float]] = []
    sockets = []

    async def connect_one():
        sio = socketio.AsyncClient(reconnection=False)

        @sio.on("ticket.called")
        async def on_called(payload):
            received.append((payload["ticket"]["id"], time.monotonic()))

        await sio.connect(base, auth={"site": "NA-HCC"}, transports=["websocket"], wait_timeout=30)
        sockets.append(sio)

    for start in range(0, clients, 50):
        await asyncio.gather(*(connect_one() for _ in range(min(50, clients - start))))
    ready.set()
    while not stop.is_set():
        await asyncio.sleep(0.05)
    await asyncio.sleep(1.0)
    with open(out_path, "w") as handle:
        json.dump(received, handle)
    await asyncio.gather(*(s.disconnect() for s in sockets), return_exceptions=True)


def _listener_main(base, clients, ready, stop, out_path):
    asyncio.run(_listen(base, clients, ready, stop, out_path))


def measure(base: str, token: str, clients: int, calls: int, processes: int, workdir) -> dict:
    ctx = mp.get_context("spawn")
    stop = ctx.Event()
    readies, procs, outputs = [], [], []
    per_process = clients // processes
    for index in range(processes):
        ready = ctx.Event()
        out = str(workdir / f"listener-{index}.json")
        proc = ctx.Process(target=_listener_main, args=(base, per_process, ready, stop, out))
        proc.start()
        readies.append(ready)
        procs.append(proc)
        outputs.append(out)
    connect_started = time.monotonic()
    for ready in readies:
        if not ready.wait(180):
            raise RuntimeError("listeners did not connect in time")
    connect_seconds = time.monotonic() - connect_started

    kiosk = requests.Session()
    kiosk.headers["Authorization"] = f"Bearer {token}"
    for _ in range(calls):
        kiosk.post(f"{base}/api/v1/sites/NA-HCC/tickets", json={"service": "TKQ"}).raise_for_status()
    officer = requests.Session()
    officer.post(f"{base}/api/v1/auth/login", json={"username": "officer1", "password": "officer-demo"}).raise_for_status()
    sent: dict[int, float] = {}
    for _ in range(calls):
        started = time.monotonic()
        response = officer.post(f"{base}/api/v1/counters/12/call-next")
        response.raise_for_status()
        sent[response.json()["ticket"]["id"]] = started
        time.sleep(0.2)  # a busy centre calls a few times a second
    stop.set()
    for proc in procs:
        proc.join(60)

    latencies = []
    for out in outputs:
        with open(out) as handle:
            for ticket_id, at in json.load(handle):
                if ticket_id in sent:
                    latencies.append(at - sent[ticket_id])
    latencies.sort()
    expected = calls * per_process * processes

    def pct(p):
        return round(latencies[min(len(latencies) - 1, int(p * len(latencies)))] * 1000, 1) if latencies else None

    return {
        "clients": per_process * processes,
        "calls": calls,
        "deliveries": len(latencies),
        "missed": expected - len(latencies),
        "connect_s": round(connect_seconds, 1),
        "p50_ms": pct(0.50),
        "p99_ms": pct(0.99),
        "max_ms": round(latencies[-1] * 1000, 1) if latencies else None,
    }
