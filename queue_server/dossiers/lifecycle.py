"""Everything that changes a dossier: the only place for the dossier's rules.

The states follow DOMAIN.md: received -> (supplement_requested <-> resubmitted) | refused ->
transferred -> processing -> [apology_issued] -> result_ready -> returned. :data:`TRANSITIONS`
says which action leads from which states to which; :func:`apply` checks it, records one
:class:`~.models.DossierEvent` per change (the control sheet, Mẫu 05, is built from them) and
keeps the deadline: a supplement request pauses it (by :class:`Policy`), the resubmission
extends it by the working time the pause lasted, a finished dossier is classed early, on time
or late against it (by the convention in :mod:`.deadlines`). Commit is the caller's.
"""

from __future__ import annotations

import re
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from flask import current_app, has_app_context
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..audit.recorder import client_address
from ..auth.access import Actor
from ..database import utcnow
from ..errors import ApiError, Conflict, NotFound
from ..events import publish_after_commit
from ..queueing.models import Ticket
from ..sites.calendar import business_date
from ..sites.models import Site
from . import codes
from .calendars import calendar_for
from .models import (
    Delivery,
    Dossier,
    DossierChannel,
    DossierEvent,
    FeePayment,
    Procedure,
)
from .models import DossierStatus as S


@dataclass(frozen=True)
class Policy:
    """Rules a province sets for itself (DOMAIN.md marks them unverified), from the config."""

    # Does waiting for the citizen's supplement stop the clock? (DOSSIER_SUPPLEMENT_PAUSES)
    supplement_pauses: bool = True
    # Working time before the due instant from which a dossier is flagged (DOSSIER_DUE_SOON_HOURS).
    due_soon: timedelta = timedelta(hours=8)
    # How far back an offline intake (the postal client) may date its receipt.
    max_backdate: timedelta = timedelta(days=30)

    @classmethod
    def current(cls) -> Policy:
        if not has_app_context():
            return cls()
        config = current_app.config
        return cls(
            supplement_pauses=config.get("DOSSIER_SUPPLEMENT_PAUSES", True),
            due_soon=timedelta(hours=config.get("DOSSIER_DUE_SOON_HOURS", 8)),
        )


# action: (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "request_supplement": (
        frozenset({S.RECEIVED, S.RESUBMITTED, S.TRANSFERRED, S.PROCESSING}),
        S.SUPPLEMENT_REQUESTED,
    ),
    "resubmit": (frozenset({S.SUPPLEMENT_REQUESTED}), S.RESUBMITTED),
    "refuse": (
        frozenset({S.RECEIVED, S.SUPPLEMENT_REQUESTED, S.RESUBMITTED, S.TRANSFERRED, S.PROCESSING}),
        S.REFUSED,
    ),
    "transfer": (frozenset({S.RECEIVED, S.RESUBMITTED}), S.TRANSFERRED),
    "start_processing": (frozenset({S.TRANSFERRED, S.RESUBMITTED}), S.PROCESSING),
    "apologise": (frozenset({S.TRANSFERRED, S.PROCESSING, S.RESUBMITTED}), S.APOLOGY_ISSUED),
    "result_ready": (frozenset({S.TRANSFERRED, S.PROCESSING, S.APOLOGY_ISSUED}), S.RESULT_READY),
    "return": (frozenset({S.RESULT_READY, S.REFUSED}), S.RETURNED),
    # By post: the postman handed the result over, or could not (the status stays).
    "deliver": (frozenset({S.RESULT_READY}), S.RETURNED),
    "undeliver": (frozenset({S.RESULT_READY}), S.RESULT_READY),
}
ACTIONS = tuple(TRANSITIONS)
AGENCY_PHASE = frozenset({S.TRANSFERRED, S.PROCESSING})

ID_NUMBER = re.compile(r"^(\d{9}|\d{12})$")  # CMND (9) or CCCD (12)
PHONE = re.compile(r"^\+?[0-9 .-]{8,15}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
CLIENT_ID = re.compile(r"^[0-9A-Za-z_-]{8,40}$")


def new_client_id() -> str:
    return uuid.uuid4().hex


def get_by_code(session: Session, code: str) -> Dossier:
    dossier = session.scalar(select(Dossier).where(Dossier.code == code))
    if dossier is None:
        raise NotFound("unknown_dossier", f"No dossier {code!r}.")
    return dossier


def get_procedure(session: Session, site: Site, code: str) -> Procedure:
    procedure = session.scalar(select(Procedure).where(Procedure.site_id == site.id, Procedure.code == code))
    if procedure is None or not procedure.active:
        raise NotFound("unknown_procedure", f"No procedure {code!r} at site {site.code}.")
    return procedure


def _text(value, field: str, *, required: bool = False, limit: int = 500) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise ApiError("missing_field", f"{field} is required.", field=field)
        return None
    if not isinstance(value, str):
        raise ApiError("invalid_field", f"{field} must be text.", field=field)
    value = " ".join(value.split())
    if len(value) > limit:
        raise ApiError("invalid_field", f"{field} is longer than {limit} characters.", field=field)
    return value


def _applicant(data: dict) -> dict:
    applicant = {
        "applicant_name": _text(data.get("name"), "applicant.name", required=True, limit=200),
        "applicant_id_number": _text(data.get("id_number"), "applicant.id_number", limit=20),
        "applicant_phone": _text(data.get("phone"), "applicant.phone", limit=20),
        "applicant_address": _text(data.get("address"), "applicant.address"),
        "applicant_email": _text(data.get("email"), "applicant.email", limit=200),
    }
    checks = (
        ("applicant_id_number", ID_NUMBER, "an ID number has 12 digits (CCCD) or 9 (CMND)"),
        ("applicant_phone", PHONE, "a phone number has 8 to 15 digits"),
        ("applicant_email", EMAIL, "the e-mail address is not valid"),
    )
    for key, pattern, message in checks:
        if applicant[key] is not None and not pattern.match(applicant[key]):
            field = key.replace("applicant_", "applicant.")
            raise ApiError("invalid_applicant", f"{field.split('.')[1]}: {message}.", field=field)
    return applicant


def _documents(items) -> list[dict]:
    if items is None:
        return []
    if not isinstance(items, list):
        raise ApiError("invalid_documents", "documents must be a list.")
    documents = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ApiError("invalid_documents", f"Document {i} must be an object.")
        document = {"name": _text(item.get("name"), f"documents[{i}].name", required=True)}
        for key in ("originals", "certified_copies", "copies"):
            count = item.get(key, 0)
            if not isinstance(count, int) or isinstance(count, bool) or not 0 <= count <= 100:
                raise ApiError("invalid_documents", f"documents[{i}].{key} must be 0 to 100.")
            document[key] = count
        documents.append(document)
    return documents


def _choice(value, allowed: tuple[str, ...], field: str, default: str) -> str:
    if value is None:
        return default
    if value not in allowed:
        raise ApiError(f"invalid_{field}", f"{field} must be one of {', '.join(allowed)}.")
    return value


def receive(
    session: Session,
    site: Site,
    intake_site: Site,
    procedure: Procedure,
    actor: Actor,
    data: dict,
    *,
    channel: str = DossierChannel.COUNTER,
    now: datetime | None = None,
) -> tuple[Dossier, bool]:
    """Register a valid dossier (tiếp nhận) and return it with ``created``.

    ``data`` holds the applicant and what was checked at intake. With a ``client_id`` that is
    already known the existing dossier comes back (``created`` False): a retried request never
    makes a second dossier. An offline client also brings its own ``code`` (under its own
    agency code) and ``received_at``.
    """
    now = now or utcnow()
    client_id = data.get("client_id") or new_client_id()
    if not CLIENT_ID.match(str(client_id)):
        raise ApiError("invalid_client_id", "client_id must be 8 to 40 letters, digits, - or _.")
    existing = session.scalar(select(Dossier).where(Dossier.client_id == client_id))
    if existing is not None:
        if existing.intake_site_id != intake_site.id:
            raise Conflict("client_id_taken", "This client_id belongs to another site's dossier.")
        return existing, False

    channel = _choice(channel, DossierChannel.ALL, "channel", DossierChannel.COUNTER)
    if procedure.site_id != site.id:
        raise ApiError("wrong_site", "The procedure is not one of this centre's.")
    if channel == DossierChannel.POSTAL and not procedure.postal_allowed:
        raise ApiError("not_postal", "The post may not take in dossiers for this procedure.")
    if not intake_site.agency_code:
        raise Conflict("no_agency_code", f"Site {intake_site.code} has no agency code for dossiers.")

    received_at = _received_at(data.get("received_at"), now)
    delivery = _choice(data.get("delivery"), Delivery.ALL, "delivery", Delivery.COUNTER)
    delivery_address = _text(data.get("delivery_address"), "delivery_address")
    if delivery == Delivery.POST and not delivery_address:
        raise ApiError(
            "missing_field", "A result sent by post needs the delivery address.", field="delivery_address"
        )
    fee = data.get("fee", procedure.fee)
    if not isinstance(fee, int) or isinstance(fee, bool) or fee < 0:
        raise ApiError("invalid_fee", "fee is a whole number of đồng, 0 or more.", field="fee")
    sets = data.get("sets", 1)
    if not isinstance(sets, int) or isinstance(sets, bool) or not 1 <= sets <= 50:
        raise ApiError("invalid_sets", "sets must be 1 to 50.", field="sets")

    ticket_id = data.get("ticket_id")
    if ticket_id is not None:
        ticket = session.get(Ticket, ticket_id) if isinstance(ticket_id, int) else None
        if ticket is None or ticket.site_id != intake_site.id:
            raise ApiError("unknown_ticket", f"No ticket {ticket_id} at site {intake_site.code}.")

    received_on = business_date(intake_site, received_at)
    code = data.get("code")
    if code is None:
        code = codes.allocate_code(session, intake_site.agency_code, received_on)
    else:
        codes.check_own_code(session, code, intake_site.agency_code, received_on)

    calendar = calendar_for(session, site)
    dossier = Dossier(
        client_id=client_id,
        code=code,
        tracking_key=secrets.token_urlsafe(16),
        site=site,
        intake_site=intake_site,
        procedure=procedure,
        channel=channel,
        status=S.RECEIVED,
        **_applicant(data.get("applicant") or {}),
        documents=_documents(data.get("documents")),
        sets=sets,
        delivery=delivery,
        delivery_address=delivery_address,
        fee=fee,
        fee_payment=_choice(data.get("fee_payment"), FeePayment.ALL, "fee_payment", FeePayment.CASH),
        ticket_id=ticket_id,
        note=_text(data.get("note"), "note", limit=2000),
        received_at=received_at,
        received_by_id=actor.user_id,
        received_by_name=actor_name(actor, data.get("received_by_name")),
        due_at=calendar.due(received_at, procedure.processing_amount, procedure.processing_unit).astimezone(
            UTC
        ),
        created_at=now,
        updated_at=now,
    )
    session.add(dossier)
    _record(session, dossier, "receive", actor, received_at, to_party=intake_site.name)
    session.flush()
    return dossier, True


def _received_at(value, now: datetime) -> datetime:
    if value is None:
        return now
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value)
        except ValueError:
            raise ApiError("invalid_received_at", "received_at must be an ISO 8601 instant.") from None
    if value.tzinfo is None:
        raise ApiError("invalid_received_at", "received_at must carry its UTC offset.")
    value = value.astimezone(UTC)
    if value > now + timedelta(minutes=5):
        raise ApiError("invalid_received_at", "received_at is in the future.")
    if value < now - Policy.current().max_backdate:
        raise ApiError("invalid_received_at", "received_at is too far in the past.")
    return value


def actor_name(actor: Actor, given: str | None = None) -> str | None:
    if actor.user is not None:
        return actor.user.full_name or actor.user.username
    return _text(given, "received_by_name", limit=200) or (actor.device.name if actor.device else None)


def _record(
    session: Session, dossier: Dossier, action: str, actor: Actor, at: datetime, **fields
) -> DossierEvent:
    event = DossierEvent(
        action=action,
        status=dossier.status,
        at=at,
        actor_user_id=actor.user_id,
        actor_device_id=actor.device_id,
        actor_name=actor_name(actor, fields.pop("actor_name", None)),
        address=client_address(),
        data=fields.pop("data", {}),
        **fields,
    )
    dossier.events.append(event)
    publish_after_commit(
        session,
        "dossier.changed",
        {"site": dossier.site.code, "code": dossier.code, "status": dossier.status, "action": action},
    )
    return event


def record_handover(
    session: Session,
    dossier: Dossier,
    actor: Actor,
    *,
    from_party: str,
    to_party: str,
    at: datetime,
    note: str | None = None,
) -> DossierEvent:
    """The paper dossier changed hands without changing state (a manifest arrived)."""
    dossier.updated_at = max(dossier.updated_at, at)
    return _record(
        session, dossier, "handover", actor, at, from_party=from_party, to_party=to_party, note=note
    )


def record_flag(
    session: Session, dossier: Dossier, actor: Actor, at: datetime, flags: list[str]
) -> DossierEvent:
    """The system told the supervisors the dossier is due soon or late (see :mod:`.watch`)."""
    return _record(session, dossier, "flag", actor, at, data={"flags": flags})


def due_in(session: Session, dossier: Dossier, now: datetime | None = None) -> timedelta | None:
    """Working time left before the due instant (negative when late), None once finished."""
    if dossier.status not in S.OPEN:
        return None
    now = now or utcnow()
    calendar = calendar_for(session, dossier.site)
    if now <= dossier.due_at:
        return calendar.between(now, dossier.due_at)
    return -calendar.between(dossier.due_at, now)


def flags(session: Session, dossier: Dossier, now: datetime | None = None) -> list[str]:
    """``due_soon``, ``overdue``, ``needs_apology``: what the dossier's supervisor must see."""
    left = due_in(session, dossier, now)
    if left is None or dossier.paused:
        return []
    if left < timedelta(0) or (now or utcnow()) > dossier.due_at:
        return ["overdue"] if dossier.apology_due_at else ["overdue", "needs_apology"]
    if left <= Policy.current().due_soon:
        return ["due_soon"]
    return []


def apply(
    session: Session,
    dossier: Dossier,
    action: str,
    actor: Actor,
    data: dict | None = None,
    *,
    now: datetime | None = None,
) -> DossierEvent:
    """Take ``action`` on the dossier, or raise 409 when its state does not allow it."""
    if action not in TRANSITIONS:
        raise ApiError("unknown_action", f"Unknown action {action!r}; one of {', '.join(ACTIONS)}.")
    data = data or {}
    now = now or utcnow()
    sources, target = TRANSITIONS[action]
    if dossier.status not in sources:
        raise Conflict(
            "invalid_transition", f"Dossier {dossier.code} is {dossier.status}; it cannot {action}."
        )
    previous = dossier.status
    fields = STEPS[action](session, dossier, data, now)
    dossier.status = target
    dossier.updated_at = now
    at = fields.pop("at", now)
    event = _record(session, dossier, action, actor, at, **fields)
    event.data.setdefault("from_status", previous)
    session.flush()
    return event


def _request_supplement(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    items = data.get("items")
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise ApiError("missing_field", "items: list every document to add, at once.", field="items")
    reason = _text(data.get("reason"), "reason", required=True, limit=2000)
    if dossier.status in AGENCY_PHASE:
        if dossier.agency_supplements >= 1:
            raise Conflict("supplement_once", "The deciding agency may ask for a supplement only once.")
        dossier.agency_supplements += 1
    if Policy.current().supplement_pauses:
        dossier.paused_since = now
    return {"data": {"items": [" ".join(i.split()) for i in items], "reason": reason}}


def _end_pause(session, dossier: Dossier, now: datetime) -> None:
    if dossier.paused_since is None:
        return
    calendar = calendar_for(session, dossier.site)
    dossier.paused_seconds += int(calendar.between(dossier.paused_since, now).total_seconds())
    dossier.due_at = calendar.extend_for_pause(dossier.due_at, dossier.paused_since, now).astimezone(UTC)
    dossier.paused_since = None


def _resubmit(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    _end_pause(session, dossier, now)
    documents = data.get("documents")
    if documents is not None:
        dossier.documents = [*dossier.documents, *_documents(documents)]
    return {"note": _text(data.get("note"), "note", limit=2000)}


def _finish(session, dossier: Dossier, now: datetime) -> str:
    _end_pause(session, dossier, now)
    dossier.finished_at = now
    dossier.outcome = calendar_for(session, dossier.site).classify(now, dossier.due_at)
    return dossier.outcome


def _refuse(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    reason = _text(data.get("reason"), "reason", required=True, limit=2000)
    rules = _text(data.get("rules_reference"), "rules_reference", limit=500)
    outcome = _finish(session, dossier, now)
    return {"data": {"reason": reason, "rules_reference": rules, "outcome": outcome}}


def _agency(dossier: Dossier, data: dict) -> str:
    return _text(data.get("agency"), "agency", limit=300) or dossier.procedure.department.name


def _transfer(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    return {
        "from_party": dossier.site.name,
        "to_party": _agency(dossier, data),
        "note": _text(data.get("note"), "note", limit=2000),
    }


def _start_processing(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    return {"note": _text(data.get("note"), "note", limit=2000)}


def _apologise(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    if dossier.apology_due_at is not None:
        raise Conflict("apology_once", "An apology with a new date may be issued only once.")
    if not flags(session, dossier, now):
        raise Conflict("not_late", "The dossier is neither late nor about to be late.")
    reason = _text(data.get("reason"), "reason", required=True, limit=2000)
    new_due = parse_instant(data.get("new_due_at"), "new_due_at")
    if new_due <= max(now, dossier.due_at):
        raise ApiError("invalid_new_due_at", "The new date must be later than the due date and now.")
    dossier.apology_due_at = new_due
    signed_by = _text(data.get("signed_by"), "signed_by", limit=200)
    return {"data": {"reason": reason, "new_due_at": new_due.isoformat(), "signed_by": signed_by}}


def parse_instant(value, field: str) -> datetime:
    if isinstance(value, datetime):
        parsed = value
    else:
        try:
            parsed = datetime.fromisoformat(str(value))
        except ValueError:
            raise ApiError(f"invalid_{field}", f"{field} must be an ISO 8601 instant.") from None
    if parsed.tzinfo is None:
        raise ApiError(f"invalid_{field}", f"{field} must carry its UTC offset.")
    return parsed.astimezone(UTC)


def _result_ready(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    outcome = _finish(session, dossier, now)
    return {
        "from_party": _agency(dossier, data),
        "to_party": dossier.site.name,
        "note": _text(data.get("note"), "note", limit=2000),
        "data": {"outcome": outcome},
    }


def _recipient(data: dict) -> dict:
    recipient = {
        "recipient_name": _text(data.get("recipient_name"), "recipient_name", required=True, limit=200),
        "recipient_id_number": _text(data.get("recipient_id_number"), "recipient_id_number", limit=20),
        "proxy": bool(data.get("proxy", False)),
        "authorisation": _text(data.get("authorisation"), "authorisation", limit=300),
    }
    if recipient["proxy"] and not recipient["authorisation"]:
        raise ApiError(
            "missing_field", "A proxy must show an authorisation: describe it.", field="authorisation"
        )
    return recipient


def _return(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    method = _choice(data.get("method"), Delivery.ALL, "method", Delivery.COUNTER)
    if method == Delivery.POST:
        raise ApiError("use_manifest", "A result goes by post on a return manifest, then 'deliver'.")
    recipient = _recipient(data) if method == Delivery.COUNTER else {}
    dossier.returned_at = now
    dossier.return_method = method
    return {"from_party": dossier.site.name, "to_party": recipient.get("recipient_name"), "data": recipient}


def _deliver(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    at = parse_instant(data["delivered_at"], "delivered_at") if data.get("delivered_at") else now
    recipient = _recipient(data)
    dossier.returned_at = at
    dossier.return_method = Delivery.POST
    return {"at": at, "to_party": recipient["recipient_name"], "data": recipient}


def _undeliver(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    at = parse_instant(data["attempted_at"], "attempted_at") if data.get("attempted_at") else now
    return {"at": at, "data": {"reason": _text(data.get("reason"), "reason", required=True)}}


STEPS = {
    "request_supplement": _request_supplement,
    "resubmit": _resubmit,
    "refuse": _refuse,
    "transfer": _transfer,
    "start_processing": _start_processing,
    "apologise": _apologise,
    "result_ready": _result_ready,
    "return": _return,
    "deliver": _deliver,
    "undeliver": _undeliver,
}
assert set(STEPS) == set(TRANSITIONS)
