"""The figures of a report, each computed by the database over a period of business dates.

Definitions (one place for each, the API document repeats them):

- *issued*: tickets taken in the period (by business date, the site's local date);
  *served*: finished after being served; *no-show*: called and skipped; *waiting*: taken
  today and still in the queue, *at the counter*: taken today and being called or served
  (both only while the day lasts); *cancelled* (never called): cancelled, or still not
  called when its day ended.
- *waiting time*: from taking the ticket to the (last) call, for tickets that were called
  (served or no-show); a transferred ticket counts from taking it to the call at the new queue.
- *service time*: from the start of service (or the call when it was not started apart) to the
  end, for served tickets.
- *within target*: called tickets whose waiting time was at most the site's target waiting time.
- the 90th percentile is the continuous one (as PostgreSQL's ``percentile_cont``), read from
  buckets 10 seconds wide below half an hour (a minute up to three hours): exact to within
  the bucket (see :mod:`.rollups`).
- *busiest hours*: tickets issued per local weekday (Monday = 0) and hour.
- *pause time*: the part of each counter pause that falls inside the period.
- dossiers: received in the period by channel, by the receiving unit, and handled, by the
  handling centre; finished in the period by outcome (early, on time, late; refused and
  stopped apart); returned by post in the period.
- satisfaction: ratings given in the period; the satisfied share counts "very satisfied" and
  "satisfied" (:data:`SATISFIED`).
- evaluations of dossiers (:func:`evaluations`, the criteria of ``evaluations/criteria.py``):
  those given in the period for dossiers these sites handled or received; per field, per agency
  (the procedure's department) and per officer (who took the dossier in): how many, the average
  total score out of the set's maximum, and how many were judged good, pass, fail; per index,
  its average points (read from each evaluation's indices: one small JSON per dossier).
- per field (lĩnh vực of the procedure, :func:`dossiers_by_field`, the public board's table):
  *received* and *on time* as above; *returned*: results handed back in the period (at a
  counter or delivered by post); *late*: late results of the period, and of those the ones whose
  citizen had the apology with a new date (Mẫu 04); *digitised*: received dossiers with at least
  one scan (a purged scan still counts: it existed); *cashless*: of the fees collected
  (:data:`FEES_COLLECTED`) for dossiers received in the period, those paid without cash
  (``FeePayment.CASHLESS``: transfer, card, online).
- fees (:func:`fees`): collected (:data:`FEES_COLLECTED`: paid, or paid and later refunded)
  where the dossiers were received, in the period they were paid (``fee_paid_at``), with the
  same cashless rule.
- messages to citizens, per channel: those written in the period (an event of the period
  caused them), by where they stand now: *sent* (the channel took it, delivered or not),
  *delivered* (the gateway reported it reached the phone: SMS with delivery reports), *failed*
  (refused for good, or out of attempts).
- bookings, per day of the appointment and service: *booked*, every booking made for that day
  whatever became of it; *checked in*, on time or early (a booked ticket); *late*, came after
  the grace (an ordinary ticket); *no-show*, never came (``booking/checkin.py`` sweeps them
  first); *cancelled*. The *waiting time* of a booked ticket runs from its slot's start (or from
  taking it, if later) to its call: an early citizen waits for the slot by choice; walk-ins'
  is the ticket's waiting time above.

The ticket figures come from daily roll-ups for days that have ended and from the tickets for
the others (:mod:`.rollups`), so a report over years reads thousands of rows; every query
aggregates in the database and only the results travel to Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..booking import checkin
from ..booking.models import Booking, BookingStatus
from ..database import db, utcnow
from ..dossiers.models import Attachment, Dossier, Procedure
from ..dossiers.rules import Delivery, DossierChannel, FeePayment, FeeStatus, Outcome
from ..evaluations.criteria import Verdict
from ..evaluations.models import Evaluation
from ..notify.models import ChannelKind, Notification, NotificationStatus
from ..queueing.models import CounterPause, Ticket, TicketStatus
from ..ratings.models import Rating, RatingLevel
from ..sites.calendar import business_date
from ..sites.models import Counter, Service, Site
from . import rollups
from .rollups import seconds_between


@dataclass(frozen=True)
class Period:
    """Business dates ``first`` to ``last`` (inclusive) at ``sites``, all in one time zone."""

    sites: tuple[Site, ...]
    first: date
    last: date

    @property
    def site_ids(self) -> list[int]:
        return [site.id for site in self.sites]

    @property
    def tz(self) -> ZoneInfo:
        return self.sites[0].tz if self.sites else ZoneInfo("Asia/Ho_Chi_Minh")

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(0), self.tz)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(0), self.tz)

    @property
    def target_seconds(self) -> int:
        # Sites in one report share a target in practice; the strictest one is used otherwise.
        return min((site.target_wait_minutes for site in self.sites), default=15) * 60


def _round(value, digits=1):
    return None if value is None else round(float(value), digits)


def _share(part, whole):
    return _round(part / whole, 4) if whole else None


def _stats(session: Session, period: Period, dimension: str, *group):
    """Summed day-rows of one dimension (roll-ups and live days alike), grouped by ``group``."""
    src = rollups.source(session, period.sites, period.first, period.last)
    columns = [getattr(src.c, name) for name in group]
    rows = session.execute(
        select(
            *columns,
            func.sum(src.c.issued),
            func.sum(src.c.served),
            func.sum(src.c.no_show),
            func.sum(src.c.called),
            func.sum(src.c.within_target),
            func.sum(src.c.wait_sum),
            func.sum(src.c.service_sum),
        )
        .where(src.c.dimension == dimension)
        .group_by(*columns)
    ).all()
    # Sums come back as Decimal from PostgreSQL: counts as int, seconds as float.
    width = len(columns)
    return [
        (
            *row[:width],
            *(int(v or 0) for v in row[width : width + 5]),
            *(float(v or 0) for v in row[width + 5 :]),
        )
        for row in rows
    ]


def _percentiles(session: Session, period: Period) -> dict[str, float | None]:
    src = rollups.histogram_source(session, period.sites, period.first, period.last)
    buckets: dict[str, dict[int, int]] = {"wait": {}, "service": {}}
    for measure, bucket, count in session.execute(
        select(src.c.measure, src.c.bucket, func.sum(src.c.count)).group_by(src.c.measure, src.c.bucket)
    ):
        buckets[measure][bucket] = int(count)
    return {measure: rollups.histogram_percentile(values, 0.9) for measure, values in buckets.items()}


def open_today(session: Session, period: Period) -> tuple[int, int]:
    """Tickets of each site's today (if the period holds it) still waiting, and at a counter:
    their day has not ended, so they are not yet "never called"."""
    today = {site.id: business_date(site, utcnow()) for site in period.sites}
    days = [(site_id, day) for site_id, day in today.items() if period.first <= day <= period.last]
    if not days:
        return 0, 0
    waiting, at_counter = session.execute(
        select(
            func.count().filter(Ticket.status.in_(TicketStatus.IN_QUEUE)),
            func.count().filter(Ticket.status.in_(TicketStatus.AT_COUNTER)),
        ).where(or_(*[and_(Ticket.site_id == site_id, Ticket.business_date == day) for site_id, day in days]))
    ).one()
    return int(waiting or 0), int(at_counter or 0)


def queue_summary(session: Session, period: Period) -> dict:
    (issued, served, no_show, called, within, wait_sum, service_sum), *_ = _stats(session, period, "service")
    p90 = _percentiles(session, period)
    waiting, at_counter = open_today(session, period)
    return {
        "issued": issued,
        "served": served,
        "no_show": no_show,
        "waiting": waiting,
        "at_counter": at_counter,
        "cancelled": issued - called - waiting - at_counter,
        "wait_avg_s": _round(wait_sum / called) if called else None,
        "wait_p90_s": _round(p90["wait"]),
        "service_avg_s": _round(service_sum / served) if served else None,
        "service_p90_s": _round(p90["service"]),
        "within_target": within,
        "within_target_share": _share(within, called),
        "target_wait_s": period.target_seconds,
    }


def by_service(session: Session, period: Period) -> list[dict]:
    names = {
        service.id: service
        for service in session.scalars(select(Service).where(Service.site_id.in_(period.site_ids)))
    }
    result = []
    for key, issued, served, no_show, called, within, wait_sum, _ in _stats(
        session, period, "service", "key"
    ):
        service = names.get(key)
        result.append(
            {
                "service": service.code if service else str(key),
                "name": service.name if service else "",
                "name_en": service.name_en if service else None,
                "issued": int(issued),
                "served": int(served),
                "no_show": int(no_show),
                "wait_avg_s": _round(wait_sum / called) if called else None,
                "within_target_share": _share(within, called),
            }
        )
    return sorted(result, key=lambda row: (-row["issued"], row["service"]))


def heatmap(session: Session, period: Period) -> list[list[int]]:
    """Tickets issued per local weekday (rows, Monday first) and hour (24 columns)."""
    grid = [[0] * 24 for _ in range(7)]
    for day, hour, issued, *_ in _stats(session, period, "hour", "business_date", "key"):
        grid[day.weekday()][int(hour)] += int(issued)
    return grid


def daily(session: Session, period: Period) -> list[dict]:
    rows = _stats(session, period, "service", "business_date")
    return [
        {"date": day.isoformat(), "issued": int(issued), "served": int(served)}
        for day, issued, served, *_ in sorted(rows, key=lambda row: row[0])
    ]


def _pauses(session: Session, period: Period, key) -> dict:
    """Paused seconds (clipped to the period) and per reason, grouped by ``key``."""
    now = datetime.now(period.tz)
    start: ColumnElement[datetime] = func.max(CounterPause.started_at, literal(period.start))
    ended = func.coalesce(CounterPause.ended_at, literal(min(now, period.end)))
    if db.dialect == "postgresql":
        start = func.greatest(CounterPause.started_at, literal(period.start))
        end = func.least(ended, literal(period.end))
    else:
        end = func.min(ended, literal(period.end))
    length = seconds_between(start, end)
    rows = session.execute(
        select(key, CounterPause.reason, func.count(), func.sum(length))
        .where(
            CounterPause.site_id.in_(period.site_ids),
            CounterPause.started_at < period.end,
            or_(CounterPause.ended_at.is_(None), CounterPause.ended_at > period.start),
        )
        .group_by(key, CounterPause.reason)
    ).all()
    result: dict = {}
    for owner, reason, count, seconds in rows:
        entry = result.setdefault(owner, {"pause_s": 0.0, "pauses": 0, "reasons": {}})
        entry["pause_s"] += float(seconds or 0)
        entry["pauses"] += count
        entry["reasons"][reason] = entry["reasons"].get(reason, 0) + round(float(seconds or 0))
    return result


def _productivity(session: Session, period: Period, dimension: str) -> dict:
    """Served, no-shows and service seconds per counter or officer id."""
    return {
        key: (int(served), int(no_show), float(service_sum))
        for key, _, served, no_show, _, _, _, service_sum in _stats(session, period, dimension, "key")
        if key is not None
    }


NO_PAUSE = {"pause_s": 0.0, "pauses": 0, "reasons": {}}


def by_counter(session: Session, period: Period) -> list[dict]:
    pauses = _pauses(session, period, CounterPause.counter_id)
    work = _productivity(session, period, "counter")
    counters = session.scalars(select(Counter).where(Counter.id.in_(set(work) | set(pauses)))).all()
    result = []
    for counter in counters:
        served, no_show, service_sum = work.get(counter.id, (0, 0, 0.0))
        paused = pauses.get(counter.id, NO_PAUSE)
        result.append(
            {
                "counter": counter.number,
                "name": counter.name,
                "served": served,
                "no_show": no_show,
                "service_avg_s": _round(service_sum / served) if served else None,
                "busy_s": _round(service_sum),
                "pause_s": round(paused["pause_s"]),
                "pauses": paused["pauses"],
                "pause_reasons": paused["reasons"],
            }
        )
    return sorted(result, key=lambda row: row["counter"])


def by_officer(session: Session, period: Period) -> list[dict]:
    pauses = _pauses(session, period, CounterPause.officer_id)
    work = _productivity(session, period, "officer")
    ratings = {
        officer: (int(total), int(satisfied))
        for officer, total, satisfied in session.execute(
            select(
                Rating.officer_id,
                func.count(),
                func.count().filter(Rating.level != RatingLevel.NOT_SATISFIED),
            )
            .where(*_ratings(period))
            .group_by(Rating.officer_id)
        )
    }
    users = session.scalars(select(User).where(User.id.in_(set(work) | set(pauses)))).all()
    result = []
    for user in users:
        served, no_show, service_sum = work.get(user.id, (0, 0, 0.0))
        paused = pauses.get(user.id, NO_PAUSE)
        rated, satisfied = ratings.get(user.id, (0, 0))
        result.append(
            {
                "officer": user.username,
                "name": user.full_name or user.username,
                "served": served,
                "no_show": no_show,
                "service_avg_s": _round(service_sum / served) if served else None,
                "busy_s": _round(service_sum),
                "pause_s": round(paused["pause_s"]),
                "pauses": paused["pauses"],
                "pause_reasons": paused["reasons"],
                "ratings": rated,
                "satisfied_share": _share(satisfied, rated),
            }
        )
    return sorted(result, key=lambda row: (-row["served"], row["officer"]))


def _ratings(period: Period) -> list:
    return [
        Rating.site_id.in_(period.site_ids),
        Rating.created_at >= period.start,
        Rating.created_at < period.end,
    ]


def _received(period: Period) -> tuple:
    """Registered dossiers received in the period (the receiving unit is chosen by the caller)."""
    return (Dossier.received_at >= period.start, Dossier.received_at < period.end, Dossier.registered)


def _finished(period: Period) -> tuple:
    return (Dossier.registered, Dossier.finished_at >= period.start, Dossier.finished_at < period.end)


def on_time_share(by_outcome: dict) -> float | None:
    """Results returned early or on time over all results (refused and stopped left out)."""
    resolved = sum(by_outcome.get(outcome, 0) for outcome in Outcome.TIMELINESS)
    return _share(sum(by_outcome.get(outcome, 0) for outcome in Outcome.IN_TIME), resolved)


def dossiers(session: Session, period: Period) -> dict:
    """The period's dossiers, counted both ways (intake regardless of administrative boundary,
    Nghị định 118/2025 Điều 14): received by these one-stop units (whoever handles them; what a
    post office took in is the receiving centre's) by channel, and
    handled by them (wherever received), with how many of those came from elsewhere. Only
    results count as early, on time or late; refused and stopped dossiers are counted apart and
    left out of the on-time share; dossiers turned away at intake (guidance, refusal) were never
    received and are counted apart, where they were turned away."""
    in_period = _received(period)
    received = dict(
        session.execute(
            select(Dossier.channel, func.count())
            .where(Dossier.book_site_id.in_(period.site_ids), *in_period)
            .group_by(Dossier.channel)
        ).all()
    )
    handled = Dossier.site_id.in_(period.site_ids)
    handled_count, from_elsewhere = session.execute(
        select(func.count(), func.count().filter(Dossier.book_site_id.not_in(period.site_ids))).where(
            handled, *in_period
        )
    ).one()
    received_for_others = session.scalar(
        select(func.count()).where(
            Dossier.book_site_id.in_(period.site_ids), Dossier.site_id.not_in(period.site_ids), *in_period
        )
    )
    finished = dict(
        session.execute(
            select(Dossier.outcome, func.count()).where(handled, *_finished(period)).group_by(Dossier.outcome)
        ).all()
    )
    turned_away = session.scalar(
        select(func.count()).where(
            Dossier.intake_site_id.in_(period.site_ids),
            Dossier.registered.is_(False),
            Dossier.received_at >= period.start,
            Dossier.received_at < period.end,
        )
    )
    by_post = session.scalar(
        select(func.count()).where(
            handled,
            Dossier.return_method == Delivery.POST,
            Dossier.returned_at >= period.start,
            Dossier.returned_at < period.end,
        )
    )
    resolved = sum(finished.get(outcome, 0) for outcome in Outcome.TIMELINESS)
    return {
        "received": sum(received.values()),
        "received_by_channel": {channel: received.get(channel, 0) for channel in DossierChannel.ALL},
        "received_for_others": received_for_others,
        "handled": handled_count,
        "handled_from_elsewhere": from_elsewhere,
        "resolved": resolved,
        "resolved_by_outcome": {outcome: finished.get(outcome, 0) for outcome in Outcome.TIMELINESS},
        "refused": finished.get(Outcome.REFUSED, 0),
        "turned_away": turned_away,
        "stopped": finished.get(Outcome.STOPPED, 0),
        "on_time_share": on_time_share(finished),
        "returned_by_post": by_post,
    }


def dossiers_by_field(session: Session, period: Period) -> dict[str | None, dict]:
    """Counts of the period's dossiers per field of their procedure (None: a procedure with no
    field), for the public board; the definitions are the module's. Received, digitised and
    cashless count by the receiving unit, the rest by the handling centre, as :func:`dossiers`."""
    field = Procedure.field
    has_scan = select(Attachment.id).where(Attachment.dossier_id == Dossier.id).exists()
    paid = Dossier.fee_status.in_(FEES_COLLECTED)
    handled = Dossier.site_id.in_(period.site_ids)
    rows: dict[str | None, dict] = {}

    def per_field(*columns):
        return (
            select(field, *columns).select_from(Dossier).join(Procedure, Procedure.id == Dossier.procedure_id)
        )

    def add(key, **counts):
        entry = rows.setdefault(key, dict.fromkeys(BOARD_COUNTS, 0))
        for name, value in counts.items():
            entry[name] += int(value or 0)

    for key, received, digitised, fees_paid, cashless in session.execute(
        per_field(
            func.count(),
            func.count().filter(has_scan),
            func.count().filter(paid),
            func.count().filter(paid, Dossier.fee_payment.in_(FeePayment.CASHLESS)),
        )
        .where(Dossier.book_site_id.in_(period.site_ids), *_received(period))
        .group_by(field)
    ):
        add(key, received=received, digitised=digitised, fees_paid=fees_paid, cashless=cashless)
    for key, outcome, count, apologised in session.execute(
        per_field(Dossier.outcome, func.count(), func.count().filter(Dossier.apology_due_at.is_not(None)))
        .where(handled, *_finished(period))
        .group_by(field, Dossier.outcome)
    ):
        if outcome in Outcome.TIMELINESS:
            add(key, resolved=count)
        if outcome in Outcome.IN_TIME:
            add(key, in_time=count)
        elif outcome == Outcome.LATE:
            add(key, late=count, apologised=apologised)
    for key, returned in session.execute(
        per_field(func.count())
        .where(handled, Dossier.returned_at >= period.start, Dossier.returned_at < period.end)
        .group_by(field)
    ):
        add(key, returned=returned)
    return rows


# What :func:`dossiers_by_field` counts for each field; ``resolved``: results (``Outcome.TIMELINESS``),
# of which ``in_time`` and ``late``.
BOARD_COUNTS = (
    "received",
    "returned",
    "resolved",
    "in_time",
    "late",
    "apologised",
    "digitised",
    "fees_paid",
    "cashless",
)


def satisfaction(session: Session, period: Period) -> dict:
    rows = dict(
        session.execute(
            select(Rating.level, func.count()).where(*_ratings(period)).group_by(Rating.level)
        ).all()
    )
    total = sum(rows.values())
    satisfied = sum(rows.get(level, 0) for level in SATISFIED)
    return {
        "ratings": total,
        "by_level": {level: rows.get(level, 0) for level in RatingLevel.ALL},
        "satisfied_share": _share(satisfied, total),
    }


# The levels a satisfied citizen gives.
SATISFIED = (RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED)
# A fee that was collected: paid, or paid and then refunded (the refund is counted apart).
FEES_COLLECTED = (FeeStatus.PAID, FeeStatus.REFUNDED)


def messages(session: Session, period: Period) -> list[dict]:
    """Messages to citizens per channel (every channel, zeros included), read through the
    outbox's site and period index (``ix_notifications_site_created``)."""
    status = Notification.status
    rows = {
        channel: (sent, delivered, failed)
        for channel, sent, delivered, failed in session.execute(
            select(
                Notification.channel,
                func.count().filter(status.in_((NotificationStatus.SENT, NotificationStatus.DELIVERED))),
                func.count().filter(status == NotificationStatus.DELIVERED),
                func.count().filter(status == NotificationStatus.FAILED),
            )
            .where(
                Notification.site_id.in_(period.site_ids),
                Notification.created_at >= period.start,
                Notification.created_at < period.end,
            )
            .group_by(Notification.channel)
        ).all()
    }
    return [
        dict(
            zip(
                ("channel", "sent", "delivered", "failed"),
                (channel, *rows.get(channel, (0, 0, 0))),
                strict=True,
            )
        )
        for channel in ChannelKind.ALL
    ]


def bookings(session: Session, period: Period) -> dict:
    """The bookings of the period (see the module's definitions), after marking the no-shows."""
    for site in period.sites:
        checkin.sweep(session, site)
    arrived = Booking.ticket_id.is_not(None)
    counted = {
        "booked": func.count(),
        "checked_in": func.count().filter(Booking.status == BookingStatus.CHECKED_IN),
        "late": func.count().filter(Booking.status == BookingStatus.NO_SHOW, arrived),
        "no_show": func.count().filter(Booking.status == BookingStatus.NO_SHOW, ~arrived),
        "cancelled": func.count().filter(Booking.status == BookingStatus.CANCELLED),
    }
    rows = session.execute(
        select(Booking.day, Service.code, Service.name, Service.name_en, *counted.values())
        .join(Service, Service.id == Booking.service_id)
        .where(Booking.site_id.in_(period.site_ids), Booking.day.between(period.first, period.last))
        .group_by(Booking.day, Service.code, Service.name, Service.name_en)
        .order_by(Booking.day, Service.code)
    ).all()
    by_day = [
        {
            "date": day.isoformat(),
            "service": code,
            "service_name": name,
            "service_name_en": name_en,
            **dict(zip(counted, counts, strict=True)),
        }
        for day, code, name, name_en, *counts in rows
    ]
    slot_or_taken = case(
        (Ticket.appointment_at > Ticket.issued_at, Ticket.appointment_at), else_=Ticket.issued_at
    )
    waits: dict[bool, float | None] = dict(
        session.execute(
            select(
                Ticket.appointment_at.is_not(None), func.avg(seconds_between(slot_or_taken, Ticket.called_at))
            )
            .where(
                Ticket.site_id.in_(period.site_ids),
                Ticket.business_date.between(period.first, period.last),
                Ticket.called_at.is_not(None),
            )
            .group_by(Ticket.appointment_at.is_not(None))
        ).all()
    )
    return {
        "totals": {name: sum(row[name] for row in by_day) for name in counted},
        "by_day": by_day,
        "booked_wait_avg_s": _round(waits.get(True)),
        "walk_in_wait_avg_s": _round(waits.get(False)),
    }


def fees(session: Session, period: Period) -> dict:
    """The fees these one-stop units collected in the period (dossiers/fees.py: a fee is
    collected where the dossier was received, when it was paid), by day, method and procedure;
    what of it was refunded; what is still due on the dossiers they received in the period; and
    the cashless share: fees paid by transfer, card or online over all fees paid, by count (Quyết
    định 766/QĐ-TTg counts cashless payment among a centre's indices [summary])."""
    rows = session.execute(
        select(
            Dossier.fee_paid_at,
            Dossier.fee,
            Dossier.fee_payment,
            Dossier.fee_status,
            Procedure.code,
            Procedure.name,
        )
        .join(Procedure, Procedure.id == Dossier.procedure_id)
        .where(
            Dossier.book_site_id.in_(period.site_ids),
            Dossier.fee_status.in_(FEES_COLLECTED),
            Dossier.fee_paid_at >= period.start,
            Dossier.fee_paid_at < period.end,
        )
    ).all()
    methods = FeePayment.METHODS
    days: dict[str, dict] = {}
    procedures: dict[str, dict] = {}
    refunded = cashless = 0
    for paid_at, amount, method, status, code, name in rows:
        assert paid_at is not None  # the query's bound
        day = days.setdefault(
            paid_at.astimezone(period.tz).date().isoformat(),
            {"payments": 0, "collected": 0, **dict.fromkeys(methods, 0)},
        )
        line = procedures.setdefault(
            code, {"procedure": code, "procedure_name": name, "payments": 0, "collected": 0}
        )
        for bucket in (day, line):
            bucket["payments"] += 1
            bucket["collected"] += amount
        if method in methods:
            day[method] += amount
        refunded += amount if status == FeeStatus.REFUNDED else 0
        cashless += method in FeePayment.CASHLESS
    due_count, due_amount = session.execute(
        select(func.count(), func.coalesce(func.sum(Dossier.fee), 0)).where(
            Dossier.book_site_id.in_(period.site_ids),
            Dossier.registered,
            Dossier.fee_status == FeeStatus.UNPAID,
            Dossier.received_at >= period.start,
            Dossier.received_at < period.end,
        )
    ).one()
    return {
        "totals": {
            "payments": len(rows),
            "collected": sum(day["collected"] for day in days.values()),
            "refunded": refunded,
            "due_count": int(due_count),
            "due": int(due_amount),
            "cashless_share": _share(cashless, len(rows)),
        },
        # A list, in the ways' order (a JSON object's keys would come back sorted).
        "by_method": [
            {"method": method, "collected": sum(day[method] for day in days.values())} for method in methods
        ],
        "by_day": [{"date": day, **figures} for day, figures in sorted(days.items())],
        "by_procedure": sorted(procedures.values(), key=lambda line: (-line["collected"], line["procedure"])),
    }


def _evaluated(period: Period) -> tuple:
    return (
        or_(Evaluation.site_id.in_(period.site_ids), Evaluation.receiving_site_id.in_(period.site_ids)),
        Evaluation.created_at >= period.start,
        Evaluation.created_at < period.end,
    )


def _scored(session: Session, period: Period, *group) -> list:
    """Per ``group``: evaluations, their average score, and the good, pass and fail verdicts."""
    return list(
        session.execute(
            select(
                *group,
                func.count(),
                func.avg(Evaluation.score),
                *(func.count().filter(Evaluation.verdict == verdict) for verdict in Verdict.ALL),
            )
            .where(*_evaluated(period))
            .group_by(*group)
            .order_by(*group)
        )
    )


def _scores(count, average, *verdicts) -> dict:
    return {
        "evaluations": int(count),
        "score_avg": _round(average, 2),
        **{verdict: int(n) for verdict, n in zip(Verdict.ALL, verdicts, strict=True)},
    }


def evaluations(session: Session, period: Period) -> dict:
    """The citizens' evaluations of dossiers with the regulation's scoring (definitions above)."""
    (totals,) = _scored(session, period)
    maximum = session.scalar(select(func.max(Evaluation.max_score)).where(*_evaluated(period)))
    points: dict[tuple[int, str], list[int]] = {}
    for (indices,) in session.execute(select(Evaluation.indices).where(*_evaluated(period))):
        for index in indices:
            points.setdefault((index["number"], index["code"]), []).append(index["points"])
    users = {
        user.id: user
        for user in session.scalars(
            select(User).where(User.id.in_(select(Evaluation.officer_id).where(*_evaluated(period))))
        )
    }
    by_officer = []
    for officer_id, *figures in _scored(session, period, Evaluation.officer_id):
        user = users.get(officer_id)
        officer: dict[str, str | None] = {"officer": None, "name": None}
        if user is not None:
            officer = {"officer": user.username, "name": user.full_name or user.username}
        by_officer.append({**officer, **_scores(*figures)})
    return {
        "totals": {**_scores(*totals), "max_score": maximum},
        "by_index": [
            {"number": number, "code": code, "points_avg": _round(sum(values) / len(values), 2)}
            for (number, code), values in sorted(points.items())
        ],
        "by_field": [
            {"field": field, **_scores(*figures)}
            for field, *figures in _scored(session, period, Evaluation.field)
        ],
        "by_agency": [
            {"agency": agency, **_scores(*figures)}
            for agency, *figures in _scored(session, period, Evaluation.agency)
        ],
        "by_officer": by_officer,
    }


def report(session: Session, period: Period) -> dict:
    return {
        "sites": [site.code for site in period.sites],
        "from": period.first.isoformat(),
        "to": period.last.isoformat(),
        "queue": queue_summary(session, period),
        "services": by_service(session, period),
        "daily": daily(session, period),
        "heatmap": heatmap(session, period),
        "counters": by_counter(session, period),
        "officers": by_officer(session, period),
        "dossiers": dossiers(session, period),
        "satisfaction": satisfaction(session, period),
        "evaluations": evaluations(session, period),
        "messages": messages(session, period),
        "bookings": bookings(session, period),
        "fees": fees(session, period),
    }
