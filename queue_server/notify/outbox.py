"""Writing the notifications in the transaction of the change that causes them (the outbox).

:func:`write` answers :data:`queue_server.events.committing`, the transaction's last step: it
turns what the transaction changed into :class:`.models.Notification` rows, one per live
subscription of the ticket, dossier or booking on a channel its site has enabled, and flushes
them. They commit with the change or not at all; the worker (:mod:`.worker`) sends them later.

- **Tickets**: "issued" for a subscription made with the ticket (or later, as a confirmation),
  "called" when it is called to a counter, and "near your turn" once, when a change that moves
  a queue (:data:`QUEUE_MOVES`: of the moved ticket's service, or of the counter that called it
  for tickets sent to that counter) leaves as many people ahead as the citizen asked for, or
  fewer.
- **Dossiers**: each change of :data:`DOSSIER_EVENTS`, and "payment due" with "received" when
  the dossier waits for its fee before processing. The applicant's consent to be
  contacted (at intake or later, ``dossiers/lifecycle.set_contact_consent``) makes the
  dossier's subscriptions here; withdrawing it opts them out. The dossiers never import notify.
- **Bookings**: "booking.changed" events of booking/ (``booked`` with consent: the subscription,
  the confirmation and a reminder due before the slot; ``cancelled``: the reminder cancelled,
  the cancellation said).

Each row's ``key`` is "<event>:<subject>:<subscription>" (with the dossier event's id where the
same event may happen twice), unique in the table; rows are inserted with ON CONFLICT DO
NOTHING, so a repeat never fails the citizen's transaction and is never written twice.

Cost: taking a number is the hottest path (benchmarked). A transaction that only issues
tickets, with no subscription made in it, runs no query at all here: a new subscription is
noticed when it is inserted (:func:`_noticed`), never looked for. A call first looks at when
anyone last subscribed to a ticket at the site, on the site's row it has read already
(``sites.ticket_subscribed_at``, no query): a ticket lives one day, so its subscriptions were
made less than a day before. Only if that is within the day does it run the query that finds
the called tickets' subscriptions and the waiting subscribed tickets of the queues that moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from flask import current_app
from sqlalchemy import Table, and_, bindparam, event, exists, false, or_, select, union_all, update
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session, object_session
from sqlalchemy.orm.attributes import set_committed_value
from sqlalchemy.orm.util import identity_key

from ..booking.models import Booking
from ..database import upsert, utcnow
from ..dossiers import labels, lifecycle
from ..dossiers.models import Dossier
from ..dossiers.presenters import track_url as dossier_url
from ..errors import ApiError
from ..events import committing
from ..outboxes import woken_on_commit, written
from ..queueing.estimates import people_ahead
from ..queueing.models import Ticket, TicketStatus
from ..queueing.presenters import track_url as ticket_url
from ..sites.models import Counter, Site
from ..web import public_url
from .addresses import normalise
from .models import ChannelKind, Notification, NotificationStatus, SiteChannel, Subscription
from .operations import opt_out, subscribe
from .templates import render, site_templates

# A dossier's action (dossiers/lifecycle.py TRANSITIONS, and intake) -> the event told.
DOSSIER_EVENTS = {
    "receive": "dossier.received",
    "request_supplement": "dossier.supplement_requested",
    "refuse": "dossier.refused",
    "stop": "dossier.stopped",
    "apologise": "dossier.apology",
    "result_ready": "dossier.result_ready",
    "return": "dossier.returned",
    "deliver": "dossier.delivered",
}
# Told with "received" when the dossier waits for its fee (dossiers/fees.py).
PAYMENT_DUE = "dossier.payment_due"
# Actions that may happen twice to one dossier: the key carries the dossier event's id.
REPEATABLE = frozenset({"request_supplement"})
CONSENT_ACTIONS = frozenset({"receive", "contact_consent"})
# Journal entries after which fewer people may be ahead of a waiting ticket: one leaves the
# queue for a counter, or for another queue. (Starting, finishing or skipping a ticket already
# at a counter changes no one's place.)
QUEUE_MOVES = frozenset({"ticket.called", "ticket.transferred"})
BOOKING_CHANNELS = ChannelKind.BY_PHONE

_NEW = "notify_new_subscriptions"
_WRITTEN = "notify_written"
# Set when this process commits new messages: its inline worker (worker.py) sends them at once.
wake = woken_on_commit(_WRITTEN)


@event.listens_for(Subscription, "after_insert")
def _noticed(_mapper, connection: Connection, subscription: Subscription) -> None:
    """Remember the subscriptions made in this transaction: they get their first message. A
    ticket's marks its site (``sites.ticket_subscribed_at``, :func:`_anyone_subscribed`), in
    the session's copy of the site too if it holds one."""
    session = object_session(subscription)
    if session is not None:
        session.info.setdefault(_NEW, []).append(subscription)
    if subscription.ticket_id is None:
        return
    at = subscription.created_at
    connection.execute(_MARK_SITE, {"site_id": subscription.site_id, "at": at})
    site = session.identity_map.get(identity_key(Site, subscription.site_id)) if session else None
    if site is not None:
        set_committed_value(site, "ticket_subscribed_at", at)


_MARK_SITE = update(Site).where(Site.id == bindparam("site_id")).values(ticket_subscribed_at=bindparam("at"))


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop(_NEW, None)


@dataclass
class _Outbox:
    """The rows of one transaction, with what they need read once."""

    session: Session
    now: datetime
    rows: list[dict] = field(default_factory=list)
    _channels: dict[int, dict[str, SiteChannel]] = field(default_factory=dict)
    _templates: dict[int, dict] = field(default_factory=dict)

    def enabled(self, site_id: int) -> dict[str, SiteChannel]:
        if site_id not in self._channels:
            rows = self.session.scalars(
                select(SiteChannel).where(SiteChannel.site_id == site_id, SiteChannel.enabled.is_(True))
            )
            self._channels[site_id] = {row.channel: row for row in rows}
        return self._channels[site_id]

    def add(
        self,
        subscription: Subscription,
        event_name: str,
        key: str,
        values: dict[str, str],
        *,
        due: datetime | None = None,
    ) -> None:
        """One message to ``subscription``, if it is live and its site has its channel on."""
        if subscription.opted_out_at is not None or subscription.channel not in self.enabled(
            subscription.site_id
        ):
            return
        site_id = subscription.site_id
        if site_id not in self._templates:
            self._templates[site_id] = site_templates(self.session, site_id)
        link = opt_out_url(subscription)
        text = render(
            self.session,
            site_id=site_id,
            event=event_name,
            channel=subscription.channel,
            language=subscription.language,
            values=values,
            opt_out_url=link,
            own=self._templates[site_id],
        )
        self.rows.append(
            {
                "key": f"{key}:{subscription.id}",
                "site_id": site_id,
                "subscription_id": subscription.id,
                "ticket_id": subscription.ticket_id,
                "dossier_id": subscription.dossier_id,
                "booking_id": subscription.booking_id,
                "event": event_name,
                "channel": subscription.channel,
                "recipient": subscription.address,
                "language": subscription.language,
                "subject": text.subject,
                "body": text.body,
                "params": values,
                "opt_out_url": link,
                "status": NotificationStatus.PENDING,
                "attempts": 0,
                "created_at": self.now,
                "next_attempt_at": due or self.now,
            }
        )

    def flush(self) -> None:
        if self.rows:
            table = cast(Table, Notification.__table__)
            self.session.execute(
                upsert(table).values(self.rows).on_conflict_do_nothing(index_elements=["key"])
            )
            written(self.session, _WRITTEN)
            self.rows = []


def opt_out_url(subscription: Subscription) -> str:
    """The link printed in every message, that ends the subscription (``/n/<token>``)."""
    return public_url(f"/n/{subscription.token}")


@committing.connect
def write(session: Session, *, events: list[tuple[str, dict]], tickets: list[dict]) -> None:
    """Add the transaction's notifications to it (see the module's docstring)."""
    new = session.info.pop(_NEW, [])
    called = [entry for entry in tickets if entry["kind"] == "ticket.called"]
    moved = [entry["ticket_id"] for entry in tickets if entry["kind"] in QUEUE_MOVES and entry["ticket_id"]]
    changes = [(name, payload) for name, payload in events if name in ("dossier.changed", "booking.changed")]
    queue_moves = [entry for entry in tickets if entry["kind"] in QUEUE_MOVES]
    moves = bool(queue_moves) and _anyone_subscribed(session, queue_moves)
    if not (new or moves or changes):
        return
    outbox = _Outbox(session, utcnow())
    for name, payload in changes:
        if name == "dossier.changed":
            _dossier_changed(outbox, payload)
        else:
            _booking_changed(outbox, payload)
    for subscription in new + session.info.pop(_NEW, []):
        if subscription.ticket_id is not None:
            ticket = session.get(Ticket, subscription.ticket_id)
            if ticket is not None and ticket.status in TicketStatus.IN_QUEUE:
                outbox.add(
                    subscription, "ticket.issued", f"ticket.issued:{ticket.id}", _ticket_values(ticket)
                )
    if moves:
        _tickets_moved(outbox, {entry["ticket_id"] for entry in called}, moved)
    outbox.flush()
    session.flush()


def _anyone_subscribed(session: Session, entries: list[dict]) -> bool:
    """Whether anyone may be subscribed to a ticket of these journal entries' sites: a
    subscription made in the last day (a ticket lives one day, so its subscriptions were made
    less than a day before any change to it), as its site's row tells (:func:`_noticed`). A
    call has read that row with its counter's (``queueing.operations.counter_for_update``), so
    a site where nobody subscribed costs it no query here.

    A subscription committed between that read and the call's commit is not seen, as one
    committed between a query here and the commit was not.
    """
    for site_id, at in {(entry["site_id"], entry["at"]) for entry in entries}:
        marked = session.get_one(Site, site_id).ticket_subscribed_at
        if marked is not None and marked >= at - timedelta(days=1):
            return True
    return False


def _tickets_moved(outbox: _Outbox, called: set[int], moved: list[int]) -> None:
    """ "Called" to the called tickets' subscriptions; "near your turn" to the subscriptions of
    the tickets waiting in the queues that moved (the moved tickets' services and counters, on
    their day: the tickets' own index), once each. One query finds both; only the few
    subscribed tickets found have their place counted."""
    session = outbox.session
    live = Subscription.opted_out_at.is_(None)
    queues = [
        ticket for ticket in (session.get(Ticket, ticket_id) for ticket_id in moved) if ticket is not None
    ]
    in_moved_queue = or_(
        *(
            and_(
                Ticket.site_id == ticket.site_id,
                Ticket.business_date == ticket.business_date,
                or_(Ticket.service_id == ticket.service_id, Ticket.target_counter_id == ticket.counter_id)
                if ticket.counter_id is not None
                else Ticket.service_id == ticket.service_id,
            )
            for ticket in queues
        ),
        false(),
    )
    told = exists().where(
        Notification.ticket_id == Subscription.ticket_id,
        Notification.subscription_id == Subscription.id,
        Notification.event == "ticket.near_turn",
    )
    waiting = (
        select(Subscription.id)
        .join(Ticket, Ticket.id == Subscription.ticket_id)
        .where(
            live,
            in_moved_queue,
            Ticket.status.in_(TicketStatus.IN_QUEUE),
            Subscription.near_turn_ahead.is_not(None),
            ~told,
        )
    )
    ids = union_all(select(Subscription.id).where(live, Subscription.ticket_id.in_(called)), waiting)
    subscriptions = session.scalars(select(Subscription).where(Subscription.id.in_(ids.scalar_subquery())))
    for subscription in subscriptions:
        ticket = session.get(Ticket, subscription.ticket_id)
        if ticket is None:
            continue
        if ticket.id in called and ticket.called_at is not None:
            values = _ticket_values(ticket)
            # Called again after a transfer is a new call: the call's instant tells them apart.
            outbox.add(
                subscription,
                "ticket.called",
                f"ticket.called:{ticket.id}:{int(ticket.called_at.timestamp())}",
                values,
            )
        elif ticket.status in TicketStatus.IN_QUEUE and subscription.near_turn_ahead is not None:
            ahead = people_ahead(session, ticket)
            if ahead <= subscription.near_turn_ahead:
                values = {**_ticket_values(ticket), "ahead": str(ahead)}
                outbox.add(subscription, "ticket.near_turn", f"ticket.near_turn:{ticket.id}", values)


def _ticket_values(ticket: Ticket) -> dict[str, str]:
    counter: Counter | None = ticket.counter
    return {
        "number": ticket.number,
        "service": ticket.service.name,
        "counter": str(counter.number) if counter is not None else "",
        "site": ticket.site.name,
        "link": ticket_url(ticket),
    }


def _dossier_changed(outbox: _Outbox, payload: dict) -> None:
    action = payload["action"]
    if action not in DOSSIER_EVENTS and action not in CONSENT_ACTIONS:
        return
    session = outbox.session
    dossier = lifecycle.changed(session, payload["code"])
    if dossier is None:
        return
    if action in CONSENT_ACTIONS:
        _consent(outbox, dossier)
    event_name = DOSSIER_EVENTS.get(action)
    if event_name is None or not dossier.registered:
        return
    subscriptions = session.scalars(
        select(Subscription).where(Subscription.dossier_id == dossier.id, Subscription.opted_out_at.is_(None))
    ).all()
    if not subscriptions:
        return
    changes = [change for change in dossier.events if change.action == action]
    last = max(changes, key=lambda change: change.id or 0) if changes else None
    key = f"{event_name}:{dossier.id}"
    if action in REPEATABLE and last is not None:
        key = f"{key}:{last.id}"
    values = _dossier_values(dossier, last.data if last is not None else {})
    for subscription in subscriptions:
        outbox.add(subscription, event_name, key, values)
    if action == "receive" and dossier.awaiting_payment:  # how to pay, with the receipt's news
        for subscription in subscriptions:
            outbox.add(subscription, PAYMENT_DUE, f"{PAYMENT_DUE}:{dossier.id}", values)


def _dossier_values(dossier: Dossier, data: dict) -> dict[str, str]:
    site: Site = dossier.site
    due = dossier.promised_at
    items = data.get("items") or []
    return {
        "code": dossier.code,
        "procedure": dossier.procedure.name,
        "due": due.astimezone(site.tz).strftime("%H:%M %d/%m/%Y") if due else "",
        "items": "; ".join(items),
        "amount": labels.thousands(dossier.fee),
        "site": site.name,
        "link": dossier_url(dossier),
    }


def _consent(outbox: _Outbox, dossier: Dossier) -> None:
    """Consent given: a subscription per address the applicant gave, on each channel the site
    has on (e-mail for an e-mail address, SMS and Zalo for a mobile number). Withdrawn: every
    subscription of the dossier ends. A purged dossier has no address left to use."""
    session = outbox.session
    if not dossier.contact_consent:
        for subscription in session.scalars(
            select(Subscription).where(
                Subscription.dossier_id == dossier.id, Subscription.opted_out_at.is_(None)
            )
        ):
            opt_out(session, subscription, outbox.now)
        return
    addresses = [(ChannelKind.EMAIL, dossier.applicant_email)]
    addresses += [(channel, dossier.applicant_phone) for channel in ChannelKind.BY_PHONE]
    enabled = outbox.enabled(dossier.site_id)
    for channel, address in addresses:
        if not address or channel not in enabled:
            continue
        try:
            normalise(channel, address)
        except ApiError:  # a landline cannot take a text; a typo reaches no one
            continue
        subscribe(
            session,
            site_id=dossier.site_id,
            channel=channel,
            address=address,
            via=dossier.contact_consent_via or "counter",
            at=outbox.now,
            dossier_id=dossier.id,
        )


def _booking_changed(outbox: _Outbox, payload: dict) -> None:
    session = outbox.session
    booking = session.get(Booking, payload["booking_id"])
    if booking is None:
        return
    action = payload.get("action")
    if action == "booked" and payload.get("consent"):
        enabled = outbox.enabled(booking.site_id)
        for channel in BOOKING_CHANNELS:
            if channel in enabled:
                subscribe(
                    session,
                    site_id=booking.site_id,
                    channel=channel,
                    address=booking.phone,
                    via="booking",
                    at=outbox.now,
                    booking_id=booking.id,
                    language=booking.language,
                )
    subscriptions = session.scalars(
        select(Subscription).where(Subscription.booking_id == booking.id, Subscription.opted_out_at.is_(None))
    ).all()
    values = _booking_values(booking)
    if action == "booked":
        remind_at = booking.starts_at - timedelta(
            minutes=current_app.config["NOTIFY_BOOKING_REMINDER_MINUTES"]
        )
        for subscription in subscriptions:
            outbox.add(subscription, "booking.confirmed", f"booking.confirmed:{booking.id}", values)
            if remind_at > outbox.now:  # a slot sooner than that: the confirmation is the reminder
                outbox.add(
                    subscription, "booking.reminder", f"booking.reminder:{booking.id}", values, due=remind_at
                )
    elif action == "cancelled":
        session.execute(
            update(Notification)
            .where(
                Notification.booking_id == booking.id,
                Notification.event == "booking.reminder",
                Notification.status == NotificationStatus.PENDING,
            )
            .values(status=NotificationStatus.CANCELLED)
        )
        for subscription in subscriptions:
            outbox.add(subscription, "booking.cancelled", f"booking.cancelled:{booking.id}", values)


def _booking_values(booking: Booking) -> dict[str, Any]:
    site: Site = booking.site
    return {
        "service": booking.service.name,
        "when": booking.starts_at.astimezone(site.tz).strftime("%H:%M %d/%m/%Y"),
        "site": site.name,
        "link": public_url(f"/b/{booking.token}"),
    }
