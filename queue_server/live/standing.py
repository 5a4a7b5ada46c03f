"""Where each followed ticket stands, pushed to the phones that follow it.

A phone joins its ticket's room (``ticket:<id>``) and is sent ``ticket.state`` at once: the
public ticket with its place in the queue. Changes of the ticket itself then arrive as the usual
deltas, which go to the ticket's room as well as the site's.

The place moves for everybody behind a ticket each time one of them is called. One message per
phone per call would cost more than all the rest of the work, so each process instead looks,
every ``LIVE_STANDING_SECONDS``, at the tickets its own phones follow. It places those whose site
has had events, or where anyone took a number (one with a priority goes ahead), since their last
look, with one query (:func:`~queue_server.queueing.estimates.standings`), and sends
``ticket.standing`` to the phones whose figures changed. It sends to its own sockets only
(``ignore_queue``), since every process does the same for its own.

Only a ticket near the front is looked at again at the next look. One with many people ahead
has a wait of many minutes: a figure that ticks down each second tells its holder nothing more
than one that does so every few seconds, yet those phones are most of a busy centre's, and
placing them and sending them their figures every second was most of the server's work between
calls. So a ticket waits before its next look, longer the further back it was at its last one
(:func:`next_look_after`), up to half a minute; the moves meanwhile reach its phone as one
message. Being called (a delta) reaches the phone at once, wherever the ticket stood.
"""

from __future__ import annotations

import threading
import time

from sqlalchemy import select

from ..database import db
from ..queueing.estimates import standings
from ..queueing.models import Ticket
from ..queueing.presenters import ticket_public
from ..queueing.snapshot import site_versions
from .ticker import Ticker

PREFIX = "ticket:"


# Standings queued between two chances for the process's other work (requests) to run.
YIELD_EVERY = 50


# A ticket with fewer people ahead than NEAR is looked at again at the next look; one further
# back SECONDS_PER_PERSON_AHEAD later per person ahead of it, and FAR_SECONDS later at most.
NEAR = 5
SECONDS_PER_PERSON_AHEAD = 0.5
FAR_SECONDS = 30.0


def ticket_room(ticket_id: int) -> str:
    return f"{PREFIX}{ticket_id}"


def next_look_after(standing: dict) -> float:
    """Seconds until a ticket that stands at ``standing`` is worth placing again."""
    ahead = standing.get("people_ahead")
    if ahead is None or ahead < NEAR:
        return 0.0
    return min(FAR_SECONDS, ahead * SECONDS_PER_PERSON_AHEAD)


class StandingPublisher(Ticker):
    SETTING = "LIVE_STANDING_SECONDS"
    FAILURE = "could not publish ticket standings"

    def __init__(self) -> None:
        super().__init__()
        self._sites: dict[int, int] = {}  # followed ticket id -> its site id
        self._sent: dict[int, dict] = {}  # ticket id -> the standing its phones were last sent
        # ticket id -> (its site's version at its last look, when it may be looked at again)
        self._looked: dict[int, tuple[tuple | None, float]] = {}
        self._lock = threading.Lock()

    def follow(self, session, ticket: Ticket) -> dict:
        """A phone of this process follows ``ticket``: its ``ticket.state`` to send now (the
        public ticket and where it stands), remembered as sent."""
        standing = standings(session, [ticket.id])[ticket.id]
        with self._lock:
            self._sites[ticket.id] = ticket.site_id
            self._sent[ticket.id] = standing
            self._looked[ticket.id] = (None, time.monotonic() + next_look_after(standing))
        self.start()
        return {**ticket_public(ticket), **standing}

    def tick(self) -> None:
        self.publish()

    def _followed(self) -> dict[int, int]:
        """Followed ticket id -> site id, for the ticket rooms this process holds now."""
        assert self.socketio is not None  # init_app has run: there are followers
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
                self._looked.pop(gone, None)
            return dict(self._sites)

    def _due(self, ticket_id: int, version: tuple | None, now: float) -> bool:
        """Whether the ticket's place may have moved since its last look and it is time to look."""
        seen, next_look = self._looked.get(ticket_id, (None, 0.0))
        return seen != version and now >= next_look

    def publish(self, everything: bool = False) -> int:
        """Send the phones of this process what changed; with ``everything``, each its whole
        ``ticket.state`` (after the message queue lost events). Returns the messages sent."""
        followed = self._followed()
        if not followed:
            return 0
        now = time.monotonic()
        assert self.app is not None and self.socketio is not None  # init_app has run: there are followers
        with self.app.app_context():
            session = db.session()
            try:
                versions = site_versions(session, set(followed.values()))
                ids = [
                    ticket_id
                    for ticket_id, site_id in followed.items()
                    if everything or self._due(ticket_id, versions.get(site_id), now)
                ]
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
        sent = 0
        for ticket_id, standing in figures.items():
            if ticket_id not in self._sites:  # its phones left while this look was under way
                continue
            self._looked[ticket_id] = (versions.get(followed[ticket_id]), now + next_look_after(standing))
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
