"""HTTP API of the queue: thin views over :mod:`.operations` and :mod:`.snapshot`."""

from __future__ import annotations

from flask import Response, jsonify
from flask_smorest import Blueprint
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.access import (
    Action,
    device_read_with,
    require,
    require_staff,
    staff_session_read_with,
    staff_session_to_look_up,
    token_to_look_up,
)
from ..database import db, reads_without_transaction, utcnow
from ..overload import shed_load
from ..security import kiosk_limit
from ..sites import routing
from ..sites.calendar import business_date
from ..sites.lookups import get_counter, get_site, unknown_site
from ..sites.models import Counter, Site, SiteKind
from . import admission, operations
from .estimates import standing_at_commit
from .models import Ticket
from .presenters import counter_public, ticket_public, ticket_standing_public, track_url
from .schemas import (
    CallResultSchema,
    CounterSchema,
    CounterStaffSchema,
    IssuedTicketSchema,
    OpeningSchema,
    PauseSchema,
    QueueSnapshotSchema,
    ServiceSchema,
    SiteSchema,
    TicketCreateSchema,
    TicketSchema,
    TransferSchema,
    WalkInSchema,
)
from .snapshot import (
    active_services,
    no_shows_at,
    officers_at_counters,
    service_stats,
    site_snapshot,
    tickets_at_counters,
)

blp = Blueprint("queue", __name__, url_prefix="/api/v1", description="Sites, tickets and counters")


def ticket_with_position(ticket: Ticket) -> dict:
    return ticket_standing_public(db.session(), ticket)


@blp.route("/sites", methods=["GET"])
@blp.response(200, SiteSchema(many=True))
def list_sites():
    """All sites: the provincial centre first, down to the post offices last (the order of
    ``SiteKind.ALL``), then by code; a console without sites of its own starts at the first."""
    rank = {kind: number for number, kind in enumerate(SiteKind.ALL)}
    sites = db.session.scalars(select(Site).order_by(Site.code)).all()
    return sorted(sites, key=lambda site: rank.get(site.kind, len(rank)))


@blp.route("/sites/<site_code>/services", methods=["GET"])
@blp.response(200, ServiceSchema(many=True))
def list_services(site_code):
    """The services offered today, with waiting counts and the expected wait of a newcomer."""
    site = get_site(db.session, site_code)
    services = active_services(db.session, site)
    day = business_date(site, utcnow())
    stats = {s["code"]: s for s in service_stats(db.session, site, day, services)}
    return [
        {
            "code": s.code,
            "name": s.name,
            "name_en": s.name_en,
            "field": s.field,
            "icon": s.icon,
            **stats[s.code],
        }
        for s in services
    ]


@blp.route("/sites/<site_code>/opening", methods=["GET"])
@blp.response(200, OpeningSchema)
def get_opening(site_code):
    """Whether citizens may take a number themselves now and, if not, when the site opens.

    The kiosk shows it on its home screen before anyone taps; taking a number follows the same
    rule (409 ``closed``)."""
    return admission.opening(get_site(db.session, site_code), utcnow())


@blp.route("/sites/<site_code>/counters", methods=["GET"])
@blp.response(200, CounterSchema(many=True))
def list_counters(site_code):
    """Counters with their state, the services they serve today and their current ticket."""
    return site_snapshot(db.session, get_site(db.session, site_code), utcnow())["counters"]


@blp.route("/sites/<site_code>/counters/officers", methods=["GET"])
@blp.response(200, CounterStaffSchema(many=True))
def counter_officers(site_code):
    """Who is working at which counter now (the last to call there today, unless it is closed):
    for the console's choice of counter. Staff who may work the site's counters only."""
    site = get_site(db.session, site_code)
    require_staff(Action.OPERATE_COUNTER, site.id)
    officers = officers_at_counters(db.session, site, business_date(site, utcnow()))
    return [
        {"counter_id": counter_id, "officer_id": user.id, "officer_name": user.full_name or user.username}
        for counter_id, user in sorted(officers.items())
    ]


@blp.route("/sites/<site_code>/queue", methods=["GET"])
@blp.response(200, QueueSnapshotSchema)
def get_queue(site_code):
    """Waiting per service, now serving per counter, and the last calls."""
    return site_snapshot(db.session, get_site(db.session, site_code), utcnow())


@blp.route("/sites/<site_code>/tickets", methods=["POST"])
@blp.arguments(TicketCreateSchema())
@blp.response(201, IssuedTicketSchema)
@blp.alt_response(200, schema=IssuedTicketSchema, description="Already taken with this client_id")
@blp.alt_response(429, description="This kiosk took too many numbers in a short time")
@blp.alt_response(
    503, description="The server is taking as many numbers as it can; send again after retry_after_ms"
)
@shed_load("ISSUE_MAX_INFLIGHT", "ISSUE_MAX_WAIT_MS")
def issue_ticket(data, site_code):
    """Take a number. For a kiosk device token or a logged-in member of staff.

    With ``client_id`` (one per press of a button) a retry never takes a second number: the
    kiosk resends after a lost answer or a server restart and gets the same ticket back (200).
    Each device (or member of staff) may take ``KIOSK_RATE_LIMIT`` numbers; a stuck key or a
    script pressing the screen gets a 429 with Retry-After instead of emptying the day's range
    (counted on its own row: queueing/quota.py).
    """
    session = db.session
    token_hash = token_to_look_up()  # the kiosk's row comes with the press's (find_press)
    press = operations.find_press(session, site_code, data["service"], data["client_id"], token_hash)
    if press is None:
        raise unknown_site(site_code)
    if token_hash is not None:
        device_read_with(press.device)
    actor = require(Action.ISSUE_TICKET, press.site.id)
    options = {"priority": data["priority"], "channel": data["channel"]}
    # The numbering lock is held only for the writes: the place in the queue is read with the
    # commit (after it on PostgreSQL, in the same message), or else afterwards.
    standing: list = []
    try:
        ticket, created = operations.issue_ticket_once(session, press, actor, limit=kiosk_limit(), **options)
        if created:
            standing = standing_at_commit(session, ticket)
        session.commit()
    except IntegrityError:
        if data["client_id"] is None:
            raise
        session.rollback()  # the same press, a moment earlier, took the number: give that one
        ticket = operations.ticket_by_client_id(session, press.site, data["client_id"])
        if ticket is None:
            raise
        created = False
    reads_without_transaction(session)
    body = ticket_standing_public(session, ticket, standing)
    body["track_url"] = track_url(ticket)
    # Shaped here already, as IssuedTicketSchema documents it (a test holds the two together):
    # dumping it again through the schema cost more than writing it out.
    return jsonify(body), 201 if created else 200


@blp.route("/tickets/<int:ticket_id>", methods=["GET"])
@blp.response(200, TicketSchema)
def get_ticket_view(ticket_id):
    """A ticket's public view: status, place in the queue, expected wait, counter."""
    return ticket_with_position(operations.get_ticket(db.session, ticket_id))


@blp.route("/track/<token>", methods=["GET"])
@blp.response(200, TicketSchema)
def track_ticket(token):
    """The same public view, looked up by the unguessable key printed in the ticket's QR code."""
    return ticket_with_position(operations.get_ticket_by_token(db.session, token))


def _counter_for_officer(counter_id: int, for_update: bool = False) -> tuple[Counter, object]:
    """The counter and the officer acting at it; ``for_update`` locks it for a call or a walk-in
    (:func:`operations.counter_for_update`)."""
    if for_update:
        staff_session = staff_session_to_look_up()  # read with the counter's lock
        counter, rows = operations.counter_for_update(db.session(), counter_id, staff_session)
        if staff_session is not None:
            staff_session_read_with(staff_session, rows)
    else:
        counter = get_counter(db.session(), counter_id)
    return counter, require(Action.OPERATE_COUNTER, counter.site_id, counter.id)


@blp.route("/counters/<int:counter_id>", methods=["GET"])
@blp.response(200, CounterSchema)
def get_counter_view(counter_id):
    """A counter's state, what it serves today, its current ticket and today's no-shows."""
    counter = get_counter(db.session, counter_id)
    day = business_date(counter.site, utcnow())
    no_shows = [ticket_public(ticket) for ticket in no_shows_at(db.session, counter.id, day)]
    return {**_counter_response(counter), "no_shows": no_shows}


@blp.route("/counters/<int:counter_id>/call-next", methods=["POST"])
@blp.response(200, CallResultSchema)
@blp.alt_response(204, description="Nobody is waiting for this counter")
def call_next(counter_id):
    """Finish the current ticket and call the next one this counter serves today."""
    counter, actor = _counter_for_officer(counter_id, for_update=True)
    ticket = operations.call_next(db.session, counter, actor)
    if ticket is None:
        db.session.commit()
        return Response(status=204)
    body = {
        "ticket": ticket_public(ticket),
        "announcement": operations.announcement(ticket.site, ticket, ticket.counter),
    }
    db.session.commit()
    return body


@blp.route("/counters/<int:counter_id>/walk-in", methods=["POST"])
@blp.arguments(WalkInSchema())
@blp.response(201, TicketSchema)
def walk_in(data, counter_id):
    """Serve someone without a ticket; the visit still gets a number and is counted."""
    counter, actor = _counter_for_officer(counter_id, for_update=True)
    ticket = operations.serve_walk_in(db.session, counter, data["service"], actor)
    body = ticket_public(ticket)
    db.session.commit()
    return body


def _counter_response(counter: Counter) -> dict:
    """The counter as the site's snapshot shows it (the same current ticket, by the same rule)."""
    day = business_date(counter.site, utcnow())
    served = routing.services_served(db.session(), counter, day)
    current = tickets_at_counters(db.session(), counter.site_id, day, counter.id).get(counter.id)
    codes = [s.code for s in active_services(db.session(), counter.site) if s.id in served]
    officer = officers_at_counters(db.session(), counter.site, day, counter.id).get(counter.id)
    return counter_public(counter, codes, current, officer)


@blp.route("/counters/<int:counter_id>/pause", methods=["POST"])
@blp.arguments(PauseSchema())
@blp.response(200, CounterSchema)
def pause_counter(data, counter_id):
    """Pause a counter, saying why (break, meeting, system down...)."""
    counter, actor = _counter_for_officer(counter_id)
    operations.pause_counter(db.session, counter, data["reason"], actor)
    body = _counter_response(counter)
    db.session.commit()
    return body


@blp.route("/counters/<int:counter_id>/resume", methods=["POST"])
@blp.response(200, CounterSchema)
def resume_counter(counter_id):
    """Open a paused or closed counter again."""
    counter, actor = _counter_for_officer(counter_id)
    operations.resume_counter(db.session, counter, actor)
    body = _counter_response(counter)
    db.session.commit()
    return body


@blp.route("/counters/<int:counter_id>/close", methods=["POST"])
@blp.response(200, CounterSchema)
def close_counter(counter_id):
    """Close a counter for the day (its current ticket is finished)."""
    counter, actor = _counter_for_officer(counter_id)
    operations.close_counter(db.session, counter, actor)
    body = _counter_response(counter)
    db.session.commit()
    return body


def _ticket_action(ticket_id: int, operation, **kwargs) -> dict:
    ticket = operations.get_ticket(db.session, ticket_id)
    actor = require(Action.OPERATE_COUNTER, ticket.site_id, ticket.counter_id)
    operation(db.session, ticket, actor, **kwargs)
    db.session.commit()
    return ticket_with_position(ticket)


@blp.route("/tickets/<int:ticket_id>/recall", methods=["POST"])
@blp.response(200, TicketSchema)
def recall(ticket_id):
    """Announce a called ticket again."""
    return _ticket_action(ticket_id, operations.recall)


@blp.route("/tickets/<int:ticket_id>/start", methods=["POST"])
@blp.response(200, TicketSchema)
def start(ticket_id):
    """The citizen has come to the counter."""
    return _ticket_action(ticket_id, operations.start)


@blp.route("/tickets/<int:ticket_id>/skip", methods=["POST"])
@blp.response(200, TicketSchema)
def skip(ticket_id):
    """Mark a called ticket as a no-show."""
    return _ticket_action(ticket_id, operations.skip)


@blp.route("/tickets/<int:ticket_id>/reactivate", methods=["POST"])
@blp.response(200, TicketSchema)
def reactivate(ticket_id):
    """Put a no-show back in its queue at its original place (same day only)."""
    return _ticket_action(ticket_id, operations.reactivate)


@blp.route("/tickets/<int:ticket_id>/finish", methods=["POST"])
@blp.response(200, TicketSchema)
def finish(ticket_id):
    """The service is done."""
    return _ticket_action(ticket_id, operations.finish)


@blp.route("/tickets/<int:ticket_id>/transfer", methods=["POST"])
@blp.arguments(TransferSchema())
@blp.response(200, TicketSchema)
def transfer(data, ticket_id):
    """Send a ticket to another service's queue or to one counter, keeping its place."""
    return _ticket_action(
        ticket_id,
        operations.transfer,
        service_code=data.get("service"),
        counter_id=data.get("counter"),
    )
