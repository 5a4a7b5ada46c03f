"""The notification outbox, the citizens' subscriptions and the per-site channel settings.

A :class:`Subscription` is a citizen's consent to be told about one ticket, dossier or booking
on one channel (an e-mail address, a phone number, a browser's push endpoint). A
:class:`Notification` is one message to one subscription, written in the transaction of the
change that causes it and sent afterwards; its ``key`` is the same on every attempt, so that a
retry after a crash is recognised by the receiver (the e-mail's Message-ID, the gateway's
request id, the push message's topic). Both hold personal data: they never reach a public page
or a log, and the audit trail does not copy them (``audit/recorder.OWN_LOG``).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from ..sites.models import Site


class ChannelKind:
    """The ways a citizen can be reached. Each has its class in :mod:`.channels`."""

    EMAIL = "email"
    WEBPUSH = "webpush"
    SMS = "sms"  # SMS brandname, through a gateway
    ZALO = "zalo"  # Zalo ZNS, through a gateway
    ALL = (EMAIL, WEBPUSH, SMS, ZALO)
    # Addressed by a phone number (normalised to E.164 for Vietnam).
    BY_PHONE = (SMS, ZALO)


class NotificationStatus:
    PENDING = "pending"  # waiting for its next attempt (``next_attempt_at``)
    SENDING = "sending"  # claimed by a worker until ``lease_until``; then retried with the same key
    SENT = "sent"  # the channel accepted it
    DELIVERED = "delivered"  # the gateway reported it reached the phone
    FAILED = "failed"  # given up: a permanent refusal, or out of attempts
    CANCELLED = "cancelled"  # the citizen opted out before it was sent
    ALL = (PENDING, SENDING, SENT, DELIVERED, FAILED, CANCELLED)
    OPEN = (PENDING, SENDING)


class Subscription(Base):
    """A citizen's consent to be notified about one ticket, dossier or booking on one channel."""

    __tablename__ = "notify_subscriptions"
    __table_args__ = (
        Index("ix_notify_subscriptions_ticket", "ticket_id"),
        Index("ix_notify_subscriptions_dossier", "dossier_id"),
        Index("ix_notify_subscriptions_booking", "booking_id"),
        # A site's subscriptions by age (a site's deletion cascades through it).
        Index("ix_notify_subscriptions_site_created", "site_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The unguessable key of the opt-out link printed in every message.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    # An appointment (booking/); no foreign key here so that this table does not depend on it.
    booking_id: Mapped[int | None] = mapped_column(Integer)
    channel: Mapped[str] = mapped_column(String(10))
    # An e-mail address, a phone number in E.164, or a push endpoint's URL.
    address: Mapped[str] = mapped_column(String(2000))
    # Web Push: the browser's keys (p256dh, auth) that encrypt the message.
    keys: Mapped[dict | None] = mapped_column(JSON)
    language: Mapped[str] = mapped_column(String(5), default="vi")
    # "Near your turn": told once when this many people or fewer are ahead; None: not asked.
    near_turn_ahead: Mapped[int | None] = mapped_column(Integer)
    via: Mapped[str] = mapped_column(String(20))  # where consent was given: kiosk, counter, tracking...
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opted_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship()


class Notification(Base):
    """One message to one subscription: the outbox row the worker sends."""

    __tablename__ = "notifications"
    __table_args__ = (
        Index("ix_notifications_due", "status", "next_attempt_at"),
        Index("ix_notifications_ticket", "ticket_id"),
        Index("ix_notifications_dossier", "dossier_id"),
        Index("ix_notifications_site_created", "site_id", "created_at", "channel"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # The same on every attempt: "<event>:<subject>:<subscription id>". A second row for the
    # same event and subscription is refused by the database.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    subscription_id: Mapped[int | None] = mapped_column(
        ForeignKey("notify_subscriptions.id", ondelete="SET NULL")
    )
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    booking_id: Mapped[int | None] = mapped_column(Integer)
    event: Mapped[str] = mapped_column(String(40))  # e.g. ticket.near_turn, dossier.result_ready
    channel: Mapped[str] = mapped_column(String(10))
    recipient: Mapped[str] = mapped_column(String(2000))
    language: Mapped[str] = mapped_column(String(5), default="vi")
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    # The opt-out link printed in the body, for channels that also give it apart (an e-mail's
    # List-Unsubscribe header): made where the change happened, which knows the public address.
    opt_out_url: Mapped[str | None] = mapped_column(String(300))
    # The template's parameters: Zalo ZNS sends them, not the text.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(10), default=NotificationStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    provider_ref: Mapped[str | None] = mapped_column(String(200))  # the gateway's message id
    error: Mapped[str | None] = mapped_column(String(500))  # the last attempt's, never personal data
    # The last error's kind (channels/base.FailureKind), which staff read in their words.
    error_kind: Mapped[str | None] = mapped_column(String(20))


class SiteChannel(Base):
    """A channel switched on for a site, with its settings (a gateway's URL, sender name,
    template ids...). ``secret`` (a password or API key) is never shown back nor copied into the
    audit trail (``audit/recorder.HIDDEN``)."""

    __tablename__ = "notify_site_channels"
    __table_args__ = (UniqueConstraint("site_id", "channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    channel: Mapped[str] = mapped_column(String(10))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict] = mapped_column(JSON, default=dict)
    secret: Mapped[str | None] = mapped_column(String(500))


class MessageTemplate(Base):
    """A site's own wording of one message, replacing the default in :mod:`.templates`."""

    __tablename__ = "notify_templates"
    __table_args__ = (UniqueConstraint("site_id", "event", "channel", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    event: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(10))
    language: Mapped[str] = mapped_column(String(5))
    subject: Mapped[str | None] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
