"""An appointment: one citizen, one service, one slot of one day."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from ..sites.models import Service, Site


class BookingStatus:
    BOOKED = "booked"
    CHECKED_IN = "checked_in"  # turned into a ticket (``ticket_id``)
    CANCELLED = "cancelled"  # by the citizen from the link, or by staff
    NO_SHOW = "no_show"  # not checked in by the end of the grace window: the slot was freed
    ALL = (BOOKED, CHECKED_IN, CANCELLED, NO_SHOW)


class Booking(Base):
    """A booked slot. ``token`` is the unguessable key of the citizen's link (confirmation,
    QR code, .ics, cancellation). Name, phone and ID number are personal data: never on a public
    page or in a log. One phone number holds at most one active booking per service and day
    (the partial unique index below, the same on SQLite and PostgreSQL)."""

    __tablename__ = "bookings"
    __table_args__ = (
        Index("ix_bookings_site_day", "site_id", "day", "service_id", "status"),
        Index(
            "uq_bookings_active_phone",
            "site_id",
            "service_id",
            "day",
            "phone",
            unique=True,
            sqlite_where="status = 'booked'",
            postgresql_where="status = 'booked'",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(32), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    day: Mapped[date] = mapped_column(Date)  # the site's local day
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    name: Mapped[str] = mapped_column(String(200))
    phone: Mapped[str] = mapped_column(String(20))  # E.164 (notify/addresses.py)
    id_number: Mapped[str | None] = mapped_column(String(20))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    status: Mapped[str] = mapped_column(String(12), default=BookingStatus.BOOKED)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))

    site: Mapped[Site] = relationship()
    service: Mapped[Service] = relationship()
