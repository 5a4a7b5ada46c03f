"""Print jobs for devices (kiosks, post-office clients) and what became of them."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import DeviceToken
from ..database import Base, UTCDateTime


class JobStatus:
    QUEUED = "queued"  # waiting for the device to fetch it (again, after a failure)
    SENT = "sent"  # fetched by the device, not confirmed yet
    PRINTED = "printed"
    FAILED = "failed"  # given up: too many failures or too late to be useful
    ALL = (QUEUED, SENT, PRINTED, FAILED)
    OPEN = (QUEUED, SENT)


class PrintJob(Base):
    """One document to print on one device. ``payload`` is what the layout needs, frozen at
    the time of the request, so a reprint shows what the citizen was told."""

    __tablename__ = "print_jobs"
    __table_args__ = (Index("ix_print_jobs_device_status", "device_id", "status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    device_id: Mapped[int] = mapped_column(ForeignKey("device_tokens.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))  # "ticket", "receipt", "checklist"
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    payload: Mapped[dict] = mapped_column(JSON)
    status: Mapped[str] = mapped_column(String(10), default=JobStatus.QUEUED)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # After this instant the job is no longer worth printing (a queue ticket nobody waits for).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    device: Mapped[DeviceToken] = relationship()
