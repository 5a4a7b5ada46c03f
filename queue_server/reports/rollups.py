"""The ticket figures of a period: rolled-up days read from ``ticket_stats`` and
``duration_histograms``, the other days (today, days not rolled up yet) computed from the
tickets with the very same statements. :func:`build` stores those statements' results for
ended days; :func:`source` and :func:`histogram_source` give both parts as one table.
"""

from __future__ import annotations

import math
from datetime import date, datetime, timedelta

from sqlalchemy import Integer, case, cast, delete, exists, func, insert, literal, select, union_all
from sqlalchemy.orm import Session

from ..database import db, utcnow
from ..queueing.models import Ticket, TicketStatus
from ..sites.calendar import business_date
from ..sites.models import Site
from .models import DurationHistogram, ReportDay, TicketStat

# Histogram buckets, by their lower bound in seconds: 10 s wide up to half an hour, then a
# minute up to three hours, then ten minutes. Percentiles read from them are exact to within
# the width of the bucket they fall in, and a day needs a few hundred rows, not one per ticket.
BUCKET_STEPS = ((1800, 10), (10800, 60), (None, 600))
CALLED = (TicketStatus.DONE, TicketStatus.NO_SHOW)
DIMENSIONS = ("service", "hour", "counter", "officer")
STAT_COLUMNS = (
    "site_id",
    "business_date",
    "dimension",
    "key",
    "issued",
    "served",
    "no_show",
    "called",
    "within_target",
    "wait_sum",
    "service_sum",
)


def seconds_between(start, end):
    """``end - start`` in seconds, as a SQL expression of this database."""
    if db.dialect == "postgresql":
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def wait_seconds():
    return seconds_between(Ticket.issued_at, Ticket.called_at)


def service_seconds():
    return seconds_between(func.coalesce(Ticket.started_at, Ticket.called_at), Ticket.finished_at)


def local_hour(site: Site):
    """The local hour at which a ticket was taken (SQL)."""
    if db.dialect == "postgresql":
        return cast(
            func.extract("hour", func.timezone(site.timezone, func.timezone("UTC", Ticket.issued_at))),
            Integer,
        )
    utc_offset = site.tz.utcoffset(datetime(2026, 1, 1))
    assert utc_offset is not None  # a ZoneInfo knows it for any instant
    offset = int(utc_offset.total_seconds())  # Vietnam keeps no DST
    return cast(func.strftime("%H", func.datetime(Ticket.issued_at, f"{offset:+d} seconds")), Integer)


KEYS = {
    "service": lambda site: Ticket.issued_service_id,
    "hour": local_hour,
    "counter": lambda site: Ticket.counter_id,
    "officer": lambda site: Ticket.officer_id,
}


def _not_rolled_up(site: Site):
    return ~exists().where(ReportDay.site_id == site.id, ReportDay.business_date == Ticket.business_date)


def unbuilt_days(session: Session, site: Site, first: date, last: date) -> list[date]:
    """The days of the period that have no roll-up (today, or all of them before the first
    nightly run): only these are computed from the tickets. Days still to come have no tickets,
    so a period reaching into next week costs nothing for them."""
    last = min(last, business_date(site, utcnow()))
    built = set(
        session.scalars(
            select(ReportDay.business_date).where(
                ReportDay.site_id == site.id, ReportDay.business_date.between(first, last)
            )
        )
    )
    days, day = [], first
    while day <= last:
        if day not in built:
            days.append(day)
        day += timedelta(days=1)
    return days


def _days(first: date, last: date, only: list[date] | None):
    if only is None:
        return Ticket.business_date.between(first, last)
    return Ticket.business_date.in_(only)


def raw_stats(site: Site, first: date, last: date, dimension: str, only: list[date] | None = None):
    """One day-row per key of ``dimension``, straight from the tickets (the roll-up's shape);
    ``only`` restricts it to those days."""
    key = KEYS[dimension](site)
    wait, service = wait_seconds(), service_seconds()
    called = Ticket.status.in_(CALLED)
    served = Ticket.status == TicketStatus.DONE
    statement = select(
        Ticket.site_id,
        Ticket.business_date,
        literal(dimension).label("dimension"),
        key.label("key"),
        func.count().label("issued"),
        func.count().filter(served).label("served"),
        func.count().filter(Ticket.status == TicketStatus.NO_SHOW).label("no_show"),
        func.count().filter(called).label("called"),
        func.count().filter(called, wait <= site.target_wait_minutes * 60).label("within_target"),
        func.coalesce(func.sum(wait).filter(called), 0.0).label("wait_sum"),
        func.coalesce(func.sum(service).filter(served), 0.0).label("service_sum"),
    ).where(Ticket.site_id == site.id, _days(first, last, only))
    return statement.group_by(Ticket.site_id, Ticket.business_date, key)


def raw_histogram(site: Site, first: date, last: date, measure: str, only: list[date] | None = None):
    seconds = wait_seconds() if measure == "wait" else service_seconds()
    statuses = CALLED if measure == "wait" else (TicketStatus.DONE,)
    bucket = bucket_of(seconds)
    statement = select(
        Ticket.site_id,
        Ticket.business_date,
        literal(measure).label("measure"),
        bucket.label("bucket"),
        func.count().label("count"),
    ).where(
        Ticket.site_id == site.id,
        _days(first, last, only),
        Ticket.status.in_(statuses),
    )
    return statement.group_by(Ticket.site_id, Ticket.business_date, bucket)


def _pending(session: Session, sites, first: date, last: date) -> list[tuple[Site, list[date]]]:
    return [(site, days) for site in sites if (days := unbuilt_days(session, site, first, last))]


def source(session: Session, sites, first: date, last: date):
    """Day-rows of every dimension for the period: rolled up where possible, else computed."""
    stored = select(*[getattr(TicketStat, name) for name in STAT_COLUMNS]).where(
        TicketStat.site_id.in_([site.id for site in sites]),
        TicketStat.business_date.between(first, last),
    )
    live = [
        raw_stats(site, first, last, dimension, days)
        for site, days in _pending(session, sites, first, last)
        for dimension in DIMENSIONS
    ]
    return (union_all(stored, *live) if live else stored).subquery("stats")


def histogram_source(session: Session, sites, first: date, last: date):
    stored = select(
        DurationHistogram.site_id,
        DurationHistogram.business_date,
        DurationHistogram.measure,
        DurationHistogram.bucket,
        DurationHistogram.count,
    ).where(
        DurationHistogram.site_id.in_([site.id for site in sites]),
        DurationHistogram.business_date.between(first, last),
    )
    live = [
        raw_histogram(site, first, last, measure, days)
        for site, days in _pending(session, sites, first, last)
        for measure in ("wait", "service")
    ]
    return (union_all(stored, *live) if live else stored).subquery("histogram")


def bucket_of(seconds):
    """The lower bound of the bucket of ``seconds`` (SQL)."""
    cases = [
        (seconds < limit, cast(func.floor(seconds / width) * width, Integer))
        for limit, width in BUCKET_STEPS
        if limit is not None
    ]
    width = BUCKET_STEPS[-1][1]
    return case(*cases, else_=cast(func.floor(seconds / width) * width, Integer))


def bucket_width(lower: int) -> int:
    for limit, width in BUCKET_STEPS:
        if limit is None or lower < limit:
            return width
    raise AssertionError("unreachable")


def histogram_percentile(buckets: dict[int, int], fraction: float) -> float | None:
    """The continuous percentile (as PostgreSQL's ``percentile_cont``) from the buckets (keyed
    by their lower bound), the values being spread evenly inside each bucket.

    ``percentile_cont`` interpolates between the two sorted values around the rank
    ``fraction * (n - 1)``; so does this, between the estimates of those two values. Each
    estimate lies in its value's bucket, so the result is off by less than the wider of the two
    buckets. (Interpolating inside the first value's bucket alone, as this once did, gave 14 s
    as the 90th percentile of 5 s and 180 s, below their average.)
    """
    total = sum(buckets.values())
    if total == 0:
        return None
    rank = fraction * (total - 1)  # 0-based position among the sorted values
    below = math.floor(rank)
    low = _order_statistic(buckets, below)
    if rank == below:
        return low
    return low + (rank - below) * (_order_statistic(buckets, below + 1) - low)


def _order_statistic(buckets: dict[int, int], k: int) -> float:
    """The estimated ``k``-th smallest value (0-based): the bucket's ``count`` values sit at
    the middles of ``count`` equal slices of it."""
    seen = 0
    for bucket in sorted(buckets):
        count = buckets[bucket]
        if k < seen + count:
            return bucket + (k - seen + 0.5) / count * bucket_width(bucket)
        seen += count
    raise ValueError(f"no value {k} among {seen}")


def build(session: Session, site: Site, first: date, last: date) -> None:
    """Store the roll-up of the site's days ``first`` to ``last`` (which must have ended)."""
    for table in (TicketStat, DurationHistogram, ReportDay):
        session.execute(
            delete(table).where(table.site_id == site.id, table.business_date.between(first, last))
        )
    for dimension in DIMENSIONS:
        session.execute(insert(TicketStat).from_select(STAT_COLUMNS, raw_stats(site, first, last, dimension)))
    for measure in ("wait", "service"):
        session.execute(
            insert(DurationHistogram).from_select(
                ("site_id", "business_date", "measure", "bucket", "count"),
                raw_histogram(site, first, last, measure),
            )
        )
    now = utcnow()
    day = first
    rows = []
    while day <= last:
        rows.append({"site_id": site.id, "business_date": day, "built_at": now})
        day += timedelta(days=1)
    session.execute(insert(ReportDay), rows)


def build_ended_days(session: Session, site: Site, chunk_days: int = 31) -> int:
    """Roll up every ended day of the site that has tickets and no roll-up yet; return how many."""
    today = business_date(site, utcnow())
    pending = session.scalars(
        select(Ticket.business_date)
        .where(Ticket.site_id == site.id, Ticket.business_date < today, _not_rolled_up(site))
        .distinct()
        .order_by(Ticket.business_date)
    ).all()
    built = 0
    while pending:
        first = pending[0]
        last = min(first + timedelta(days=chunk_days - 1), today - timedelta(days=1))
        build(session, site, first, last)
        session.commit()
        built += sum(1 for day in pending if day <= last)
        pending = [day for day in pending if day > last]
    return built
