"""Many Socket.IO screens in a few processes, noting when each ``ticket.called`` arrives.

The Socket.IO protocol (Engine.IO 4 over WebSocket) is spoken directly on plain sockets and one
``epoll``, so that one listener process can keep up with a thousand screens; a full client per
connection would measure the client's own parsing, not the server.

When a frame arrived is the kernel's time of its receipt on that screen's socket
(``SO_TIMESTAMP``, read with each ``recvmsg``), not the time the listener got round to reading
it. A real screen holds one connection and reads its frame at once; a listener holding a
thousand reads them one after the other, on a core it shares with the server. Until 2026-12-06
the listeners were aiohttp clients, an asyncio task woken per screen and frame, and their own
reading was in every call-to-display figure: 12-17 ms at the median and 11-27 ms at p99 with
2,000 screens (``docs/benchmarks.md``, "The listeners' own delay"). Read on one ``epoll`` a frame
is read 2-4 ms after its receipt; that time is kept as well (``read_arrivals``), so that both can
be reported. The frames are parsed here rather than by wsproto (installed with simple-websocket):
it takes about 10 µs a frame where this takes 1 (a call's 0.7 KB frame, 2026-12-06), and a
listener parses each frame 1,000 times.

Times are CLOCK_MONOTONIC (``time.monotonic()``), which all the processes of one machine share,
so they compare with the times at which another process sent its call-next requests; the
kernel's stamps (CLOCK_REALTIME) are moved onto it by the two clocks' difference, read at each
turn of the loop.

Used by :mod:`bench.display_latency` (one hall), :mod:`bench.province` (a mix of hall displays,
counter displays and phones) and :mod:`bench.fanout`.
"""

from __future__ import annotations

import base64
import gc
import json
import multiprocessing as mp
import os
import select
import socket
import struct
import time
from collections import deque
from pathlib import Path
from urllib.parse import urlsplit

CALLED = '42["ticket.called",'
DELTAS = '42["deltas",'  # deltas committed together, e.g. a ticket finished and the next called
BATCH = 50  # connections opened at once; the next batch waits for these to be answered

# Linux's <asm-generic/socket.h>: a struct timeval of the receipt with each recvmsg (TCP gives the
# time of the last segment read). Python's socket module does not name them.
SO_TIMESTAMP = 29
SCM_TIMESTAMP = SO_TIMESTAMP
TIMEVAL = struct.Struct("@qq")
STAMP_SPACE = socket.CMSG_SPACE(TIMEVAL.size)

# WebSocket opcodes (RFC 6455 section 5.2).
CONTINUATION, TEXT, CLOSE, PING, PONG = 0x0, 0x1, 0x8, 0x9, 0xA


def client_frame(opcode: int, payload: bytes) -> bytes:
    """A client's frame: FIN set, masked as RFC 6455 asks of clients (section 5.3)."""
    size = len(payload)
    if size < 126:
        header = struct.pack("!BB", 0x80 | opcode, 0x80 | size)
    elif size < 1 << 16:
        header = struct.pack("!BBH", 0x80 | opcode, 0x80 | 126, size)
    else:
        header = struct.pack("!BBQ", 0x80 | opcode, 0x80 | 127, size)
    key = os.urandom(4)
    mask = (key * (size // 4 + 1))[:size]
    masked = (int.from_bytes(payload, "big") ^ int.from_bytes(mask, "big")).to_bytes(size, "big")
    return header + key + masked


def server_frames(buffer: bytearray):
    """Take the whole frames at the front of ``buffer`` (a server's: unmasked); yield (fin,
    opcode, payload) for each."""
    while len(buffer) >= 2:
        first, second = buffer[0], buffer[1]
        size, at = second & 0x7F, 2
        if size == 126:
            if len(buffer) < 4:
                return
            size, at = struct.unpack_from("!H", buffer, 2)[0], 4
        elif size == 127:
            if len(buffer) < 10:
                return
            size, at = struct.unpack_from("!Q", buffer, 2)[0], 10
        if second & 0x80:
            raise ConnectionError("a masked frame from the server (RFC 6455 section 5.1)")
        if len(buffer) < at + size:
            return
        payload = bytes(buffer[at : at + size])
        del buffer[: at + size]
        yield bool(first & 0x80), first & 0x0F, payload


class Screen:
    """One connection: the WebSocket handshake, then Engine.IO and Socket.IO's first packets."""

    def __init__(self, address: tuple[str, int], host: str, auth: dict):
        self.auth = auth
        self.answered = False  # the namespace connect was answered (40) or refused (44)
        self.open = False  # the WebSocket handshake is done
        self.buffer = bytearray()
        self.parts: list[bytes] = []  # a fragmented message's frames so far
        self.recent = deque(maxlen=8) if auth.get("counter") is not None else None
        key = base64.b64encode(os.urandom(16)).decode()
        self.request = (
            "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\n"
            f"Host: {host}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
            f"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n"
        ).encode()
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.sock.setsockopt(socket.SOL_SOCKET, SO_TIMESTAMP, 1)
        self.sock.setblocking(False)
        self.sock.connect_ex(address)
        self.fd = self.sock.fileno()

    def send(self, opcode: int, payload: bytes) -> None:
        self.sock.sendall(client_frame(opcode, payload))  # a few bytes: the buffer has room

    def receive(self) -> tuple[bytes, float | None]:
        """What the socket holds now (b"" at its end) and the kernel's time of its receipt, in
        seconds of CLOCK_REALTIME (None if it gave none)."""
        data, ancillary, _flags, _address = self.sock.recvmsg(1 << 16, STAMP_SPACE)
        stamp = None
        for level, kind, value in ancillary:
            if level == socket.SOL_SOCKET and kind == SCM_TIMESTAMP:
                seconds, micros = TIMEVAL.unpack_from(value)
                stamp = seconds + micros / 1e6
        return data, stamp

    def messages(self, data: bytes):
        """The text messages that ``data`` completes, after checking the handshake's answer;
        answers pings."""
        self.buffer += data
        if not self.open:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            status = bytes(self.buffer[:end]).split(b"\r\n", 1)[0]
            if b" 101 " not in status:
                raise ConnectionError(status.decode(errors="replace"))
            del self.buffer[: end + 4]
            self.open = True
        for fin, opcode, payload in server_frames(self.buffer):
            if opcode in (TEXT, CONTINUATION):
                self.parts.append(payload)
                if fin:
                    text = b"".join(self.parts).decode()
                    self.parts = []
                    yield text
            elif opcode == PING:
                self.send(PONG, payload)
            elif opcode == CLOSE:
                raise ConnectionError("closed by the server")


def _listen(base: str, auths: list[dict], ready, stop, out_path: str, linger: float) -> None:
    """Hold one connection per ``auths`` entry (the Socket.IO ``auth`` of each screen).

    Writes to ``out_path``: ``arrivals`` (ticket id -> the kernel's times of receipt, one per
    screen that got its ``ticket.called``; a counter display is in its counter's room as well as
    the site's and gets the event twice, counted once), ``read_arrivals`` (the same, as read by
    this process), and counts of connections and messages.
    """
    arrivals: dict[int, list[float]] = {}
    read_arrivals: dict[int, list[float]] = {}
    counts = {"connected": 0, "refused": 0, "failed": 0, "closed_early": 0, "messages": 0, "unstamped": 0}
    events: dict[str, int] = {}  # frames received by event name
    ids: dict[str, tuple] = {}  # frame -> (ticket called, names): every screen gets the same frame
    url = urlsplit(base)
    address = (url.hostname or "127.0.0.1", url.port or 80)
    poll = select.epoll()
    screens: dict[int, Screen] = {}
    settled = 0  # connections answered, refused or failed
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

    def drop(screen: Screen, refused: bool = False) -> None:
        nonlocal settled
        if not screen.answered:
            counts["failed"] += 1
            settled += 1
            screen.answered = True
        elif not (stopping or refused):
            counts["closed_early"] += 1
        poll.unregister(screen.fd)
        screen.sock.close()
        del screens[screen.fd]

    def handle(screen: Screen, message: str, at: float, read_at: float) -> None:
        nonlocal settled
        if message.startswith("0{"):  # Engine.IO's open: join the namespace as this screen
            screen.send(TEXT, ("40" + json.dumps(screen.auth)).encode())
            return
        counts["messages"] += 1
        if message == "2":
            screen.send(TEXT, b"3")
        elif message.startswith(CALLED) or message.startswith(DELTAS):
            tid, names = read(message)
            for name in names:
                events[name] = events.get(name, 0) + 1
            if len(names) > 1:
                events["(frames of deltas)"] = events.get("(frames of deltas)", 0) + 1
            if tid is None:
                return
            if screen.recent is not None:
                if tid in screen.recent:
                    return
                screen.recent.append(tid)
            arrivals.setdefault(tid, []).append(at)
            read_arrivals.setdefault(tid, []).append(read_at)
        elif message.startswith('42["'):
            name = message[4 : message.find('"', 4)]
            events[name] = events.get(name, 0) + 1
        elif not screen.answered and message.startswith(("40", "44")):
            screen.answered = True
            settled += 1
            counts["connected" if message.startswith("40") else "refused"] += 1
            if message.startswith("44"):
                drop(screen, refused=True)

    def turn(timeout: float) -> None:
        """Wait up to ``timeout`` for sockets to be ready, then serve every ready one."""
        ready_fds = poll.poll(timeout)
        realtime_offset = time.time() - time.monotonic()
        for fd, mask in ready_fds:
            screen = screens.get(fd)
            if screen is None:
                continue
            try:
                if mask & select.EPOLLOUT:  # connected: ask for the WebSocket
                    poll.modify(fd, select.EPOLLIN)
                    screen.sock.sendall(screen.request)
                    continue
                data, stamp = screen.receive()
                read_at = time.monotonic()
                if not data:
                    drop(screen)
                    continue
                if stamp is None:
                    counts["unstamped"] += 1
                at = read_at if stamp is None else stamp - realtime_offset
                for message in screen.messages(data):
                    handle(screen, message, at, read_at)
            except (OSError, ConnectionError, ValueError):
                if fd in screens:
                    drop(screen)

    for start in range(0, len(auths), BATCH):
        for auth in auths[start : start + BATCH]:
            screen = Screen(address, url.netloc, auth)
            screens[screen.fd] = screen
            poll.register(screen.fd, select.EPOLLOUT)
        deadline = time.monotonic() + 60
        while settled < min(start + BATCH, len(auths)) and time.monotonic() < deadline:
            turn(0.05)
    counts["connected_at_ready"] = counts["connected"]
    # The connections live until the end: out of the collector's full passes, which would
    # otherwise walk them all and hold this process 50-130 ms at a time, and every frame that
    # arrived meanwhile would be read late (measured: docs/benchmarks.md, "Live fan-out").
    gc.collect()
    gc.freeze()
    ready.set()
    while not stop.is_set():
        turn(0.05)
    until = time.monotonic() + linger
    while time.monotonic() < until:
        turn(0.05)
    stopping = True
    for screen in list(screens.values()):
        drop(screen)
    poll.close()
    with open(out_path, "w") as handle_:
        json.dump({"arrivals": arrivals, "read_arrivals": read_arrivals, "events": events, **counts}, handle_)


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
                target=_listen, args=(base, share, ready, self.stop_event, out, linger), daemon=True
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
        """Stop listening; return the merged arrivals and read arrivals (ticket id -> times) and
        counts."""
        self.stop_event.set()
        for proc in self.procs:
            proc.join(timeout)
        self.terminate()
        merged: dict = {"arrivals": {}, "read_arrivals": {}, "events": {}}
        for out in self.outputs:
            with open(out) as handle:
                part = json.load(handle)
            for key in ("arrivals", "read_arrivals"):
                for tid, times in part.pop(key).items():
                    merged[key].setdefault(int(tid), []).extend(times)
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
