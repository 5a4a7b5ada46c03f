"""A site's own wording of the messages citizens are sent, per event, channel and language,
in place of the defaults of :mod:`queue_server.notify.templates`.

A template is checked before it is kept: only the event's placeholders
(``templates.check_template``), and for SMS no more parts than the site allows, counted on the
text as it would be sent (placeholders filled with values as long as real ones, unaccented when
the site's gateway wants it) by :mod:`queue_server.notify.smslength`.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime

from sqlalchemy.orm import Session

from ...errors import ApiError
from ...notify import templates
from ...notify.channels.gateways import max_segments, sms_text
from ...notify.models import ChannelKind, MessageTemplate
from ...notify.operations import site_channel
from ...notify.smslength import Length, measure
from ...sites.models import Site
from ...web import public_url
from .common import flush

log = logging.getLogger(__name__)

# The channels that send the site's text (Zalo ZNS sends a template Zalo approved, by its id).
TEXT_CHANNELS = (ChannelKind.SMS, ChannelKind.EMAIL, ChannelKind.WEBPUSH)
LANGUAGES = ("vi", "en")
PLACEHOLDER = re.compile(r"\{(\w+)\}")
# A placeholder's value, as long as a real one is at most, for counting a template's parts.
SAMPLES = {
    "number": "A1234",
    "counter": "12",
    "ahead": "20",
    "code": "000.00.00.H00-261203-0001",
    "due": "16:30 12/12/2026",
}
SAMPLE_DEFAULT = 24  # characters of any other value (a service's or a procedure's short name)


def sms_settings(session: Session, site: Site) -> dict:
    row = site_channel(session, site.id, ChannelKind.SMS)
    return (row.settings or {}) if row is not None else {}


def site_max_segments(session: Session, site: Site, default: int) -> int:
    """The most parts a message of the site may take (its SMS setting, else ``default``)."""
    return max_segments(sms_settings(session, site), default)


def sample(site: Site, text: str) -> str:
    """``text`` with its placeholders filled as a real message would be at its longest."""
    values = {**SAMPLES, "site": site.name, "link": public_url("/t/" + "x" * 22)}
    return PLACEHOLDER.sub(lambda match: values.get(match.group(1), "x" * SAMPLE_DEFAULT), text)


def sms_length(session: Session, site: Site, text: str) -> Length:
    """The parts ``text`` would take as the site's SMS gateway sends it."""
    return measure(sms_text(sms_settings(session, site), sample(site, text)))


def _checked(event: str, channel: str, language: str) -> None:
    if event not in templates.DEFAULTS:
        raise ApiError("unknown_event", f"No event {event!r}.", status=404)
    if channel not in TEXT_CHANNELS:
        raise ApiError("unknown_channel", f"Channel {channel!r} has no text of the site's.", status=404)
    if language not in LANGUAGES:
        raise ApiError("unknown_language", f"No language {language!r}.", status=404)


def save_template(
    session: Session,
    site: Site,
    key: tuple[str, str, str],
    subject: str | None,
    body: str,
    user_id: int | None,
    at: datetime,
    segments_default: int,
) -> MessageTemplate:
    """Keep the site's wording of one message; refused (400) with an unknown placeholder, or
    for SMS, longer than the site's most parts."""
    event, channel, language = key
    _checked(event, channel, language)
    for field, text in (("subject", subject or ""), ("body", body)):
        try:
            templates.check_template(event, text)
        except ApiError as error:
            error.details["field"] = field  # the subject's or the body's
            raise
    if channel == ChannelKind.SMS:
        length, most = sms_length(session, site, body), site_max_segments(session, site, segments_default)
        if length.segments > most:
            raise ApiError(
                "template_too_long",
                f"The message takes {length.segments} SMS parts; the site allows {most}.",
                field="body",
                segments=length.segments,
                max_segments=most,
            )
    row = templates.site_templates(session, site.id).get(key)
    if row is None:
        row = MessageTemplate(site_id=site.id, event=event, channel=channel, language=language)
        session.add(row)
    row.subject = subject if channel == ChannelKind.EMAIL else None
    row.body, row.updated_at, row.updated_by_id = body, at, user_id
    flush(session)
    log.info("message %s/%s/%s of %s changed", event, channel, language, site.code)
    return row


def reset_template(session: Session, site: Site, key: tuple[str, str, str]) -> None:
    """Go back to the default wording."""
    _checked(*key)
    row = templates.site_templates(session, site.id).get(key)
    if row is not None:
        session.delete(row)
        flush(session)
        log.info("message %s of %s back to its default", "/".join(key), site.code)
