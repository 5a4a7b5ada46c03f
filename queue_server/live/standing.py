"""Where each followed ticket stands, pushed to the phones that follow it.

A phone joins its ticket's room (``ticket:<id>``) and is sent ``ticket.state`` at once: the
public ticket with its place in the queue. Changes of the ticket itself then arrive as the usual
deltas, which go to the ticket's room as well as the site's.

The place moves for everybody behind a ticket each time one of them is called. One message per
phone per call would cost more than all the rest of the work, so each process instead looks,
every ``LIVE_STANDING_SECONDS``, at the tickets its own phones follow. When their site has had
events, or anyone took a number (one with a priority goes ahead), since its last look, it places
them all with one query (:func:`~queue_server.queueing.
estimates.standings`) and sends ``ticket.standing`` to the phones whose figures changed. It
sends to its own sockets only (``ignore_queue``), since every process does the same for its own.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy import select

from ..database import db
from ..queueing.estimates import standings
from ..queueing.models import Ticket
from ..queueing.presenters import ticket_public
from ..queueing.snapshot import site_versions

log = logging.getLogger(__name__)

PREFIX = "ticket:"


# Standings queued between two chances for the process's other work (requests) to run.
YIELD_EVERY = 50


def ticket_room(ticket_id: int) -> str:
    return f"{PREFIX}{ticket_id}"


class StandingPublisher:
    def __init__(self) -> None:
        self.app = None
        self.socketio = None
        self._sites: dict[int, int] = {}  # followed ticket id -> its site id
        self._seen: dict[int, tuple] = {}  # site id -> (event sequence, newest ticket) at the last look
        self._sent: dict[int, dict] = {}  # ticket id -> the standing its phones were last sent
        self._lock = threading.Lock()
        self._running = False

    def init_app(self, app, socketio) -> None:
        self.app = app
        self.socketio = socketio

    @property
    def interval(self) -> float:
        return self.app.config.get("LIVE_STANDING_SECONDS", 0) if self.app else 0

    def follow(self, session, ticket: Ticket) -> dict:
        """A phone of this process follows ``ticket``: its ``ticket.state`` to send now (the
        public ticket and where it stands), remembered as sent."""
        standing = standings(session, [ticket.id])[ticket.id]
        with self._lock:
            self._sites[ticket.id] = ticket.site_id
            self._sent[ticket.id] = standing
            start = not self._running and self.interval > 0
            self._running = self._running or start
        if start:
            self.socketio.start_background_task(self._run)
        return {**ticket_public(ticket), **standing}

    def _run(self) -> None:
        while True:
            self.socketio.sleep(self.interval)
            try:
                self.publish()
            except Exception:  # the database may be away; the next look tries again
                log.exception("could not publish ticket standings")

    def _followed(self) -> dict[int, int]:
        """Followed ticket id -> site id, for the ticket rooms this process holds now."""
        rooms = self.socketio.server.manager.rooms.get("/", {})
        held = {
            int(room[len(PREFIX) :])
            for room, members in list(rooms.items())
            if isinstance(room, str) and room.startswith(PREFIX) and members
        }
        with self._lock:
            for gone in set(self._sites) - held:
                del self._sites[gone]
                self._sent.pop(gone, None)
            return dict(self._sites)

    def publish(self, everything: bool = False) -> int:
        """Send the phones of this process what changed; with ``everything``, each its whole
        ``ticket.state`` (after the message queue lost events). Returns the messages sent."""
        followed = self._followed()
        if not followed:
            return 0
        with self.app.app_context():
            session = db.session
            try:
                versions = site_versions(session, set(followed.values()))
                moved = {
                    site_id
                    for site_id, version in versions.items()
                    if everything or self._seen.get(site_id) != version
                }
                ids = [ticket_id for ticket_id, site_id in followed.items() if site_id in moved]
                figures = standings(session, ids)
                tickets = (
                    {
                        t.id: ticket_public(t)
                        for t in session.scalars(select(Ticket).where(Ticket.id.in_(ids)))
                    }
                    if everything
                    else {}
                )
            finally:
                session.rollback()
        self._seen.update(versions)
        sent = 0
        for ticket_id, standing in figures.items():
            if everything and ticket_id in tickets:
                name, payload = "ticket.state", {**tickets[ticket_id], **standing}
            elif self._sent.get(ticket_id) != standing:
                name, payload = "ticket.standing", {"id": ticket_id, **standing}
            else:
                continue
            self._sent[ticket_id] = standing
            self.socketio.emit(name, payload, to=ticket_room(ticket_id), ignore_queue=True)
            sent += 1
            if sent % YIELD_EVERY == 0:
                # A thousand phones take tens of milliseconds to queue up; an officer's call
                # waiting for the worker meanwhile would reach the hall that much later.
                self.socketio.sleep(0)
        return sent


publisher = StandingPublisher()
