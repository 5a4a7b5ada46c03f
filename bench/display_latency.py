"""Call-next to display latency with many connected Socket.IO clients.

Listener processes each hold a share of the connections (Socket.IO over WebSocket) and
record, per ticket id, when ``ticket.called`` reached each client. The driver records when it
sent each call-next. Both use CLOCK_MONOTONIC, which is shared by all the processes of one
machine.
"""

from __future__ import annotations

import asyncio
import json
import multiprocessing as mp
import time

import aiohttp
import requests

from .stats import percentile_ms


async def _listen(base: str, clients: int, ready, stop, out_path: str) -> None:
    """Hold ``clients`` Socket.IO connections and note when each ``ticket.called`` arrives.

    The Socket.IO protocol (Engine.IO 4 over WebSocket) is spoken directly with aiohttp, so
    that one listener process can keep up with a thousand screens; a full client per
    connection would measure the client's own parsing, not the server.
    """
    received: list[tuple[int, float]] = []
    ws_url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    marker = '42["ticket.called",'

    async def screen(http):
        async with http.ws_connect(ws_url, max_msg_size=0) as ws:
            opened = await ws.receive_str()
            assert opened.startswith("0"), opened
            await ws.send_str("40" + json.dumps({"site": "NA-HCC"}))
            connected.append(1)
            async for message in ws:
                data = message.data
                if data == "2":
                    await ws.send_str("3")
                elif data.startswith(marker):
                    at = time.monotonic()
                    payload = json.loads(data[len(marker) : -1])
                    received.append((payload["ticket"]["id"], at))
                if stop.is_set():
                    break

    connected: list[int] = []
    # limit=0: aiohttp allows only 100 connections per session by default.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        tasks = []
        for start in range(0, clients, 50):
            tasks += [asyncio.create_task(screen(http)) for _ in range(min(50, clients - start))]
            while len(connected) < len(tasks):
                await asyncio.sleep(0.01)
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await asyncio.sleep(1.0)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    with open(out_path, "w") as handle:
        json.dump(received, handle)


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
