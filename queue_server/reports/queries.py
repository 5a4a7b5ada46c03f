"""The figures of a report, each computed by the database over a period of business dates.

Definitions (one place for each, the API document repeats them):

- *issued*: tickets taken in the period (by business date, the site's local date);
  *served*: finished after being served; *no-show*: called and skipped; *cancelled*:
  cancelled or never called by the end of the day.
- *waiting time*: from taking the ticket to the (last) call, for tickets that were called
  (served or no-show); a transferred ticket counts from taking it to the call at the new queue.
- *service time*: from the start of service (or the call when it was not started apart) to the
  end, for served tickets.
- *within target*: called tickets whose waiting time was at most the site's target waiting time.
- the 90th percentile is the continuous one (interpolated, as PostgreSQL's ``percentile_cont``).
- *busiest hours*: tickets issued per local weekday (Monday = 0) and hour.
- *pause time*: the part of each counter pause that falls inside the period.
- dossiers: received in the period by channel; finished in the period by outcome (early, on
  time, late); returned by post in the period.
- satisfaction: ratings of tickets issued in the period; the satisfied share counts
  "very satisfied" and "satisfied".

Every query filters on indexed columns (site, business date / instant) and aggregates in the
database; only the results travel to Python.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Integer, cast, func, literal, or_, select
from sqlalchemy.orm import Session

from ..auth.models import User
from ..database import db
from ..dossiers.models import Delivery, Dossier
from ..queueing.models import CounterPause, Ticket, TicketStatus
from ..ratings.models import Rating, RatingLevel
from ..sites.models import Counter, Service, Site

CALLED = (TicketStatus.DONE, TicketStatus.NO_SHOW)


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


def seconds_between(start, end):
    """``end - start`` in seconds, as a SQL expression of this database."""
    if db.dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _local(column, period: Period):
    """A UTC timestamp column as the sites' local wall time (SQL)."""
    if db.dialect == "postgresql":
        return func.timezone(period.tz.key, func.timezone("UTC", column))
    offset = period.tz.utcoffset(datetime.combine(period.first, time(12))).total_seconds()
    return func.datetime(column, f"{int(offset):+d} seconds")


def _hour(column, period: Period):
    local = _local(column, period)
    if db.dialect == "postgresql":
        return func.extract("hour", local)
    return cast(func.strftime("%H", local), Integer)


def percentile(session: Session, value, where, fraction: float = 0.9) -> float | None:
    """The continuous percentile of ``value`` over the rows matching ``where``."""
    if db.dialect == "postgresql":
        return session.scalar(select(func.percentile_cont(fraction).within_group(value)).where(*where))
    values = sorted(v for (v,) in session.execute(select(value).where(*where)) if v is not None)
    return continuous_percentile(values, fraction)


def continuous_percentile(values: list[float], fraction: float) -> float | None:
    if not values:
        return None
    rank = fraction * (len(values) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return values[low] + (values[high] - values[low]) * (rank - low)


def _tickets(period: Period) -> list:
    return [Ticket.site_id.in_(period.site_ids), Ticket.business_date.between(period.first, period.last)]


def _round(value, digits=1):
    return None if value is None else round(float(value), digits)


def queue_summary(session: Session, period: Period) -> dict:
    where = _tickets(period)
    wait = seconds_between(Ticket.issued_at, Ticket.called_at)
    service = seconds_between(func.coalesce(Ticket.started_at, Ticket.called_at), Ticket.finished_at)
    called = Ticket.status.in_(CALLED)
    served = Ticket.status == TicketStatus.DONE
    row = session.execute(
        select(
            func.count(),
            func.count().filter(served),
            func.count().filter(Ticket.status == TicketStatus.NO_SHOW),
            func.count().filter(Ticket.status.not_in(CALLED)),
            func.avg(wait).filter(called),
            func.avg(service).filter(served),
            func.count().filter(called, wait <= period.target_seconds),
            func.count().filter(called),
        ).where(*where)
    ).one()
    issued, served_n, no_show, unserved, wait_avg, service_avg, within, called_n = row
    return {
        "issued": issued,
        "served": served_n,
        "no_show": no_show,
        "cancelled": unserved,
        "wait_avg_s": _round(wait_avg),
        "wait_p90_s": _round(percentile(session, wait, [*where, called])),
        "service_avg_s": _round(service_avg),
        "service_p90_s": _round(percentile(session, service, [*where, served])),
        "within_target": within,
        "within_target_share": _round(within / called_n, 4) if called_n else None,
        "target_wait_s": period.target_seconds,
    }


def by_service(session: Session, period: Period) -> list[dict]:
    where = _tickets(period)
    wait = seconds_between(Ticket.issued_at, Ticket.called_at)
    called = Ticket.status.in_(CALLED)
    rows = session.execute(
        select(
            Service.code,
            Service.name,
            func.count(),
            func.count().filter(Ticket.status == TicketStatus.DONE),
            func.count().filter(Ticket.status == TicketStatus.NO_SHOW),
            func.avg(wait).filter(called),
            func.count().filter(called, wait <= period.target_seconds),
            func.count().filter(called),
        )
        .join(Service, Service.id == Ticket.issued_service_id)
        .where(*where)
        .group_by(Service.code, Service.name)
        .order_by(func.count().desc())
    ).all()
    return [
        {
            "service": code,
            "name": name,
            "issued": issued,
            "served": served,
            "no_show": no_show,
            "wait_avg_s": _round(wait_avg),
            "within_target_share": _round(within / called_n, 4) if called_n else None,
        }
        for code, name, issued, served, no_show, wait_avg, within, called_n in rows
    ]


def heatmap(session: Session, period: Period) -> list[list[int]]:
    """Tickets issued per local weekday (rows, Monday first) and hour (24 columns)."""
    grid = [[0] * 24 for _ in range(7)]
    hour = _hour(Ticket.issued_at, period)
    rows = session.execute(
        select(Ticket.business_date, hour, func.count())
        .where(*_tickets(period))
        .group_by(Ticket.business_date, hour)
    ).all()
    for day, hour_value, count in rows:
        grid[day.weekday()][int(hour_value)] += count
    return grid


def daily(session: Session, period: Period) -> list[dict]:
    rows = session.execute(
        select(
            Ticket.business_date,
            func.count(),
            func.count().filter(Ticket.status == TicketStatus.DONE),
        )
        .where(*_tickets(period))
        .group_by(Ticket.business_date)
        .order_by(Ticket.business_date)
    ).all()
    return [{"date": day.isoformat(), "issued": issued, "served": served} for day, issued, served in rows]


def _pauses(session: Session, period: Period, key) -> dict:
    """Paused seconds (clipped to the period) and per reason, grouped by ``key``."""
    now = datetime.now(period.tz)
    start = func.max(CounterPause.started_at, literal(period.start))
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


def _productivity(session: Session, period: Period, key, label_columns, join) -> list:
    where = _tickets(period)
    service = seconds_between(func.coalesce(Ticket.started_at, Ticket.called_at), Ticket.finished_at)
    served = Ticket.status == TicketStatus.DONE
    statement = (
        select(
            key,
            *label_columns,
            func.count().filter(served),
            func.count().filter(Ticket.status == TicketStatus.NO_SHOW),
            func.avg(service).filter(served),
            func.sum(service).filter(served),
        )
        .join(*join)
        .where(*where, Ticket.status.in_(CALLED))
        .group_by(key, *label_columns)
    )
    return session.execute(statement).all()


def by_counter(session: Session, period: Period) -> list[dict]:
    pauses = _pauses(session, period, CounterPause.counter_id)
    rows = _productivity(
        session,
        period,
        Counter.id,
        [Counter.number, Counter.name],
        (Counter, Counter.id == Ticket.counter_id),
    )
    result = []
    for counter_id, number, name, served, no_show, service_avg, service_sum in sorted(
        rows, key=lambda r: r[1]
    ):
        paused = pauses.pop(counter_id, {"pause_s": 0.0, "pauses": 0, "reasons": {}})
        result.append(
            {
                "counter": number,
                "name": name,
                "served": served,
                "no_show": no_show,
                "service_avg_s": _round(service_avg),
                "busy_s": _round(service_sum),
                "pause_s": round(paused["pause_s"]),
                "pauses": paused["pauses"],
                "pause_reasons": paused["reasons"],
            }
        )
    for counter_id, paused in pauses.items():  # paused, but served nobody
        counter = session.get(Counter, counter_id)
        result.append(
            {
                "counter": counter.number,
                "name": counter.name,
                "served": 0,
                "no_show": 0,
                "service_avg_s": None,
                "busy_s": None,
                "pause_s": round(paused["pause_s"]),
                "pauses": paused["pauses"],
                "pause_reasons": paused["reasons"],
            }
        )
    return sorted(result, key=lambda r: r["counter"])


def by_officer(session: Session, period: Period) -> list[dict]:
    pauses = _pauses(session, period, CounterPause.officer_id)
    ratings = {
        officer: (total, satisfied)
        for officer, total, satisfied in session.execute(
            select(
                Rating.officer_id,
                func.count(),
                func.count().filter(Rating.level != RatingLevel.NOT_SATISFIED),
            )
            .join(Ticket, Ticket.id == Rating.ticket_id)
            .where(*_tickets(period))
            .group_by(Rating.officer_id)
        )
    }
    rows = _productivity(
        session, period, User.id, [User.username, User.full_name], (User, User.id == Ticket.officer_id)
    )
    result = []
    for officer_id, username, full_name, served, no_show, service_avg, service_sum in rows:
        paused = pauses.get(officer_id, {"pause_s": 0.0, "pauses": 0, "reasons": {}})
        rated, satisfied = ratings.get(officer_id, (0, 0))
        result.append(
            {
                "officer": username,
                "name": full_name or username,
                "served": served,
                "no_show": no_show,
                "service_avg_s": _round(service_avg),
                "busy_s": _round(service_sum),
                "pause_s": round(paused["pause_s"]),
                "pauses": paused["pauses"],
                "pause_reasons": paused["reasons"],
                "ratings": rated,
                "satisfied_share": _round(satisfied / rated, 4) if rated else None,
            }
        )
    return sorted(result, key=lambda r: (-r["served"], r["officer"]))


def dossiers(session: Session, period: Period) -> dict:
    sites = Dossier.site_id.in_(period.site_ids)
    received = dict(
        session.execute(
            select(Dossier.channel, func.count())
            .where(sites, Dossier.received_at >= period.start, Dossier.received_at < period.end)
            .group_by(Dossier.channel)
        ).all()
    )
    finished = dict(
        session.execute(
            select(Dossier.outcome, func.count())
            .where(sites, Dossier.finished_at >= period.start, Dossier.finished_at < period.end)
            .group_by(Dossier.outcome)
        ).all()
    )
    by_post = session.scalar(
        select(func.count()).where(
            sites,
            Dossier.return_method == Delivery.POST,
            Dossier.returned_at >= period.start,
            Dossier.returned_at < period.end,
        )
    )
    resolved = sum(finished.values())
    return {
        "received": sum(received.values()),
        "received_by_channel": {
            channel: received.get(channel, 0) for channel in ("counter", "postal", "online")
        },
        "resolved": resolved,
        "resolved_by_outcome": {
            outcome: finished.get(outcome, 0) for outcome in ("early", "on_time", "late")
        },
        "on_time_share": _round((finished.get("early", 0) + finished.get("on_time", 0)) / resolved, 4)
        if resolved
        else None,
        "returned_by_post": by_post,
    }


def satisfaction(session: Session, period: Period) -> dict:
    rows = dict(
        session.execute(
            select(Rating.level, func.count())
            .join(Ticket, Ticket.id == Rating.ticket_id)
            .where(*_tickets(period))
            .group_by(Rating.level)
        ).all()
    )
    total = sum(rows.values())
    satisfied = rows.get(RatingLevel.VERY_SATISFIED, 0) + rows.get(RatingLevel.SATISFIED, 0)
    return {
        "ratings": total,
        "by_level": {level: rows.get(level, 0) for level in RatingLevel.ALL},
        "satisfied_share": _round(satisfied / total, 4) if total else None,
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
    }
