"""``/api/v1/reports/live/<site>``: the queue now, for the supervisor's live dashboard.

The live snapshot (:mod:`queue_server.queueing.snapshot`) tells what every screen needs: waiting
counts, expected waits, counters and their current tickets. A supervisor also wants what the
public screens do not show: how long the longest-waiting citizen of each service has waited
(the snapshot lists only the head of the queue), what each service and counter has served today,
and since when a paused counter has been paused. This adds those to the snapshot, with one
grouped query over today's tickets.
"""

from __future__ import annotations

from datetime import date, datetime

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..auth.access import Action, require
from ..database import db, utcnow
from ..queueing.models import CounterPause, Ticket, TicketStatus
from ..queueing.snapshot import active_services, site_snapshot
from ..sites.lookups import get_site
from ..sites.models import Site
from ..timefmt import iso

blp = Blueprint("reports_live", __name__, url_prefix="/api/v1", description="Reports")


class LiveQueueSchema(Schema):
    seq = fields.Integer(required=True, metadata={"description": "The site's event sequence"})
    site = fields.Dict(required=True)
    business_date = fields.String(required=True)
    generated_at = fields.String(required=True)
    target_wait_s = fields.Integer(required=True)
    issued = fields.Integer(required=True, metadata={"description": "Tickets taken today"})
    served = fields.Integer(required=True)
    no_show = fields.Integer(required=True)
    waiting_total = fields.Integer(required=True)
    services = fields.List(
        fields.Dict(),
        required=True,
        metadata={
            "description": "The snapshot's services with oldest_issued_at, longest_wait_s (of those"
            " waiting now) and served (today)"
        },
    )
    counters = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "The snapshot's counters with paused_since and served (today)"},
    )


def queue_now(session: Session, site: Site, now: datetime) -> dict:
    """The live snapshot of ``site`` without its waiting list, with today's served figures, the
    longest current wait per service and when each paused counter paused."""
    snapshot = site_snapshot(session, site, now)
    day = date.fromisoformat(snapshot["business_date"])
    codes = {service.id: service.code for service in active_services(session, site)}
    issued = no_show = 0
    served_by_service: dict[str | None, int] = {}  # None: a service no longer offered
    served_by_counter: dict[int | None, int] = {}
    oldest: dict[str, datetime] = {}
    for service_id, counter_id, status, count, first_issued in session.execute(
        select(Ticket.service_id, Ticket.counter_id, Ticket.status, func.count(), func.min(Ticket.issued_at))
        .where(Ticket.site_id == site.id, Ticket.business_date == day)
        .group_by(Ticket.service_id, Ticket.counter_id, Ticket.status)
    ):
        issued += count
        code = codes.get(service_id)
        if status == TicketStatus.DONE:
            served_by_service[code] = served_by_service.get(code, 0) + count
            served_by_counter[counter_id] = served_by_counter.get(counter_id, 0) + count
        elif status == TicketStatus.NO_SHOW:
            no_show += count
        elif status in TicketStatus.IN_QUEUE and code is not None:
            oldest[code] = min(first_issued, oldest.get(code, first_issued))
    # Pauses still open (a counter closed or resumed has ended its pause).
    paused_since = dict(
        session.execute(
            select(CounterPause.counter_id, func.max(CounterPause.started_at))
            .where(CounterPause.site_id == site.id, CounterPause.ended_at.is_(None))
            .group_by(CounterPause.counter_id)
        ).all()
    )
    return {
        "seq": snapshot["seq"],
        "site": snapshot["site"],
        "business_date": snapshot["business_date"],
        "generated_at": iso(now),
        "target_wait_s": site.target_wait_minutes * 60,
        "issued": issued,
        "served": sum(served_by_service.values()),
        "no_show": no_show,
        "waiting_total": snapshot["waiting_total"],
        "services": [
            {
                **service,
                "oldest_issued_at": iso(oldest.get(service["code"])),
                "longest_wait_s": round((now - oldest[service["code"]]).total_seconds())
                if service["code"] in oldest
                else None,
                "served": served_by_service.get(service["code"], 0),
            }
            for service in snapshot["services"]
        ],
        "counters": [
            {
                **counter,
                "paused_since": iso(paused_since.get(counter["id"])),
                "served": served_by_counter.get(counter["id"], 0),
            }
            for counter in snapshot["counters"]
        ],
    }


@blp.route("/reports/live/<site_code>", methods=["GET"])
@blp.response(200, LiveQueueSchema)
def get_queue_now(site_code):
    """The queue now, for supervisors of the site: waiting and longest current wait per service,
    counters open, paused (with reason and since when) or closed, served today."""
    site = get_site(db.session, site_code)
    require(Action.SUPERVISE, site.id)
    return queue_now(db.session, site, utcnow())
