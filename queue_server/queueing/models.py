"""Tickets, their daily numbering and the append-only event log."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from ..sites.models import Counter, Service, Site


class TicketStatus:
    WAITING = "waiting"
    CALLED = "called"
    SERVING = "serving"
    DONE = "done"
    NO_SHOW = "no_show"
    # Waiting again, in the queue of another service or counter, keeping its number and place.
    TRANSFERRED = "transferred"
    CANCELLED = "cancelled"
    ALL = (WAITING, CALLED, SERVING, DONE, NO_SHOW, TRANSFERRED, CANCELLED)
    IN_QUEUE = (WAITING, TRANSFERRED)
    AT_COUNTER = (CALLED, SERVING)


class Priority:
    """Why a ticket goes ahead (đối tượng ưu tiên)."""

    ELDERLY = "elderly"
    DISABLED = "disabled"
    PREGNANT = "pregnant"
    CHILD_UNDER_6 = "child_under_6"
    MERIT = "merit"
    OTHER = "other"
    ALL = (ELDERLY, DISABLED, PREGNANT, CHILD_UNDER_6, MERIT, OTHER)


class Channel:
    KIOSK = "kiosk"
    COUNTER = "counter"
    MOBILE = "mobile"
    POSTAL = "postal"
    ALL = (KIOSK, COUNTER, MOBILE, POSTAL)


class TicketSequence(Base):
    """The last number handed out per site, service and local business day."""

    __tablename__ = "ticket_sequences"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id", ondelete="CASCADE"), primary_key=True)
    business_date: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class Ticket(Base):
    """A queue ticket (phiếu số thứ tự)."""

    __tablename__ = "tickets"
    __table_args__ = (
        UniqueConstraint("site_id", "issued_service_id", "business_date", "sequence"),
        # The day's queue: ``status`` before ``service_id``, so that call-next, which asks for
        # the waiting tickets of several services or of its counter, reads those alone and not
        # every ticket of the day; ``issued_at`` last, so that a walk-in's count of the tickets
        # ahead reads the index alone (``estimates.people_ahead``).
        Index("ix_tickets_queue", "site_id", "business_date", "status", "service_id", "issued_at"),
        Index("ix_tickets_counter_status", "counter_id", "status"),
        # The tickets sent to one counter (a transfer): few, so only those are indexed. With it,
        # call-next reads the counter's own queues, not the site's (``_call_statement``).
        Index(
            "ix_tickets_target_counter",
            "target_counter_id",
            "status",
            sqlite_where=text("target_counter_id IS NOT NULL"),
            postgresql_where=text("target_counter_id IS NOT NULL"),
        ),
        Index("ix_tickets_service_finished", "service_id", "finished_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # Unguessable key of the citizen's tracking link.
    public_token: Mapped[str] = mapped_column(String(32), unique=True)
    # The kiosk's id for one press of a service button: a retried request (the answer was lost,
    # the worker died) finds this ticket instead of taking a second number.
    client_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    # The queue the ticket waits in now; a transfer changes it.
    service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    # The service whose numbering gave the ticket its number; never changes.
    issued_service_id: Mapped[int] = mapped_column(ForeignKey("services.id"))
    business_date: Mapped[date] = mapped_column(Date)
    sequence: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(12))
    status: Mapped[str] = mapped_column(String(12), default=TicketStatus.WAITING)
    priority: Mapped[str | None] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10), default=Channel.KIOSK)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    called_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    # Set when the ticket was transferred to one counter rather than to a service.
    target_counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recall_count: Mapped[int] = mapped_column(Integer, default=0)
    # A booked ticket (booking/): the start of its slot. It is called ahead of walk-ins of its
    # service from then, within the site's grace window (queueing/operations.py).
    appointment_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The end of that window (its slot's start plus the grace the site gave when it was checked
    # in): fixed on the ticket, so that call-next and the estimates need no site setting.
    appointment_until: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship()
    service: Mapped[Service] = relationship(foreign_keys=[service_id])
    issued_service: Mapped[Service] = relationship(foreign_keys=[issued_service_id])
    counter: Mapped[Counter | None] = relationship(foreign_keys=[counter_id])
    target_counter: Mapped[Counter | None] = relationship(foreign_keys=[target_counter_id])


class QueueEvent(Base):
    """Append-only log of every change to tickets and counters; also the live-event order.

    ``site_seq`` is the site's event sequence at the time of the change: clients use it to see
    that they missed nothing. A ticket issued has none (see ``journal.SEQUENCED_KINDS``).
    """

    __tablename__ = "queue_events"
    __table_args__ = (
        UniqueConstraint("site_id", "site_seq"),
        Index("ix_queue_events_ticket", "ticket_id"),
        Index("ix_queue_events_counter_at", "counter_id", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    site_seq: Mapped[int | None] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(30))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device_tokens.id"))
    address: Mapped[str | None] = mapped_column(String(64))  # the client's, for the audit
    data: Mapped[dict] = mapped_column(JSON, default=dict)


class CounterPause(Base):
    """A counter paused (tạm dừng) with its reason, until it resumes or closes: productivity
    reports count the time and the reasons."""

    __tablename__ = "counter_pauses"
    __table_args__ = (
        Index("ix_counter_pauses_site_started", "site_id", "started_at"),
        Index("ix_counter_pauses_counter_open", "counter_id", "ended_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str] = mapped_column(String(200))
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
