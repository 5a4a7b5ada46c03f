"""A site's notification channels: which are on, their settings (a gateway's address, its
brandname, the ZNS template ids...) and their secret, and a test message sent straight through.

Each channel's class checks its own settings (``check_settings`` of
:mod:`queue_server.notify.channels`); the secret is write-only: kept as given, never shown back
(the page says only whether one is set), never copied into the audit trail.
"""

from __future__ import annotations

import logging
import secrets

from sqlalchemy import select
from sqlalchemy.orm import Session

from ...errors import ApiError
from ...notify.addresses import normalise
from ...notify.channels import CHANNELS
from ...notify.channels.base import Channel, Message, PermanentFailure, Receipt, TemporaryFailure
from ...notify.models import ChannelKind, SiteChannel
from ...notify.receipts import new_callback_token
from ...sites.models import Site
from .common import flush

log = logging.getLogger(__name__)


def channel_class(kind: str) -> type[Channel]:
    if kind not in CHANNELS:
        raise ApiError("unknown_channel", f"No channel {kind!r}.", status=404)
    return CHANNELS[kind]


def channels_of(session: Session, site: Site) -> dict[str, SiteChannel | None]:
    """Every channel the server knows, with the site's row of it (None: never set up)."""
    rows = {
        row.channel: row for row in session.scalars(select(SiteChannel).where(SiteChannel.site_id == site.id))
    }
    return {kind: rows.get(kind) for kind in CHANNELS}


def get_channel(session: Session, site: Site, kind: str) -> SiteChannel | None:
    channel_class(kind)
    return channels_of(session, site)[kind]


def checked_settings(kind: str, settings: dict) -> dict:
    """The settings as the channel's class cleans them; its refusal is a 400 naming the field."""
    try:
        return channel_class(kind).check_settings(settings)
    except ValueError as error:
        code = getattr(error, "code", "invalid_settings")
        raise ApiError(code, str(error), field=getattr(error, "field", "settings")) from None


def save_channel(
    session: Session, site: Site, kind: str, enabled: bool, settings: dict, secret: str | None
) -> SiteChannel:
    """Switch a channel on or off with its settings. ``secret``: None keeps the one set, ""
    removes it. The SMS channel's callback token (the gateway's delivery reports) is made once
    and kept."""
    cleaned = checked_settings(kind, settings)
    row = get_channel(session, site, kind)
    if row is None:
        row = SiteChannel(site_id=site.id, channel=kind)
        session.add(row)
    if kind == ChannelKind.SMS:
        cleaned["callback_token"] = (row.settings or {}).get("callback_token") or new_callback_token()
    row.enabled, row.settings = enabled, cleaned
    if secret is not None:
        row.secret = secret or None
    flush(session)
    log.info("channel %s of %s %s", kind, site.code, "enabled" if enabled else "disabled")
    return row


def send_test(row: SiteChannel, address: str, text: str, event: str, params: dict, config: dict) -> Receipt:
    """Send one message now, straight through the channel as saved, to an address the admin
    typed: the gateway's answer, or a 502 saying why (temporary or not). Nothing is written to
    the outbox: a test is not a notification to a citizen."""
    recipient = normalise(row.channel, address)
    channel = channel_class(row.channel)(row.settings or {}, row.secret, config)
    message = Message(
        key=f"test-{secrets.token_hex(8)}",
        channel=row.channel,
        event=event,
        recipient=recipient,
        body=text,
        params=params,
    )
    try:
        receipt = channel.send(message)
    except TemporaryFailure as error:
        raise ApiError(
            "test_failed_temporary", f"Not sent yet: {error}.", status=502, reason=str(error)
        ) from None
    except PermanentFailure as error:
        raise ApiError("test_failed", f"Refused: {error}.", status=502, reason=str(error)) from None
    log.info("test message through %s of site %s sent", row.channel, row.site_id)
    return receipt
