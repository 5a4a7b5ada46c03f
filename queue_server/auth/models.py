"""Staff users and device tokens."""

from __future__ import annotations

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import JSON, Boolean, Column, ForeignKey, Integer, String, Table, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime, utcnow
from ..sites.models import Site


class Role:
    ADMIN = "admin"
    SUPERVISOR = "supervisor"
    OFFICER = "officer"
    POSTAL_CLERK = "postal_clerk"
    ALL = (ADMIN, SUPERVISOR, OFFICER, POSTAL_CLERK)


user_sites = Table(
    "user_sites",
    Base.metadata,
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("site_id", ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True),
)


class TakesNumbers:
    """A row that may take numbers from the queue (a kiosk's token, a member of staff): how many
    it took in the current window of ``KIOSK_RATE_LIMIT``, counted by ``queueing/quota.py``."""

    # The window's start, in seconds since 1970 (None: never took one).
    taken_window: Mapped[int | None] = mapped_column(Integer)
    taken_in_window: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class User(UserMixin, TakesNumbers, Base):
    """A member of staff. Admins act everywhere; everyone else only at their sites."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(80), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    full_name: Mapped[str] = mapped_column(String(200), default="")
    role: Mapped[str] = mapped_column(String(20))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when someone else chose the password (an admin's reset, a demo account seeded in
    # production): until its holder picks their own, a session may only change it.
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The officer's photo (its key under PHOTOS_DIR, see auth/photos.py): the counter's screen
    # shows it while they work there.
    photo: Mapped[str | None] = mapped_column(String(80))

    sites: Mapped[list[Site]] = relationship(secondary=user_sites)

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def can_act_at(self, site_id: int) -> bool:
        return self.role == Role.ADMIN or any(site.id == site_id for site in self.sites)


class UserSession(Base):
    """One login of a member of staff (phiên đăng nhập), from the login to its end.

    The cookie holds a random token; only its SHA-256 is stored, so a copy of the database
    opens no session. A session ends when its holder logs out, when the account's password,
    role or sites change or it is deactivated (``ended_at``, ``end_reason``), after
    ``SESSION_IDLE_MINUTES`` without a request and ``SESSION_LIFETIME_HOURS`` after the login
    (see :mod:`queue_server.auth.sessions`).
    """

    __tablename__ = "user_sessions"

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Written at most once a minute (sessions.TOUCH_RESOLUTION): the idle timeout's clock.
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    end_reason: Mapped[str | None] = mapped_column(String(40))
    address: Mapped[str | None] = mapped_column(String(64))
    user_agent: Mapped[str | None] = mapped_column(String(300))

    user: Mapped[User] = relationship()


class DeviceKind:
    KIOSK = "kiosk"
    DISPLAY = "display"
    POSTAL = "postal"
    COUNTER = "counter"  # a counter's call keypad and LED display, through its agent
    RATING = "rating"  # the tablet at a counter where the citizen rates the service
    ALL = (KIOSK, DISPLAY, POSTAL, COUNTER, RATING)
    # Kinds bound to one counter (create-device-token --counter N).
    AT_COUNTER = (COUNTER, RATING)


class DeviceToken(TakesNumbers, Base):
    """A revocable credential for one device at one site; only its SHA-256 is stored."""

    __tablename__ = "device_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    # Set for a counter's own device: it may act at that counter only.
    counter_id: Mapped[int | None] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # What the device last said about itself (printer state, agent version), by heartbeat.
    health: Mapped[dict | None] = mapped_column(JSON)

    site: Mapped[Site] = relationship()

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None
