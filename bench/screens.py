"""Many Socket.IO screens in a few processes, noting when each ``ticket.called`` arrives.

The Socket.IO protocol (Engine.IO 4 over WebSocket) is spoken directly with aiohttp, so that
one listener process can keep up with a thousand screens; a full client per connection would
measure the client's own parsing, not the server. Times are CLOCK_MONOTONIC
(``time.monotonic()``), which all the processes of one machine share, so they compare with
the times at which another process sent its call-next requests.

Used by :mod:`bench.display_latency` (one hall) and :mod:`bench.province` (a mix of hall
displays, counter displays and phones).
"""

from __future__ import annotations

import asyncio
import gc
import json
import multiprocessing as mp
import time
from collections import deque
from pathlib import Path

import aiohttp

CALLED = '42["ticket.called",'
DELTAS = '42["deltas",'  # deltas committed together, e.g. a ticket finished and the next called
BATCH = 50  # connections opened at once; the next batch waits for these to be answered


async def _listen(base: str, auths: list[dict], ready, stop, out_path: str, linger: float) -> None:
    """Hold one connection per ``auths`` entry (the Socket.IO ``auth`` of each screen).

    Writes to ``out_path``: ``arrivals`` (ticket id -> arrival times, one per screen that got
    its ``ticket.called``; a counter display is in its counter's room as well as the site's
    and gets the event twice, counted once), and counts of connections and messages.
    """
    arrivals: dict[int, list[float]] = {}
    counts = {"connected": 0, "refused": 0, "failed": 0, "closed_early": 0, "messages": 0}
    events: dict[str, int] = {}  # frames received by event name
    settled: list[int] = []  # one entry per connection answered (or failed)
    ids: dict[str, tuple] = {}  # frame -> (ticket called, names): every screen gets the same frame
    ws_url = base.replace("http://", "ws://") + "/socket.io/?EIO=4&transport=websocket"
    stopping = False

    def read(data: str) -> tuple[int | None, list[str]]:
        """The id of the ticket called in a frame (None if none) and the deltas' names."""
        known = ids.get(data)
        if known is None:
            if len(ids) > 256:
                ids.clear()
            if data.startswith(CALLED):
                deltas = [json.loads(data[len(CALLED) : -1])]
            else:
                deltas = json.loads(data[len(DELTAS) : -1])
            called = [d["ticket"]["id"] for d in deltas if d["type"] == "ticket.called"]
            known = ids[data] = (called[0] if called else None, [d["type"] for d in deltas])
        return known

    async def screen(http, auth):
        recent = deque(maxlen=8) if auth.get("counter") is not None else None
        answered = False
        try:
            async with http.ws_connect(ws_url, max_msg_size=0) as ws:
                opened = await ws.receive_str()
                assert opened.startswith("0"), opened
                await ws.send_str("40" + json.dumps(auth))
                async for message in ws:
                    data = message.data
                    counts["messages"] += 1
                    if data == "2":
                        await ws.send_str("3")
                    elif data.startswith(CALLED) or data.startswith(DELTAS):
                        at = time.monotonic()
                        tid, names = read(data)
                        for name in names:
                            events[name] = events.get(name, 0) + 1
                        if len(names) > 1:
                            events["(frames of deltas)"] = events.get("(frames of deltas)", 0) + 1
                        if tid is None:
                            continue
                        if recent is not None:
                            if tid in recent:
                                continue
                            recent.append(tid)
                        arrivals.setdefault(tid, []).append(at)
                    elif data.startswith('42["'):
                        name = data[4 : data.find('"', 4)]
                        events[name] = events.get(name, 0) + 1
                    elif not answered and data.startswith("40"):
                        answered = True
                        counts["connected"] += 1
                        settled.append(1)
                    elif not answered and data.startswith("44"):
                        answered = True
                        counts["refused"] += 1
                        settled.append(1)
                        return
        except asyncio.CancelledError:
            raise
        except Exception:  # noqa: BLE001  (any failure of one screen is counted, not fatal)
            if not answered:
                counts["failed"] += 1
                settled.append(1)
                return
        if answered and not stopping:
            counts["closed_early"] += 1

    # limit=0: aiohttp allows only 100 connections per session by default.
    async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as http:
        tasks = []
        for start in range(0, len(auths), BATCH):
            tasks += [asyncio.create_task(screen(http, auth)) for auth in auths[start : start + BATCH]]
            deadline = time.monotonic() + 60
            while len(settled) < len(tasks) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
        counts["connected_at_ready"] = counts["connected"]
        # The connections live until the end: out of the collector's full passes, which would
        # otherwise walk them all and hold this process 50-130 ms at a time, and every frame
        # that arrived meanwhile would count as late (measured: docs/benchmarks.md, "Live fan-out").
        gc.collect()
        gc.freeze()
        ready.set()
        while not stop.is_set():
            await asyncio.sleep(0.05)
        await asyncio.sleep(linger)
        stopping = True
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    with open(out_path, "w") as handle:
        json.dump({"arrivals": arrivals, "events": events, **counts}, handle)


def _listener_main(base, auths, ready, stop, out_path, linger):
    asyncio.run(_listen(base, auths, ready, stop, out_path, linger))


class Screens:
    """``auths`` spread over ``processes`` listener processes (spawned, so no state is shared)."""

    def __init__(self, base: str, auths: list[dict], processes: int, workdir: Path, linger: float = 1.0):
        ctx = mp.get_context("spawn")
        self.stop_event = ctx.Event()
        self.readies, self.procs, self.outputs = [], [], []
        for index in range(processes):
            ready = ctx.Event()
            out = str(Path(workdir) / f"listener-{index}.json")
            share = auths[index::processes]
            proc = ctx.Process(
                target=_listener_main, args=(base, share, ready, self.stop_event, out, linger), daemon=True
            )
            proc.start()
            self.readies.append(ready)
            self.procs.append(proc)
            self.outputs.append(out)

    @property
    def pids(self) -> list[int]:
        return [proc.pid for proc in self.procs]

    def wait_connected(self, timeout: float = 300) -> float:
        """Seconds until every process has opened its connections."""
        started = time.monotonic()
        for ready in self.readies:
            if not ready.wait(max(0.0, timeout - (time.monotonic() - started))):
                self.terminate()
                raise RuntimeError("listeners did not connect in time")
        return time.monotonic() - started

    def finish(self, timeout: float = 120) -> dict:
        """Stop listening; return the merged arrivals (ticket id -> times) and counts."""
        self.stop_event.set()
        for proc in self.procs:
            proc.join(timeout)
        self.terminate()
        merged: dict = {"arrivals": {}, "events": {}}
        for out in self.outputs:
            with open(out) as handle:
                part = json.load(handle)
            for tid, times in part.pop("arrivals").items():
                merged["arrivals"].setdefault(int(tid), []).extend(times)
            for name, count in part.pop("events").items():
                merged["events"][name] = merged["events"].get(name, 0) + count
            for key, value in part.items():
                merged[key] = merged.get(key, 0) + value
        return merged

    def terminate(self) -> None:
        for proc in self.procs:
            if proc.is_alive():
                proc.terminate()
                proc.join(10)
