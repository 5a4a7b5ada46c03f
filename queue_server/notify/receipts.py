"""A gateway's delivery report (DLR): the message reached the phone, or the operator gave up.

The gateway calls the address the SMS channel's settings give it
(``/api/v1/notify/<site>/sms/delivery/<callback_token>``: the token, made by the server and
compared in constant time, is the site's shared secret) with its id of the message and our
request id (the notification's key; for a key longer than the gateway takes, a digest of it,
and then the gateway's id of the message, recorded when it was sent, finds it). Reports come
more than once (eSMS retries a callback up to five times): a report changes a notification at
most once, so a repeat is answered the same and changes nothing. Callers commit.
"""

from __future__ import annotations

import hmac
import logging
import secrets
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from .channels.gateways import JsonBrandnameSms
from .models import ChannelKind, Notification, NotificationStatus, SiteChannel

log = logging.getLogger(__name__)


def new_callback_token() -> str:
    return secrets.token_urlsafe(24)


def authentic(channel: SiteChannel | None, token: str) -> bool:
    """Whether ``token`` is the site's SMS callback token (a disabled channel takes no report)."""
    if channel is None or not channel.enabled:
        return False
    expected = (channel.settings or {}).get("callback_token")
    return bool(expected) and hmac.compare_digest(str(expected), token)


def record_report(session: Session, channel: SiteChannel, report: dict, at: datetime) -> Notification | None:
    """Apply one delivery report; returns the notification it named, or None if none of the
    site's. A notification already delivered or failed stays as it is."""
    settings = channel.settings or {}
    family = JsonBrandnameSms  # the one SMS family with delivery reports
    fields = {**family.default_fields(), **(settings.get("fields") or {})}
    key = str(report.get(fields["report_request_id"]) or "")
    ref = str(report.get(fields["report_message_id"]) or "")
    status = str(report.get(fields["report_status"]) or "")
    if not key and not ref:
        return None
    named = [Notification.key == key] if key else []
    named += [Notification.provider_ref == ref] if ref else []
    notification = session.scalars(
        select(Notification).where(
            Notification.site_id == channel.site_id,
            Notification.channel == ChannelKind.SMS,
            or_(*named),
        )
    ).first()
    if notification is None or notification.status in (
        NotificationStatus.DELIVERED,
        NotificationStatus.FAILED,
    ):
        return notification
    if status in settings.get("delivered_codes", family.DELIVERED_CODES):
        notification.status, notification.delivered_at = NotificationStatus.DELIVERED, at
    elif status in settings.get("undelivered_codes", family.UNDELIVERED_CODES):
        notification.status, notification.failed_at = NotificationStatus.FAILED, at
        notification.error = f"delivery report {status}"
    else:
        return notification  # on its way: nothing final to record
    if ref and not notification.provider_ref:
        notification.provider_ref = ref[:200]
    session.flush()
    log.info("notification %s %s by the gateway's report", notification.id, notification.status)
    return notification
