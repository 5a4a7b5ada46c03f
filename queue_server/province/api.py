"""The province hand-off over HTTP: thin views over :mod:`.operations` and :mod:`.queries`.

- ``/api/v1/sites/<site>/province/link``: the site's link (GET, PUT); its secret goes in and
  never comes out. ``/province/messages``: what was sent and answered; ``.../resend``.
  All the site's supervisors' and admins' (``Action.PROVINCE_HANDOFF``).
- ``/api/v1/sites/<site>/province/imports``: a dossier received online on the province's
  system, taken in here to be returned (``Action.IMPORT_DOSSIER``); 201 when made, 200 when
  the province's code was imported before.
"""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from ..auth.access import Action, require
from ..database import db
from ..dossiers import lifecycle
from ..sites.lookups import get_site
from . import operations, queries
from .presenters import link_view, message_view
from .schemas import (
    ImportedSchema,
    ImportInSchema,
    LinkInSchema,
    LinkSchema,
    MessageQuerySchema,
    MessageSchema,
)

blp = Blueprint(
    "province_api",
    __name__,
    url_prefix="/api/v1/sites",
    description="The hand-off of dossier changes to the provincial one-stop system, and imports from it",
)


def _site(code: str, action: str = Action.PROVINCE_HANDOFF):
    site = get_site(db.session, code)
    return site, require(action, site.id)


@blp.route("/<site_code>/province/link", methods=["GET"])
@blp.response(200, LinkSchema)
def get_link(site_code):
    """The site's link to the provincial system (never its secret)."""
    site, _actor = _site(site_code)
    return link_view(operations.link_of(db.session, site))


@blp.route("/<site_code>/province/link", methods=["PUT"])
@blp.arguments(LinkInSchema())
@blp.response(200, LinkSchema)
def put_link(data, site_code):
    """Set the link: on or off, JSON or SOAP, the https endpoint, credentials, timeout, the
    site's own status codes, whether the province needs the applicant's personal data."""
    site, _actor = _site(site_code)
    link = operations.save_link(db.session, site, data)
    db.session.commit()
    return link_view(link)


@blp.route("/<site_code>/province/messages", methods=["GET"])
@blp.arguments(MessageQuerySchema(), location="query")
@blp.response(200, MessageSchema(many=True))
def list_messages(query, site_code):
    """The newest 200 messages (of a status, ``waiting`` = pending or sending; of a dossier)."""
    site, _actor = _site(site_code)
    return [
        message_view(row) for row in queries.messages(db.session, site, query["status"], query["dossier"])
    ]


@blp.route("/<site_code>/province/messages/<int:message_id>/resend", methods=["POST"])
@blp.response(200, MessageSchema)
def resend_message(site_code, message_id):
    """ "Gửi lại" a refused or failed message, with the same key (409 for any other)."""
    site, actor = _site(site_code)
    message = operations.get_message(db.session, site, message_id)
    operations.resend(db.session, message, lifecycle.actor_name(actor))
    db.session.commit()
    return message_view(message)


@blp.route("/<site_code>/province/imports", methods=["POST"])
@blp.arguments(ImportInSchema())
@blp.response(201, ImportedSchema)
@blp.alt_response(200, schema=ImportedSchema, description="Imported before with this province_code")
def import_dossier(data, site_code):
    """Take in a dossier the province received online, to be returned at this site's counter or
    by post; the same ``province_code`` again answers the dossier made the first time."""
    site, actor = _site(site_code, Action.IMPORT_DOSSIER)
    try:
        dossier, created = operations.import_dossier(db.session, site, actor, data)
        db.session.commit()
    except IntegrityError:  # the same code imported at the same instant by another request
        db.session.rollback()
        dossier, created = operations.import_dossier(db.session, site, actor, data)
    body = {
        "province_code": data["province_code"],
        "code": dossier.code,
        "status": dossier.status,
        "delivery": dossier.delivery,
        "due_at": dossier.promised_at,
        "created": created,
    }
    return body, 201 if created else 200
