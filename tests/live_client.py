"""A real python-socketio client that records what a screen would receive."""

from __future__ import annotations

import base64
import json
import os
import queue
import socket
import struct
import time

import socketio

from queue_server.live import LIVE_EVENTS

EVENTS = (
    "snapshot",
    *LIVE_EVENTS,
    "queue.stats",
    "device.changed",
    "scan",
    "ticket.state",  # a phone's, on connecting
    "ticket.standing",
)


class LiveClient:
    """A screen of ``site`` (of ``counter``, of the device with ``token``); with ``staff``, a
    logged-in requests session, a staff page; with ``ticket``, a phone following that key."""

    def __init__(
        self,
        base_url: str,
        site: str = "NA-HCC",
        counter: int | None = None,
        token: str | None = None,
        staff=None,
        ticket: str | None = None,
    ):
        self.received: queue.Queue = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        for name in EVENTS:
            self.sio.on(name, self._recorder(name))
        self.messages: list[str] = []  # the name of each message, "deltas" included
        self.sio.on("deltas", self._unpack)
        auth = {"ticket": ticket} if ticket is not None else {"site": site}
        if counter is not None:
            auth["counter"] = counter
        if token is not None:
            auth["token"] = token
        headers = {}
        if staff is not None:
            headers["Cookie"] = "; ".join(f"{c.name}={c.value}" for c in staff.cookies)
        self.sio.connect(base_url, auth=auth, headers=headers, transports=["websocket"], wait_timeout=10)

    def _recorder(self, name):
        def record(payload):
            self.messages.append(name)
            self.received.put((name, payload, time.monotonic()))

        return record

    def _unpack(self, deltas: list[dict]) -> None:
        """Deltas committed together arrive as one message; record each, as a screen applies them."""
        self.messages.append("deltas")
        at = time.monotonic()
        for delta in deltas:
            self.received.put((delta["type"], delta, at))

    def wait_for(self, name: str, timeout: float = 5.0, where=lambda payload: True):
        """The next event called ``name`` that matches ``where``; others are skipped."""
        return self.arrival(name, timeout, where)[0]

    def arrival(self, name: str, timeout: float = 5.0, where=lambda payload: True) -> tuple[dict, float]:
        """:meth:`wait_for`, with the ``time.monotonic()`` at which the event arrived."""
        deadline = time.monotonic() + timeout
        while True:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise AssertionError(f"no {name} within {timeout} s")
            try:
                got, payload, at = self.received.get(timeout=remaining)
            except queue.Empty:
                continue
            if got == name and where(payload):
                return payload, at

    def drain(self) -> list[tuple[str, dict]]:
        """The events received and not yet read, each as (name, payload)."""
        events = []
        while not self.received.empty():
            name, payload, _ = self.received.get_nowait()
            events.append((name, payload))
        return events

    def close(self) -> None:
        self.sio.disconnect()


class RawScreen:
    """A screen speaking Engine.IO 4 over a plain WebSocket it frames itself, so that a test sees
    the bytes of each frame as the server wrote them, and may stop reading (a stalled screen).

    ``receive_buffer``: the socket's receive buffer in bytes (small: the server's writes back up
    soon); ``extensions``: a ``Sec-WebSocket-Extensions`` offer, as a browser makes.
    """

    def __init__(self, base_url: str, auth: dict, receive_buffer: int | None = None, extensions: str = ""):
        host, port = base_url.removeprefix("http://").split(":")
        self.sock = socket.socket()
        if receive_buffer is not None:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, receive_buffer)
        self.sock.settimeout(10)
        self.sock.connect((host, int(port)))
        key = base64.b64encode(os.urandom(16)).decode()
        offer = f"Sec-WebSocket-Extensions: {extensions}\r\n" if extensions else ""
        self.sock.sendall(
            f"GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: {host}:{port}\r\n"
            f"Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\n"
            f"Sec-WebSocket-Version: 13\r\n{offer}\r\n".encode()
        )
        self.buffer = b""
        while b"\r\n\r\n" not in self.buffer:
            self.buffer += self._recv()
        head, self.buffer = self.buffer.split(b"\r\n\r\n", 1)
        self.response = head.decode()
        assert self.response.startswith("HTTP/1.1 101"), self.response
        opened = self.next_frame()[1]
        assert opened.startswith("0"), opened
        self.send_text("40" + json.dumps(auth))

    def _recv(self) -> bytes:
        data = self.sock.recv(65536)
        if not data:
            raise ConnectionError("the server closed the connection")
        return data

    def _take(self, size: int) -> bytes:
        while len(self.buffer) < size:
            self.buffer += self._recv()
        taken, self.buffer = self.buffer[:size], self.buffer[size:]
        return taken

    def next_frame(self) -> tuple[bytes, str]:
        """The next frame as it came (its header and payload) and its text."""
        head = self._take(2)
        assert head[1] & 0x80 == 0, "a server's frames are not masked"
        size, extra = head[1] & 0x7F, b""
        if size == 126:
            extra = self._take(2)
            size = struct.unpack("!H", extra)[0]
        elif size == 127:
            extra = self._take(8)
            size = struct.unpack("!Q", extra)[0]
        payload = self._take(size)
        return head + extra + payload, payload.decode()

    def next_event(self, timeout: float = 10) -> tuple[bytes, str, object]:
        """The next Socket.IO event's frame, name and payload; Engine.IO pings are answered."""
        self.sock.settimeout(timeout)
        while True:
            frame, text = self.next_frame()
            if text == "2":
                self.send_text("3")
            elif text.startswith("42"):
                name, payload = json.loads(text[2:])
                return frame, name, payload

    def next_called(self) -> tuple[bytes, dict]:
        """The frame and the delta of the next ticket called (alone, or among deltas)."""
        while True:
            frame, name, payload = self.next_event()
            deltas = payload if name == "deltas" else [payload]
            for delta in deltas:
                if isinstance(delta, dict) and delta.get("type") == "ticket.called":
                    return frame, delta

    def wait_for(self, name: str, timeout: float = 10) -> tuple[bytes, object]:
        deadline = time.monotonic() + timeout
        while True:
            frame, got, payload = self.next_event(max(0.1, deadline - time.monotonic()))
            if got == name:
                return frame, payload

    def send_text(self, text: str) -> None:
        payload, mask = text.encode(), os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        size = len(payload)
        if size < 126:
            head = bytes((0x81, 0x80 | size))
        else:
            head = struct.pack("!BBH", 0x81, 0x80 | 126, size)
        self.sock.sendall(head + mask + masked)

    def vanish(self) -> None:
        """Reset the connection without a word, as a screen unplugged."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()

    def close(self) -> None:
        self.sock.close()
