"""What a site's hall screen shows between calls: notices in its ticker and a playlist of
images and videos (see :mod:`queue_server.sites.signage` for the rules)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String, true
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime, utcnow
from .models import Site


class Shown:
    """When an item is on the screen: while ``active``, from ``starts_on`` to ``ends_on``
    (both included, the site's days; either may be open), in ``sort_order``."""

    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    def shown_on(self, day: date) -> bool:
        return (
            self.active
            and (self.starts_on is None or self.starts_on <= day)
            and (self.ends_on is None or day <= self.ends_on)
        )


class SignageNotice(Shown, Base):
    """A line of the hall's ticker (giờ làm việc, a change of procedure, a holiday)."""

    __tablename__ = "signage_notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    text: Mapped[str] = mapped_column(String(300))

    site: Mapped[Site] = relationship()


class SignageMedia(Shown, Base):
    """An image or a video of the hall's playlist. The file is kept by its SHA-256
    (``storage_key``) under ``SIGNAGE_DIR``; an image stays ``duration_seconds``, a video
    plays to its end."""

    __tablename__ = "signage_media"
    __table_args__ = (CheckConstraint("duration_seconds >= 1", name="duration_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    filename: Mapped[str] = mapped_column(String(255), default="")
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    storage_key: Mapped[str] = mapped_column(String(80))
    duration_seconds: Mapped[int] = mapped_column(Integer, default=10)

    site: Mapped[Site] = relationship()

    @property
    def is_video(self) -> bool:
        return self.content_type.startswith("video/")
