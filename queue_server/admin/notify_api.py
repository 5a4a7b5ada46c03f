"""A site's notification channels and message wording over HTTP: thin views over
:mod:`.operations.channels` and :mod:`.operations.messages`.

Both are the site's supervisors' and admins' (``Action.CONFIGURE_NOTIFICATIONS``). A channel's
secret goes in and never comes out: the answer says only whether one is set.
"""

from __future__ import annotations

from flask import Response, current_app
from flask_babel import gettext as _
from flask_smorest import Blueprint

from ..auth.access import Action, require
from ..database import db, utcnow
from ..errors import ApiError
from ..notify import labels as notify_labels
from ..notify import templates
from ..notify.models import MessageTemplate, SiteChannel
from ..sites.lookups import get_site
from ..web import public_url
from .notify_schemas import (
    ChannelInSchema,
    ChannelSchema,
    MeasureInSchema,
    MeasureSchema,
    TemplateInSchema,
    TemplateSchema,
    TemplatesSchema,
    TestInSchema,
    TestSchema,
)
from .operations import channels, messages

blp = Blueprint(
    "notify_admin_api",
    __name__,
    url_prefix="/api/v1/admin",
    description="A site's notification channels and message templates",
)


def managed_site(code: str):
    site = get_site(db.session, code)
    actor = require(Action.CONFIGURE_NOTIFICATIONS, site.id)
    return site, actor


def channel_view(site, kind: str, row: SiteChannel | None) -> dict:
    settings = dict(row.settings or {}) if row is not None else {}
    token = settings.pop("callback_token", None)
    return {
        "channel": kind,
        "configured": row is not None,
        "enabled": bool(row and row.enabled),
        "settings": settings,
        "secret_set": bool(row and row.secret),
        "callback_url": public_url(f"/api/v1/notify/{site.code}/sms/delivery/{token}") if token else None,
    }


@blp.route("/sites/<site_code>/channels", methods=["GET"])
@blp.response(200, ChannelSchema(many=True))
def list_channels(site_code):
    """Every channel, on or off, with the site's settings (never its secrets)."""
    site, _actor = managed_site(site_code)
    return [channel_view(site, kind, row) for kind, row in channels.channels_of(db.session, site).items()]


@blp.route("/sites/<site_code>/channels/<kind>", methods=["PUT"])
@blp.arguments(ChannelInSchema())
@blp.response(200, ChannelSchema)
def put_channel(data, site_code, kind):
    """Switch a channel on or off with its settings, checked by the channel's class."""
    site, _actor = managed_site(site_code)
    row = channels.save_channel(db.session, site, kind, data["enabled"], data["settings"], data["secret"])
    db.session.commit()
    return channel_view(site, kind, row)


@blp.route("/sites/<site_code>/channels/<kind>/test", methods=["POST"])
@blp.arguments(TestInSchema())
@blp.response(200, TestSchema)
@blp.alt_response(
    502, description="The channel could not send it: ``test_failed`` or ``test_failed_temporary``"
)
def test_channel(data, site_code, kind):
    """ "Gửi thử": one message now, through the channel as saved, to the address typed."""
    site, _actor = managed_site(site_code)
    row = channels.get_channel(db.session, site, kind)
    if row is None:
        raise ApiError("channel_not_configured", "Save the channel's settings first.", status=409)
    text = _("Tin nhắn thử của %(site)s: kênh này đã gửi được tin.", site=site.name)
    params = {
        name: messages.sample(site, "{" + name + "}")
        for name in templates.PLACEHOLDERS.get(data["event"], ())
    }
    # The reads are over: nothing is held while the gateway answers (seconds, at worst), not a
    # PostgreSQL connection and not SQLite's write lock (database.begin_immediate).
    db.session.commit()
    receipt = channels.send_test(row, data["address"], text, data["event"], params, current_app.config)
    return {"provider_ref": receipt.provider_ref}


def template_view(event: str, channel: str, language: str, own: MessageTemplate | None) -> dict:
    subject, body = templates.default_texts(event, channel, language)
    return {
        "event": event,
        "channel": channel,
        "language": language,
        "default_subject": subject,
        "default_body": body,
        "subject": own.subject if own else None,
        "body": own.body if own else None,
    }


@blp.route("/sites/<site_code>/message-templates", methods=["GET"])
@blp.response(200, TemplatesSchema)
def list_templates(site_code):
    """Each event's message per channel and language: the default and the site's own."""
    site, _actor = managed_site(site_code)
    own = templates.site_templates(db.session, site.id)
    rows = [
        template_view(event, channel, language, own.get((event, channel, language)))
        for event in templates.DEFAULTS
        for channel in messages.TEXT_CHANNELS
        for language in messages.LANGUAGES
    ]
    return {
        "max_segments": messages.site_max_segments(db.session, site, current_app.config["SMS_MAX_SEGMENTS"]),
        "events": {event: _(label) for event, label in notify_labels.EVENT.items()},
        "templates": rows,
    }


@blp.route("/sites/<site_code>/message-templates/<event>/<channel>/<language>", methods=["PUT"])
@blp.arguments(TemplateInSchema())
@blp.response(200, TemplateSchema)
def put_template(data, site_code, event, channel, language):
    """The site's own wording of one message; an SMS longer than the site allows is refused."""
    site, actor = managed_site(site_code)
    row = messages.save_template(
        db.session,
        site,
        (event, channel, language),
        data.get("subject"),
        data["body"],
        actor.user.id if actor.user else None,
        utcnow(),
        current_app.config["SMS_MAX_SEGMENTS"],
    )
    db.session.commit()
    return template_view(event, channel, language, row)


@blp.route("/sites/<site_code>/message-templates/<event>/<channel>/<language>", methods=["DELETE"])
@blp.response(204)
def delete_template(site_code, event, channel, language):
    """Back to the default wording."""
    site, _actor = managed_site(site_code)
    messages.reset_template(db.session, site, (event, channel, language))
    db.session.commit()
    return Response(status=204)


@blp.route("/sites/<site_code>/message-templates/measure", methods=["POST"])
@blp.arguments(MeasureInSchema())
@blp.response(200, MeasureSchema)
def measure_template(data, site_code):
    """How many SMS parts a template takes as the site's gateway would send it (the page asks
    as the admin types: the count has one home, :mod:`queue_server.notify.smslength`)."""
    site, _actor = managed_site(site_code)
    length = messages.sms_length(db.session, site, data["body"])
    return {
        "encoding": length.encoding,
        "characters": length.units,
        "segments": length.segments,
        "max_segments": messages.site_max_segments(db.session, site, current_app.config["SMS_MAX_SEGMENTS"]),
    }
