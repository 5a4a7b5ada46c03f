"""Live updates over Socket.IO.

Screens join the room of a site (``site:<code>``); logged-in staff of the site also join its
staff room (``staff:<code>``). A page running on a device may give its device token to also
join the device's private room (``device:<id>``, e.g. for what its serial scanner reads), and a
device bound to a counter its counter's (``at-counter:<id>``, e.g. a fee to pay shown on its
rating tablet). On
connecting they receive a ``snapshot`` carrying the site's event sequence. Every later change
arrives as a delta with the next sequence number. A client that sees a gap emits ``resync``
and receives a fresh snapshot. The deltas one transaction made arrive together as ``deltas``
(their list, in order) when there are several, e.g. a call next's ticket finished and ticket
called. Waiting counts arrive separately as ``queue.stats`` (see :mod:`.stats`).

A ticket issued has no sequence number and goes to staff only, as a notice (see
:data:`~queue_server.queueing.journal.SEQUENCED_KINDS`), a few at a time (:mod:`.notices`). A
phone following its ticket joins that ticket's room only (``ticket:<id>``, see :mod:`.standing`).

Deltas are sent only after the change has committed (:mod:`queue_server.events`). With
``SOCKETIO_MESSAGE_QUEUE`` set, ``socketio.emit`` goes through Redis and reaches the clients of
every worker process. Events published while Redis is down are lost to the other processes;
when it comes back each process sends its screens a fresh snapshot (:mod:`.queue`). Each
process writes an event's frame once for all its WebSockets in the room (:mod:`.fanout`).
"""

from __future__ import annotations

import logging

from flask import request
from flask_login import current_user
from flask_socketio import emit, join_room
from sqlalchemy import select

from ..auth.access import may_watch_as_staff
from ..auth.services import device_for_token
from ..database import db, utcnow
from ..events import committed_together
from ..extensions import socketio
from ..inputs import row_id, storable
from ..queueing.journal import SEQUENCED_KINDS
from ..queueing.models import Ticket
from ..queueing.snapshot import site_snapshot
from ..sites.models import Counter, Site
from . import collector, fanout, queue, standing, stats
from .notices import Notice, notices
from .queue import ResyncingRedisManager
from .standing import ticket_room

log = logging.getLogger(__name__)

# Deltas forwarded live: those of SEQUENCED_KINDS to the site's room (and the ticket's), the rest
# (a ticket issued) to the staff room.
LIVE_EVENTS = ("ticket.issued", *sorted(SEQUENCED_KINDS))

# Dossier events (codes and states, no personal data) for the staff of the dossier's centre.
STAFF_EVENTS = ("dossier.changed", "dossier.due_soon")
# For the devices bound to one counter (its rating tablet): a fee to pay by transfer shown to
# the citizen there, and its end (dossiers/fees.py show_at_counter); a dossier's evaluation asked
# there (evaluations/operations.py ask_at_counter).
COUNTER_EVENTS = ("payment.requested", "payment.settled", "evaluation.requested")
# The longest site code, ticket key or device token a client may give.
MAX_KEY = 200


def site_room(code: str) -> str:
    return f"site:{code}"


def staff_room(code: str) -> str:
    """Logged-in staff of a site: dossier events, which public screens must not receive."""
    return f"staff:{code}"


def _forward(_sender, events: list[tuple[str, dict]]) -> None:
    """Send what one transaction changed to the rooms that may see it.

    The site's sequenced deltas of one transaction go out as one message: the delta itself
    when there is one, else ``deltas``, their list in sequence order. A call next (the ticket
    finished, the next one called) is then one frame to each of the site's screens instead of
    two; with a hundred screens those frames are most of what a call costs the server.
    """
    with queue.together(socketio.server.manager):  # one message to Redis for them all
        _send(events)
    for name, payload in events:
        if name in LIVE_EVENTS:
            stats.publisher.mark(payload["site"], _services_touched(payload), payload["seq"] or 0)


def _send(events: list[tuple[str, dict]]) -> None:
    """Emit each event to its rooms (:func:`_forward`: gathered into one message to Redis)."""
    together: dict[str, list[dict]] = {}
    for name, payload in events:
        if name in STAFF_EVENTS:
            _emit_safely(name, payload, staff_room(payload["site"]))
        elif name in COUNTER_EVENTS:
            _emit_safely(name, payload, at_counter_room(payload["counter_id"]))
        elif name == "device.changed":  # a printer's state, for supervisors' screens (no sequence)
            _emit_safely(name, payload, site_room(payload["site"]))
        elif name in SEQUENCED_KINDS:
            together.setdefault(payload["site"], []).append(payload)
        elif name in LIVE_EVENTS:  # a ticket issued: a notice for staff, gathered
            notices.add(name, payload)
    for site, deltas in together.items():
        if len(deltas) == 1:
            _emit_safely(deltas[0]["type"], deltas[0], site_room(site))
        else:
            _emit_safely("deltas", deltas, site_room(site))
    for name, payload in events:
        if name in SEQUENCED_KINDS and "ticket" in payload:  # the phone following the ticket
            _emit_safely(name, payload, ticket_room(payload["ticket"]["id"]))


def _tell_staff(gathered: list[Notice]) -> None:
    """Send staff the notices of tickets issued (:mod:`.notices`)."""
    for name, payload in gathered:
        _emit_safely(name, payload, staff_room(payload["site"]))


def _emit_safely(name: str, payload, room: str) -> None:
    try:
        socketio.emit(name, payload, to=room)
    except Exception:  # the message queue may be down
        log.exception("could not publish %s", name)


def _services_touched(payload: dict) -> set[str] | None:
    """Service codes whose figures the change may move; None for all (a counter changed)."""
    if "ticket" not in payload:
        return stats.ALL_SERVICES
    codes = {payload["ticket"]["service"]}
    moved_from = payload.get("from") or {}
    if moved_from.get("service"):
        codes.add(moved_from["service"])
    return codes


def _send_snapshot(site: Site) -> None:
    session = db.session()
    try:
        snapshot = site_snapshot(session, site, utcnow())
    finally:
        session.rollback()
    emit("snapshot", snapshot)


def _follow_ticket(key: str) -> None:
    """A phone following the ticket whose unguessable key it was given: its room only."""
    ticket = db.session.scalar(select(Ticket).where(Ticket.public_token == key))
    if ticket is None:
        raise ConnectionRefusedError({"code": "unknown_ticket", "message": "Unknown ticket."})
    try:
        state = standing.publisher.follow(db.session, ticket)
    finally:
        db.session.rollback()
    join_room(ticket_room(ticket.id))
    emit("ticket.state", state)


def _requested(auth, key, *, from_address: bool = True) -> str | None:
    """What the client gave for ``key`` in its auth (else in the address), as text a query can
    compare: "" if it is too long or holds what the database refuses (see ``inputs.storable``)."""
    value = auth.get(key) if isinstance(auth, dict) else None
    if value is None and from_address:
        value = request.args.get(key)
    if value is None:
        return None
    value = str(value)
    return value if len(value) <= MAX_KEY and storable(value) else ""


def device_room(device_id: int) -> str:
    return f"device:{device_id}"


def at_counter_room(counter_id: int) -> str:
    """The devices bound to one counter (:data:`~queue_server.auth.models.DeviceKind.AT_COUNTER`)."""
    return f"at-counter:{counter_id}"


def send_to_device(device_id: int, name: str, payload: dict) -> None:
    """A message for the pages of one device only (e.g. what its serial scanner read)."""
    _emit_safely(name, payload, device_room(device_id))


def on_connect(auth=None):
    collector.freezer.watch()
    followed = _requested(auth, "ticket")
    if followed is not None:
        _follow_ticket(followed)
        return
    token = _requested(auth, "token", from_address=False)
    if token is not None:
        device = device_for_token(db.session, token) if token else None
        if device is None:
            raise ConnectionRefusedError({"code": "invalid_token", "message": "Unknown or revoked token."})
        join_room(device_room(device.id))
        if device.counter_id is not None:
            join_room(at_counter_room(device.counter_id))
        db.session.commit()  # records the device's contact
    code = _requested(auth, "site")
    site = db.session.scalar(select(Site).where(Site.code == code)) if code else None
    if site is None:
        raise ConnectionRefusedError({"code": "unknown_site", "message": "Unknown site."})
    counter_id = _requested(auth, "counter")
    if counter_id is not None:  # a counter's screen or pad: it filters the site's events itself
        counter_id = row_id(counter_id)
        counter = db.session.get(Counter, counter_id) if counter_id else None
        if counter is None or counter.site_id != site.id:
            raise ConnectionRefusedError({"code": "unknown_counter", "message": "Unknown counter."})
    join_room(site_room(site.code))
    if may_watch_as_staff(current_user, site.id):
        join_room(staff_room(site.code))
    _send_snapshot(site)


def resync_local_screens(app) -> None:
    """Send every site room of this process a fresh snapshot (ignoring the message queue).

    Called when the message queue comes back after a failure: the events other processes
    published meanwhile never arrived here. Phones get their ticket's whole state again.
    """
    rooms = socketio.server.manager.rooms.get("/", {})
    codes = sorted(
        room[len("site:") :] for room in list(rooms) if isinstance(room, str) and room.startswith("site:")
    )
    with app.app_context():
        for code in codes:
            try:
                site = db.session.scalar(select(Site).where(Site.code == code))
                snapshot = site_snapshot(db.session(), site, utcnow()) if site is not None else None
            except Exception:  # the database may be down too; the next delta's gap resyncs
                log.exception("could not resync the screens of %s", code)
                continue
            finally:
                db.session.rollback()
            if snapshot is not None:
                socketio.emit("snapshot", snapshot, to=site_room(code), ignore_queue=True)
    try:
        standing.publisher.publish(everything=True)
    except Exception:
        log.exception("could not resend the phones their tickets")


def on_resync(data=None):
    code = _requested(data, "site", from_address=False)
    site = db.session.scalar(select(Site).where(Site.code == code)) if code else None
    if site is None:
        emit("error", {"code": "unknown_site", "message": "Unknown site."})
        return
    _send_snapshot(site)


def init_app(app) -> None:
    socketio.on_event("connect", on_connect)
    socketio.on_event("resync", on_resync)
    fanout.install(socketio.server.eio)
    stats.publisher.init_app(app, socketio)
    notices.init_app(app, socketio, _tell_staff)
    collector.freezer.init_app(app, socketio)
    standing.publisher.init_app(app, socketio)
    if isinstance(socketio.server.manager, ResyncingRedisManager):
        socketio.server.manager.on_reconnect = lambda: resync_local_screens(app)
    committed_together.connect(_forward, weak=False)
    if app.config.get("DOSSIER_WATCH_SECONDS", 0) > 0 and not app.testing:
        from ..dossiers.watch import start_on_first_request

        start_on_first_request(app, socketio)
