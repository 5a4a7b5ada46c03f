"""Public views of tickets and counters, shared by the API and the live events.

Nothing here carries personal data: these dictionaries go to hall screens and phones.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from ..auth import photos
from ..auth.models import User
from ..sites.models import Counter
from ..timefmt import iso
from ..web import public_url
from . import estimates
from .models import Ticket


def track_url(ticket: Ticket) -> str:
    return public_url(f"/t/{ticket.public_token}")


def ticket_public(ticket: Ticket) -> dict:
    counter = ticket.counter
    return {
        "id": ticket.id,
        "number": ticket.number,
        "service": ticket.service.code,
        "service_name": ticket.service.name,
        "service_name_en": ticket.service.name_en,
        "status": ticket.status,
        "priority": ticket.priority is not None,
        "channel": ticket.channel,
        "business_date": ticket.business_date.isoformat(),
        "issued_at": iso(ticket.issued_at),
        "called_at": iso(ticket.called_at),
        "finished_at": iso(ticket.finished_at),
        "counter": counter.number if counter is not None else None,
        "counter_id": ticket.counter_id,
        "target_counter": ticket.target_counter.number if ticket.target_counter else None,
        "recall_count": ticket.recall_count,
    }


def ticket_standing_public(session: Session, ticket: Ticket, rows: list | None = None) -> dict:
    """The public ticket plus where it stands, how long it may wait and who will serve it
    (``rows``: see :func:`.estimates.ticket_standing`)."""
    return {**ticket_public(ticket), **estimates.ticket_standing(session, ticket, rows)}


def officer_public(user: User | None, site_code: str) -> dict | None:
    """The officer at a counter as the hall may show him: the name on his badge (public in a
    one-stop centre) and the address of his photo, if he has one (served only while he works
    at one of the site's counters: queue_server/auth/photos.py)."""
    if user is None or not user.full_name:
        return None
    return {"name": user.full_name, "photo_url": photos.photo_path(site_code, user)}


def counter_public(
    counter: Counter, service_codes: list[str], current: Ticket | None, officer: User | None = None
) -> dict:
    return {
        "id": counter.id,
        "number": counter.number,
        "name": counter.name,
        "state": counter.state,
        "pause_reason": counter.pause_reason,
        "services": sorted(service_codes),
        "current": ticket_public(current) if current is not None else None,
        "officer": officer_public(officer, counter.site.code),
    }
