"""A real python-socketio client that records what a screen would receive."""

from __future__ import annotations

import queue
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
