"""Daily roll-ups of the ticket figures, so that a report over years reads thousands of rows,
not millions. A day is rolled up once it has ended (its tickets no longer change)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class ReportDay(Base):
    """A site's business day whose roll-up rows exist."""

    __tablename__ = "report_days"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    built_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TicketStat(Base):
    """The tickets of one day grouped by one dimension: ``service`` (key: service id),
    ``hour`` (local hour of issue), ``counter`` or ``officer`` (their ids, tickets called)."""

    __tablename__ = "ticket_stats"
    __table_args__ = (Index("ix_ticket_stats_site_day", "site_id", "business_date", "dimension"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    business_date: Mapped[date] = mapped_column(Date)
    dimension: Mapped[str] = mapped_column(String(8))
    key: Mapped[int | None] = mapped_column(Integer)
    issued: Mapped[int] = mapped_column(Integer)
    served: Mapped[int] = mapped_column(Integer)
    no_show: Mapped[int] = mapped_column(Integer)
    called: Mapped[int] = mapped_column(Integer)
    within_target: Mapped[int] = mapped_column(Integer)
    wait_sum: Mapped[float] = mapped_column(Float)
    service_sum: Mapped[float] = mapped_column(Float)


class DurationHistogram(Base):
    """How many waits (or services) of a day fell in each bucket (``bucket`` is its lower bound
    in seconds, see ``rollups.BUCKET_STEPS``): percentiles over any period come from the sums."""

    __tablename__ = "duration_histograms"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    measure: Mapped[str] = mapped_column(String(8), primary_key=True)
    bucket: Mapped[int] = mapped_column(Integer, primary_key=True)
    count: Mapped[int] = mapped_column(Integer)
