"""A citizen's rating of one served ticket, from the counter's tablet or their phone."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class RatingLevel:
    VERY_SATISFIED = "very_satisfied"  # Rất hài lòng
    SATISFIED = "satisfied"  # Hài lòng
    NOT_SATISFIED = "not_satisfied"  # Không hài lòng
    ALL = (VERY_SATISFIED, SATISFIED, NOT_SATISFIED)


class RatingChannel:
    TABLET = "tablet"  # the counter's rating tablet, right after the service
    PHONE = "phone"  # the ticket's tracking page
    ALL = (TABLET, PHONE)


class Rating(Base):
    """One rating per ticket; the officer, counter and service are copied from the ticket as it
    was served, so that reports need no joins and a later transfer changes nothing."""

    __tablename__ = "ratings"
    __table_args__ = (Index("ix_ratings_site_created", "site_id", "created_at", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id", ondelete="SET NULL"))
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id", ondelete="SET NULL"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    level: Mapped[str] = mapped_column(String(20))
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    channel: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
