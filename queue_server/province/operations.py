"""What changes the province hand-off: a site's link, a resend, an imported dossier. Each
flushes; the caller commits."""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..actors import Actor
from ..database import utcnow
from ..dossiers import lifecycle
from ..dossiers.models import Dossier
from ..dossiers.rules import Delivery, DossierChannel, ReturnPlace
from ..errors import ApiError, Conflict, NotFound
from ..sites.models import Site
from .models import Adapter, MessageStatus, ProvinceImport, ProvinceLink, ProvinceMessage
from .outbox import wake
from .statuses import ACTIONS, CODE_MAX

TIMEOUT_MIN, TIMEOUT_MAX = 1.0, 120.0
CODE = re.compile(r"^[0-9A-Za-z._-]*$")
PROVINCE_CODE = re.compile(r"^[0-9A-Za-z._-]{4,60}$")


def link_of(session: Session, site: Site) -> ProvinceLink | None:
    return session.scalar(select(ProvinceLink).where(ProvinceLink.site_id == site.id))


def _url(value) -> str:
    if not isinstance(value, str) or not value.strip():
        raise ApiError("missing_field", "endpoint_url is required.", field="endpoint_url")
    value = value.strip()
    parts = urlsplit(value)
    allowed = ("https", "http") if current_app.config["PROVINCE_ALLOW_HTTP"] else ("https",)
    if parts.scheme not in allowed or not parts.hostname or len(value) > 500:
        raise ApiError(
            "invalid_endpoint_url", "endpoint_url must be an https:// address.", field="endpoint_url"
        )
    return value


def _codes(value) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ApiError("invalid_status_codes", "status_codes maps actions to codes.", field="status_codes")
    for action, code in value.items():
        if action not in ACTIONS:
            raise ApiError("invalid_status_codes", f"Unknown action {action!r}.", field="status_codes")
        if not isinstance(code, str) or len(code) > CODE_MAX or not CODE.match(code):
            raise ApiError(
                "invalid_status_codes",
                f"The code of {action} is up to {CODE_MAX} letters, digits, '.', '_' or '-'.",
                field="status_codes",
            )
    return dict(value)


def save_link(session: Session, site: Site, data: dict, now: datetime | None = None) -> ProvinceLink:
    """Set the site's link from ``data`` (what the API's schema checked for types). A ``secret``
    of None keeps the one saved, "" removes it."""
    link = link_of(session, site)
    if link is None:
        link = ProvinceLink(site_id=site.id, secret=None)
        session.add(link)
    if data.get("adapter", Adapter.JSON) not in Adapter.ALL:
        raise ApiError("invalid_adapter", f"adapter is one of {', '.join(Adapter.ALL)}.", field="adapter")
    timeout = data.get("timeout_seconds", 10.0)
    if not TIMEOUT_MIN <= timeout <= TIMEOUT_MAX:
        raise ApiError(
            "invalid_timeout",
            f"timeout_seconds is {TIMEOUT_MIN:g} to {TIMEOUT_MAX:g}.",
            field="timeout_seconds",
        )
    link.enabled = data.get("enabled", False)
    link.adapter = data.get("adapter", Adapter.JSON)
    link.endpoint_url = _url(data.get("endpoint_url"))
    link.username = lifecycle.text(data.get("username"), "username", limit=200)
    if data.get("secret") is not None:
        link.secret = data["secret"] or None
    link.timeout_seconds = timeout
    link.status_codes = _codes(data.get("status_codes"))
    link.personal_data = data.get("personal_data", False)
    link.soap_action = lifecycle.text(data.get("soap_action"), "soap_action", limit=300)
    link.soap_namespace = lifecycle.text(data.get("soap_namespace"), "soap_namespace", limit=300)
    link.updated_at = now or utcnow()
    session.flush()
    return link


def get_message(session: Session, site: Site, message_id: int) -> ProvinceMessage:
    message = session.get(ProvinceMessage, message_id)
    if message is None or message.site_id != site.id:
        raise NotFound("unknown_message", f"No message {message_id} at site {site.code}.")
    return message


def resend(session: Session, message: ProvinceMessage, by: str | None, now: datetime | None = None) -> None:
    """ "Gửi lại": a refused or failed message goes again, with the same key, at once, with
    its attempts counted anew."""
    if message.status not in MessageStatus.RESENDABLE:
        raise Conflict("not_resendable", "Only a refused or failed message is sent again.")
    now = now or utcnow()
    message.status, message.attempts, message.next_attempt_at = MessageStatus.PENDING, 0, now
    message.resent_at, message.resent_by = now, by
    session.flush()
    wake.set()


def _client_id(province_code: str) -> str:
    """The dossier's ``client_id``, made from the province's code: importing it again finds it."""
    return "prov-" + hashlib.sha256(province_code.encode()).hexdigest()[:32]


def import_dossier(
    session: Session, site: Site, actor: Actor, data: dict, now: datetime | None = None
) -> tuple[Dossier, bool]:
    """A dossier received online on the province's system, taken in at ``site`` to be returned
    at its counter or by post (docs/province.md has the shape). Idempotent on the province's
    code: the same code again gives the same dossier (``created`` False)."""
    province_code = data.get("province_code")
    if not isinstance(province_code, str) or not PROVINCE_CODE.match(province_code):
        raise ApiError(
            "invalid_province_code",
            "province_code is 4 to 60 letters, digits, '.', '_' or '-'.",
            field="province_code",
        )
    known = session.scalar(select(ProvinceImport).where(ProvinceImport.province_code == province_code))
    if known is not None:
        if known.site_id != site.id:
            raise Conflict("imported_elsewhere", "This dossier was imported at another site.")
        dossier = session.get(Dossier, known.dossier_id)
        assert dossier is not None  # the import row goes with its dossier
        return dossier, False
    delivery = data.get("delivery") or Delivery.COUNTER
    if delivery not in (Delivery.COUNTER, Delivery.POST):
        raise ApiError("invalid_delivery", "delivery is counter or post.", field="delivery")
    procedure = lifecycle.get_procedure(
        session, site, lifecycle.text(data.get("procedure_code"), "procedure_code", required=True)
    )
    fields = {
        key: data[key]
        for key in (
            "applicant",
            "documents",
            "received_at",
            "fee",
            "fee_payment",
            "sets",
            "delivery_address",
            "note",
        )
        if data.get(key) is not None
    }
    fields |= {
        "client_id": _client_id(province_code),
        "delivery": delivery,
        "return_to": ReturnPlace.RECEIVING if delivery == Delivery.COUNTER else None,
    }
    dossier, created = lifecycle.receive(
        session, site, site, procedure, actor, fields, channel=DossierChannel.ONLINE, now=now
    )
    session.add(
        ProvinceImport(
            province_code=province_code,
            site_id=site.id,
            dossier_id=dossier.id,
            imported_at=now or utcnow(),
            imported_by=lifecycle.actor_name(actor),
        )
    )
    session.flush()
    return dossier, created
