"""The event log: every change to a ticket or counter is written here and published live.

Each entry takes the next value of the site's event sequence in the same transaction as the
change it describes. Row locking (PostgreSQL) or ``BEGIN IMMEDIATE`` (SQLite) makes the
sequence follow commit order, so a client that sees a gap knows it missed something.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session
from sqlalchemy.orm.attributes import set_committed_value

from ..auth.access import Actor
from ..events import publish_after_commit
from ..sites.models import Counter, Site
from .models import QueueEvent, Ticket
from .presenters import iso, ticket_public


def next_site_seq(session: Session, site: Site) -> int:
    seq = session.execute(
        update(Site)
        .where(Site.id == site.id)
        .values(event_seq=Site.event_seq + 1)
        .returning(Site.event_seq)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    set_committed_value(site, "event_seq", seq)
    return seq


def record(
    session: Session,
    site: Site,
    kind: str,
    actor: Actor,
    at: datetime,
    *,
    ticket: Ticket | None = None,
    counter: Counter | None = None,
    data: dict | None = None,
    payload: dict | None = None,
) -> QueueEvent:
    """Write one event and queue its live delta for after commit.

    ``data`` is stored in the log; ``payload`` adds public fields to the live delta only.
    """
    session.flush()
    seq = next_site_seq(session, site)
    entry = QueueEvent(
        site_id=site.id,
        site_seq=seq,
        kind=kind,
        at=at,
        ticket_id=ticket.id if ticket is not None else None,
        counter_id=counter.id if counter is not None else None,
        user_id=actor.user_id,
        device_id=actor.device_id,
        data=data or {},
    )
    session.add(entry)
    delta = {"type": kind, "seq": seq, "site": site.code, "at": iso(at)}
    if ticket is not None:
        delta["ticket"] = ticket_public(ticket)
    if counter is not None:
        delta["counter_id"] = counter.id
    delta.update(payload or {})
    publish_after_commit(session, kind, delta)
    return entry
