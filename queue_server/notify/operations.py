"""Subscribing to notifications and opting out. Callers commit."""

from __future__ import annotations

import secrets
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import ApiError
from ..lookups import AnySession
from .addresses import normalise
from .models import ChannelKind, Notification, NotificationStatus, SiteChannel, Subscription

NEAR_TURN_DEFAULT = 3  # people ahead: the default, the citizen may choose another
NEAR_TURN_MAX = 20


def subscribe(
    session: Session,
    *,
    site_id: int,
    channel: str,
    address: str,
    via: str,
    at: datetime,
    ticket_id: int | None = None,
    dossier_id: int | None = None,
    booking_id: int | None = None,
    language: str = "vi",
    near_turn_ahead: int | None = None,
    keys: dict | None = None,
) -> Subscription:
    """Record a citizen's consent to be told about one ticket, dossier or booking on ``channel``.

    Subscribing the same address again to the same subject updates the existing subscription
    (its language, its "near your turn" choice) and ends an earlier opt-out: one address, one
    message per event.
    """
    if channel not in ChannelKind.ALL:
        raise ApiError("invalid_channel", f"Unknown channel {channel!r}.", field="channel")
    if [ticket_id, dossier_id, booking_id].count(None) != 2:
        raise ValueError("a subscription is for exactly one ticket, dossier or booking")
    if near_turn_ahead is not None and not 1 <= near_turn_ahead <= NEAR_TURN_MAX:
        raise ApiError(
            "invalid_near_turn",
            f"Choose between 1 and {NEAR_TURN_MAX} people ahead.",
            field="near_turn_ahead",
        )
    address = normalise(channel, address)
    existing = find_subscription(
        session, channel, address, ticket_id=ticket_id, dossier_id=dossier_id, booking_id=booking_id
    )
    if existing is not None:
        existing.language, existing.near_turn_ahead, existing.opted_out_at = language, near_turn_ahead, None
        if keys is not None:
            existing.keys = keys
        session.flush()
        return existing
    subscription = Subscription(
        token=secrets.token_urlsafe(16),
        site_id=site_id,
        ticket_id=ticket_id,
        dossier_id=dossier_id,
        booking_id=booking_id,
        channel=channel,
        address=address,
        keys=keys,
        language=language,
        near_turn_ahead=near_turn_ahead,
        via=via,
        created_at=at,
    )
    session.add(subscription)
    session.flush()
    return subscription


def find_subscription(
    session: AnySession,
    channel: str,
    address: str,
    *,
    ticket_id: int | None = None,
    dossier_id: int | None = None,
    booking_id: int | None = None,
) -> Subscription | None:
    """The subscription of ``address`` (as stored) on ``channel`` to one ticket, dossier or
    booking, opted out or not."""
    return session.scalars(
        select(Subscription).where(
            Subscription.ticket_id == ticket_id,
            Subscription.dossier_id == dossier_id,
            Subscription.booking_id == booking_id,
            Subscription.channel == channel,
            Subscription.address == address,
        )
    ).first()


def site_channel(session: AnySession, site_id: int, channel: str) -> SiteChannel | None:
    """A site's settings row for one channel, on or off; None if never set up."""
    return session.scalar(
        select(SiteChannel).where(SiteChannel.site_id == site_id, SiteChannel.channel == channel)
    )


def enabled_channels(session: AnySession, site_id: int) -> list[str]:
    """The channels the site has switched on, in :attr:`ChannelKind.ALL`'s order."""
    enabled = set(
        session.scalars(
            select(SiteChannel.channel).where(SiteChannel.site_id == site_id, SiteChannel.enabled.is_(True))
        )
    )
    return [channel for channel in ChannelKind.ALL if channel in enabled]


def opt_out(session: Session, subscription: Subscription, at: datetime) -> int:
    """End a subscription: nothing more is written for it, and what waits is cancelled.
    Returns how many waiting messages were cancelled."""
    if subscription.opted_out_at is None:
        subscription.opted_out_at = at
    waiting = session.scalars(
        select(Notification).where(
            Notification.subscription_id == subscription.id,
            Notification.status == NotificationStatus.PENDING,
        )
    ).all()
    for notification in waiting:
        notification.status = NotificationStatus.CANCELLED
    session.flush()
    return len(waiting)


def phone_channel(session: Session, site_id: int) -> str | None:
    """The channel a phone number given at the kiosk is told on: SMS when the site has it, which
    reaches every mobile, else Zalo ZNS (only a phone with a Zalo account); None if neither.
    One channel, not both: the citizen asked for one message, and each costs the centre."""
    enabled = enabled_channels(session, site_id)
    return next((channel for channel in (ChannelKind.SMS, ChannelKind.ZALO) if channel in enabled), None)
