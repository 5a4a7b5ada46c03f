"""Everything that changes a dossier: the only place for the dossier's rules.

Intake (:func:`receive`) ends one of three ways (Thông tư 01/2018 and its forms, kept by
Thông tư 03/2025): the dossier is registered, with a receipt (Mẫu 01), a tracking-book entry, a due date
and its fee; or the officer turns it away without registering it, with guidance on what to
complete (Mẫu 02, status ``incomplete``) or a refusal (Mẫu 03, status ``refused``): no receipt,
no due date, no fee kept.

A registered dossier then follows :data:`TRANSITIONS`: received -> (supplement_requested ->
resubmitted) -> transferred -> processing -> [apology_issued] -> result_ready -> returned; it
may be refused, or stopped at the citizen's request until a result exists (Nghị định 118/2025
Điều 21, Thông tư 03/2025 Điều 7, stop notice Mẫu 05). :func:`apply` checks the table, records
one :class:`~.models.DossierEvent` per change (the control sheet is built from them) and keeps
the deadline:

- a supplement may be requested once (Nghị định 118/2025 Điều 11); once the complete dossier
  is back the processing time starts again from the beginning, or, where the province keeps
  the older rule, the due date moves by the working time the citizen took
  (:class:`.policy.SupplementRule`);
- the apology (Mẫu 04) proposes a new date once, later than the due date and always a working
  instant, at the latest one working day before the due date (Nghị định 61/2018 Điều 19.9, kept
  by 2025 provincial rules; :class:`.policy.LateApology` for one sent later);
- a result is classed early, on time or late against the statutory due instant (by the
  convention in :mod:`.deadlines`); a refused or stopped dossier is classed neither and its fee
  is refunded or not collected (:class:`.policy.Policy`).

Commit is the caller's.
"""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Literal, overload

from blinker import Namespace
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..actors import Actor, client_address
from ..database import utcnow
from ..errors import ApiError, Conflict, NotFound
from ..events import publish_after_commit
from ..lookups import AnySession, one_or_404
from ..queueing.models import Ticket
from ..sites.calendar import business_date
from ..sites.models import Site
from ..sites.province import same_province
from . import codes, formsets, registers, rules
from .calendars import calendar_for
from .formsets import FormKind
from .models import Dossier, DossierEvent, Procedure
from .policy import LateApology, Policy, SupplementRule
from .rules import (
    CLIENT_ID,
    Delivery,
    DossierChannel,
    FeePayment,
    FeeStatus,
    IntakeDecision,
    NoticeChannel,
    Outcome,
    RequestChannel,
    ReturnPlace,
)
from .rules import DossierStatus as S

# action: (the states it may start from, the state it leads to)
TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    # From resubmitted too, so that a second request is told a supplement is asked once only.
    "request_supplement": (
        frozenset({S.RECEIVED, S.RESUBMITTED, S.TRANSFERRED, S.PROCESSING}),
        S.SUPPLEMENT_REQUESTED,
    ),
    "resubmit": (frozenset({S.SUPPLEMENT_REQUESTED}), S.RESUBMITTED),
    "refuse": (
        frozenset({S.RECEIVED, S.SUPPLEMENT_REQUESTED, S.RESUBMITTED, S.TRANSFERRED, S.PROCESSING}),
        S.REFUSED,
    ),
    # Until a decision or a result notice exists (Thông tư 03/2025 Điều 7).
    "stop": (frozenset(S.OPEN), S.STOPPED),
    "transfer": (frozenset({S.RECEIVED, S.RESUBMITTED}), S.TRANSFERRED),
    "start_processing": (frozenset({S.TRANSFERRED, S.RESUBMITTED}), S.PROCESSING),
    # From apology_issued too, so that a second apology is told it may be issued once only.
    "apologise": (
        frozenset({S.TRANSFERRED, S.PROCESSING, S.RESUBMITTED, S.APOLOGY_ISSUED}),
        S.APOLOGY_ISSUED,
    ),
    "result_ready": (
        frozenset({S.TRANSFERRED, S.PROCESSING, S.RESUBMITTED, S.APOLOGY_ISSUED}),
        S.RESULT_READY,
    ),
    "return": (frozenset({S.RESULT_READY, S.REFUSED}), S.RETURNED),
    # By post: the postman handed the result over, or could not (the status stays).
    "deliver": (frozenset({S.RESULT_READY}), S.RETURNED),
    "undeliver": (frozenset({S.RESULT_READY}), S.RESULT_READY),
}
ACTIONS = tuple(TRANSITIONS)
AGENCY_PHASE = frozenset({S.TRANSFERRED, S.PROCESSING})
# What a dossier waiting for its fee (Dossier.awaiting_payment) may not do yet: go to the agency
# or come back from it. It may still be refused, stopped, or asked for a supplement.
PAYMENT_GATED = frozenset({"transfer", "start_processing", "apologise", "result_ready"})


# Asked which post office carries a dossier's result (sender: the dossier; ``session``): the one
# that records its delivery. The manifests know (``manifests/operations.py`` answers); they sit
# above the dossiers, which ask through this signal instead of importing them.
carrier_wanted = Namespace().signal("carrier-wanted")


def carrier_of(session: Session, dossier: Dossier) -> Site | None:
    """The post office carrying the dossier's result, as the manifests answer, or None."""
    answers = (site for _receiver, site in carrier_wanted.send(dossier, session=session))
    return next((site for site in answers if site is not None), None)


def new_client_id() -> str:
    return uuid.uuid4().hex


def get_by_code(session: Session, code: str) -> Dossier:
    statement = select(Dossier).where(Dossier.code == code)
    return one_or_404(session, statement, code="unknown_dossier", message=f"No dossier {code!r}.")


def get_by_tracking_key(session: AnySession, key: str) -> Dossier:
    """The dossier of a tracking link (the unguessable key in the receipt's QR code)."""
    statement = select(Dossier).where(Dossier.tracking_key == key)
    return one_or_404(
        session, statement, code="unknown_dossier", message="No dossier has this tracking link."
    )


def changed(session: Session, code: str) -> Dossier | None:
    """The dossier a transaction changed (a "dossier.changed" event's ``code``): already in the
    session, without a query, for the receivers of ``events.committing``."""
    for instance in session.identity_map.values():
        if isinstance(instance, Dossier) and instance.code == code:
            return instance
    return session.scalar(select(Dossier).where(Dossier.code == code))


def get_procedure(session: Session, site: Site, code: str) -> Procedure:
    """A procedure of the catalogue that ``site`` handles."""
    procedure = session.scalar(select(Procedure).where(Procedure.site_id == site.id, Procedure.code == code))
    if procedure is None or not procedure.active:
        raise NotFound("unknown_procedure", f"No procedure {code!r} at site {site.code}.")
    return procedure


@overload
def text(value, field: str, *, required: Literal[True], limit: int = rules.ADDRESS_MAX) -> str: ...
@overload
def text(value, field: str, *, required: bool = False, limit: int = rules.ADDRESS_MAX) -> str | None: ...
def text(value, field: str, *, required: bool = False, limit: int = rules.ADDRESS_MAX) -> str | None:
    """A text a step of the dossier was given: spaces collapsed, within ``limit``; None when
    blank, unless ``required`` (400 naming ``field``)."""
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
        "applicant_name": text(data.get("name"), "applicant.name", required=True, limit=rules.NAME_MAX),
        "applicant_id_number": text(data.get("id_number"), "applicant.id_number", limit=rules.ID_NUMBER_MAX),
        "applicant_phone": text(data.get("phone"), "applicant.phone", limit=rules.PHONE_MAX),
        "applicant_address": text(data.get("address"), "applicant.address", limit=rules.ADDRESS_MAX),
        "applicant_email": text(data.get("email"), "applicant.email", limit=rules.EMAIL_MAX),
    }
    checks = (
        ("applicant_id_number", rules.ID_NUMBER, "an ID number has 12 digits (CCCD) or 9 (CMND)"),
        ("applicant_phone", rules.PHONE, "a phone number has 8 to 15 digits"),
        ("applicant_email", rules.EMAIL, "the e-mail address is not valid"),
    )
    for key, pattern, message in checks:
        value = applicant[key]
        if value is not None and not pattern.match(value):
            field = key.replace("applicant_", "applicant.")
            raise ApiError("invalid_applicant", f"{field.split('.')[1]}: {message}.", field=field)
    return applicant


def _documents(items) -> list[dict]:
    if items is None:
        return []
    if not isinstance(items, list) or len(items) > rules.DOCUMENTS_MAX:
        raise ApiError("invalid_documents", f"documents must be a list of at most {rules.DOCUMENTS_MAX}.")
    documents = []
    for i, item in enumerate(items, 1):
        if not isinstance(item, dict):
            raise ApiError("invalid_documents", f"Document {i} must be an object.")
        document = {
            "name": text(
                item.get("name"), f"documents[{i}].name", required=True, limit=rules.DOCUMENT_NAME_MAX
            )
        }
        for key in rules.DOCUMENT_COUNTS:
            count = item.get(key, 0)
            if not _whole(count, rules.COPIES_MIN, rules.COPIES_MAX):
                raise ApiError(
                    "invalid_documents",
                    f"documents[{i}].{key} must be {rules.COPIES_MIN} to {rules.COPIES_MAX}.",
                )
            document[key] = count
        documents.append(document)
    return documents


def _items(data: dict) -> list[str]:
    """What the citizen must add, all at once (one request only)."""
    items = data.get("items")
    if not isinstance(items, list) or not items or not all(isinstance(i, str) and i.strip() for i in items):
        raise ApiError("missing_field", "items: list every document to add, at once.", field="items")
    if len(items) > rules.DOCUMENTS_MAX:
        raise ApiError(
            "invalid_field", f"items lists at most {rules.DOCUMENTS_MAX} documents.", field="items"
        )
    return [text(i, "items", required=True, limit=rules.DOCUMENT_NAME_MAX) for i in items]


def _whole(value, low: int, high: int | None = None) -> bool:
    return (
        isinstance(value, int)
        and not isinstance(value, bool)
        and value >= low
        and (high is None or value <= high)
    )


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
    """Take in a dossier for ``procedure`` (handled by ``site``) at ``intake_site`` and return it
    with ``created``.

    ``data`` holds the applicant, what was checked, and the officer's ``decision``
    (:class:`~.rules.IntakeDecision`; ``accept`` by default). ``intake_site`` may be any centre
    or post office of the same province (intake regardless of administrative boundary,
    Nghị định 118/2025 Điều 14); the result comes back where ``return_to`` says. With a
    ``client_id`` that is already known the existing dossier comes back (``created`` False): a
    retried request never makes a second dossier. An offline client also brings its own
    ``code`` (under its own agency code) and ``received_at``.
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
    decision = _choice(data.get("decision"), IntakeDecision.ALL, "decision", IntakeDecision.ACCEPT)
    if procedure.site_id != site.id:
        raise ApiError("wrong_site", "The procedure is not one of this centre's.")
    if not same_province(intake_site, site):
        raise ApiError(
            "other_province", f"{intake_site.code} may take in only its own province's procedures."
        )
    if channel == DossierChannel.POSTAL and not procedure.postal_allowed:
        raise ApiError("not_postal", "The post may not take in dossiers for this procedure.")
    if decision != IntakeDecision.ACCEPT and not intake_site.is_centre:
        raise ApiError("not_a_centre", "Only a one-stop unit gives guidance or refuses at intake.")
    if not intake_site.agency_code:
        raise Conflict("no_agency_code", f"Site {intake_site.code} has no agency code for dossiers.")

    received_at = _received_at(data.get("received_at"), now)
    delivery = _choice(data.get("delivery"), Delivery.ALL, "delivery", Delivery.COUNTER)
    delivery_address = text(data.get("delivery_address"), "delivery_address")
    if delivery == Delivery.POST and not delivery_address:
        raise ApiError(
            "missing_field", "A result sent by post needs the delivery address.", field="delivery_address"
        )
    fee = data.get("fee", procedure.fee)
    if not _whole(fee, 0, rules.FEE_MAX):
        raise ApiError(
            "invalid_fee", f"fee is a whole number of đồng, from 0 to {rules.FEE_MAX}.", field="fee"
        )
    sets = data.get("sets", rules.SETS_MIN)
    if not _whole(sets, rules.SETS_MIN, rules.SETS_MAX):
        raise ApiError("invalid_sets", f"sets must be {rules.SETS_MIN} to {rules.SETS_MAX}.", field="sets")
    fee_payment = _choice(data.get("fee_payment"), FeePayment.ALL, "fee_payment", FeePayment.CASH)

    ticket_id = data.get("ticket_id")
    if ticket_id is not None:
        ticket = session.get(Ticket, ticket_id) if isinstance(ticket_id, int) else None
        if ticket is None or ticket.site_id != intake_site.id:
            raise ApiError("unknown_ticket", f"No ticket {ticket_id} at site {intake_site.code}.")

    contact_consent = _consent(data.get("contact_consent", False))
    turned_away = _turned_away(data, decision) if decision != IntakeDecision.ACCEPT else None
    received_on = business_date(intake_site, received_at)
    code = data.get("code")
    if code is None:
        code = codes.allocate_code(session, intake_site.agency_code, received_on, procedure.system_code or "")
    else:
        codes.check_own_code(session, code, intake_site.agency_code, received_on)

    dossier = Dossier(
        client_id=client_id,
        code=code,
        tracking_key=secrets.token_urlsafe(16),
        form_set=formsets.in_force(received_on).code,
        site=site,
        intake_site=intake_site,
        return_site_id=_return_site(data, site, intake_site, delivery),
        procedure=procedure,
        channel=channel,
        status=S.RECEIVED,
        registered=turned_away is None,
        **_applicant(data.get("applicant") or {}),
        documents=_documents(data.get("documents")),
        sets=sets,
        delivery=delivery,
        delivery_address=delivery_address,
        fee=fee,
        fee_payment=fee_payment,
        fee_status=FeeStatus.at_intake(fee, fee_payment),
        payment_before_processing=procedure.payment_before_processing,
        ticket_id=ticket_id,
        note=text(data.get("note"), "note", limit=rules.NOTE_MAX),
        contact_consent=contact_consent,
        contact_consent_at=received_at if contact_consent else None,
        contact_consent_via=channel if contact_consent else None,
        received_at=received_at,
        received_by_id=actor.user_id,
        received_by_name=actor_name(actor, data.get("received_by_name")),
        created_at=now,
        updated_at=now,
    )
    if dossier.fee_status == FeeStatus.PAID:  # at the counter, to the receiving officer
        dossier.fee_paid_at, dossier.fee_confirmed_by = received_at, dossier.received_by_name
    session.add(dossier)
    if turned_away is None:
        _register(session, dossier, received_at)
        if dossier.awaiting_payment and Policy.current().payment_pauses_clock:
            dossier.paused_since = received_at
        _record(session, dossier, "receive", actor, received_at, to_party=intake_site.name)
    else:
        status, form, event_data = turned_away
        dossier.status = status
        dossier.fee, dossier.fee_status = 0, FeeStatus.NOT_COLLECTED
        dossier.finished_at = received_at
        dossier.outcome = Outcome.REFUSED if status == S.REFUSED else None
        event_data["number"] = registers.notice_number(session, intake_site, form, received_at)
        event_data["issuer"] = intake_site.code
        _record(session, dossier, "turn_away", actor, received_at, data=event_data)
    session.flush()
    return dossier, True


def _consent(value) -> bool:
    """The applicant's optional consent to be contacted: a true yes, never assumed."""
    if not isinstance(value, bool):
        raise ApiError(
            "invalid_contact_consent", "contact_consent is true or false.", field="contact_consent"
        )
    return value


def set_contact_consent(
    session: Session, dossier: Dossier, actor: Actor, consent, via, now: datetime | None = None
) -> Dossier:
    """The applicant gives, or withdraws, their consent to be contacted about the dossier by
    phone, SMS or Zalo (Law 91/2025/QH15: consent may be withdrawn at any time [summary]),
    asked in person, by post or online (``via``). One line of the dossier's history says
    who recorded it, when and from where; a dossier whose personal data was purged keeps
    no consent to change."""
    now = now or utcnow()
    consent = _consent(consent)
    via = _choice(via, RequestChannel.ALL, "via", RequestChannel.IN_PERSON)
    if dossier.personal_data_purged_at is not None:
        raise Conflict(
            "personal_data_purged", "This dossier's personal data was removed at the end of its retention."
        )
    if consent == dossier.contact_consent:
        return dossier
    dossier.contact_consent, dossier.contact_consent_at, dossier.contact_consent_via = consent, now, via
    dossier.updated_at = now
    _record(session, dossier, "contact_consent", actor, now, data={"contact_consent": consent, "via": via})
    session.flush()
    return dossier


def _turned_away(data: dict, decision: str) -> tuple[str, str, dict]:
    """(status, form, what the form says) of a dossier the officer does not take in."""
    if decision == IntakeDecision.INCOMPLETE:
        items = _items(data)
        reason = text(data.get("reason"), "reason", required=True, limit=rules.REASON_MAX)
        return (
            S.INCOMPLETE,
            FormKind.SUPPLEMENT_REQUEST,
            {"decision": decision, "items": items, "reason": reason},
        )
    reason = text(data.get("reason"), "reason", required=True, limit=rules.REASON_MAX)
    rules_reference = text(data.get("rules_reference"), "rules_reference", limit=rules.RULES_REFERENCE_MAX)
    return (
        S.REFUSED,
        FormKind.REFUSAL,
        {"decision": decision, "reason": reason, "rules_reference": rules_reference},
    )


def _return_site(data: dict, site: Site, intake_site: Site, delivery: str) -> int | None:
    """The centre whose counter hands the result back: where the citizen chose (``return_to``),
    by default where they handed the dossier in when that is a centre."""
    if delivery != Delivery.COUNTER:
        return None
    default = ReturnPlace.RECEIVING if intake_site.is_centre else ReturnPlace.HANDLING
    place = _choice(data.get("return_to"), ReturnPlace.ALL, "return_to", default)
    if place == ReturnPlace.RECEIVING and not intake_site.is_centre:
        raise ApiError("invalid_return_to", "A post office does not hand results back at a counter.")
    return intake_site.id if place == ReturnPlace.RECEIVING else site.id


def _register(session: Session, dossier: Dossier, received_at: datetime) -> None:
    """Enter the dossier in its receiving unit's book and set its clock."""
    book_site = dossier.receiving_site
    dossier.book_site = book_site
    dossier.book_year, dossier.book_volume, dossier.book_entry = registers.enter(
        session, book_site, received_at
    )
    _start_clock(session, dossier, received_at)
    cutoff = dossier.procedure.cutoff
    dossier.transfer_due_at = (
        calendar_for(session, dossier.site).transfer_deadline(received_at, cutoff).astimezone(UTC)
    )


def _start_clock(session: Session, dossier: Dossier, at: datetime) -> None:
    """The processing time runs from ``at`` (intake, or the complete dossier's return)."""
    procedure = dossier.procedure
    calendar = calendar_for(session, dossier.site)
    dossier.counted_from = calendar.clock_start(at, procedure.cutoff).astimezone(UTC)
    dossier.due_at = calendar.due(
        at, procedure.processing_amount, procedure.processing_unit, procedure.cutoff
    ).astimezone(UTC)


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
    if value > now + rules.CLOCK_SKEW:
        raise ApiError("invalid_received_at", "received_at is in the future.")
    if value < now - Policy.current().max_backdate:
        raise ApiError("invalid_received_at", "received_at is too far in the past.")
    return value


def actor_name(actor: Actor, given: str | None = None) -> str | None:
    if actor.user is not None:
        return actor.user.full_name or actor.user.username
    return text(given, "received_by_name", limit=rules.NAME_MAX) or (
        actor.device.name if actor.device else None
    )


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
    data: dict | None = None,
) -> DossierEvent:
    """The paper dossier changed hands without changing state (a manifest arrived); ``data``
    says which manifest brought it where (``to_site``)."""
    dossier.updated_at = max(dossier.updated_at, at)
    return _record(
        session,
        dossier,
        "handover",
        actor,
        at,
        from_party=from_party,
        to_party=to_party,
        note=note,
        data=data or {},
    )


def result_at_return_site(dossier: Dossier) -> bool:
    """Whether the result is where the citizen collects it: at once when the handling centre
    hands it back itself, else once a results manifest brought it to the return centre."""
    if dossier.status != S.RESULT_READY:
        return False
    if dossier.return_site_id in (None, dossier.site_id):
        return True
    assert dossier.return_site is not None  # return_site_id is set
    return_code = dossier.return_site.code
    return any(
        event.action == "handover" and (event.data or {}).get("to_site") == return_code
        for event in dossier.events
    )


def record_fee(
    session: Session, dossier: Dossier, actor: Actor, action: str, at: datetime, data: dict
) -> DossierEvent:
    """A move of the dossier's fee (:mod:`.fees`): its status is the fee's, not the dossier's."""
    event = _record(session, dossier, action, actor, at, data=data)
    session.flush()
    return event


def payment_settled(session: Session, dossier: Dossier, now: datetime) -> dict:
    """The fee of a dossier is no longer due (confirmed or waived, :mod:`.fees`). One that
    waited for it (:attr:`~.models.Dossier.awaiting_payment`) may now go to its agency: its
    clock, stopped since intake (``DOSSIER_PAYMENT_PAUSES_CLOCK``), runs again with its due date
    moved by the working time the payment took, and its transfer deadline counts from now (the
    same working day, or the next morning after the cut-off). What moved, for the fee's event."""
    if not dossier.payment_before_processing or dossier.status != S.RECEIVED:
        return {}
    previous_due = dossier.registered_due_at
    _end_pause(session, dossier, now)
    calendar = calendar_for(session, dossier.site)
    dossier.transfer_due_at = calendar.transfer_deadline(now, dossier.procedure.cutoff).astimezone(UTC)
    if dossier.registered_due_at == previous_due:
        return {}
    return {
        "previous_due_at": previous_due.isoformat(),
        "moved_due_at": dossier.registered_due_at.isoformat(),
    }


def record_flag(
    session: Session, dossier: Dossier, actor: Actor, at: datetime, flags: list[str]
) -> DossierEvent:
    """The system told the supervisors the dossier is due soon or late (see :mod:`.watch`)."""
    return _record(session, dossier, "flag", actor, at, data={"flags": flags})


def due_in(session: Session, dossier: Dossier, now: datetime | None = None) -> timedelta | None:
    """Working time left before the promised instant (negative when late), None once finished."""
    if dossier.status not in S.OPEN or dossier.promised_at is None:
        return None
    now = now or utcnow()
    calendar = calendar_for(session, dossier.site)
    if now <= dossier.promised_at:
        return calendar.between(now, dossier.promised_at)
    return -calendar.between(dossier.promised_at, now)


def apology_deadline(session: Session, dossier: Dossier) -> datetime:
    """The latest instant to send the apology: one working day (by default) before the due
    instant (Nghị định 61/2018 Điều 19.9, kept by 2025 provincial rules)."""
    calendar = calendar_for(session, dossier.site)
    lead = calendar.working_day * Policy.current().apology_lead_days
    return calendar.subtract(dossier.registered_due_at, lead).astimezone(UTC)


def flags(session: Session, dossier: Dossier, now: datetime | None = None) -> list[str]:
    """What the dossier's staff must see: ``payment_due`` (waiting for a fee due before
    processing), ``transfer_due`` (not yet with the agency past its transfer deadline),
    ``due_soon`` or ``overdue`` (against the date the citizen holds), and ``needs_apology`` (no
    apology yet and its deadline near or passed)."""
    now = now or utcnow()
    found = []
    if dossier.awaiting_payment:
        found.append("payment_due")
    elif dossier.status == S.RECEIVED and dossier.transfer_due_at is not None:
        if now > dossier.transfer_due_at:
            found.append("transfer_due")
    left = due_in(session, dossier, now)
    promised = dossier.promised_at
    if left is None or promised is None or dossier.paused:
        return found
    policy = Policy.current()
    if left < timedelta(0) or now > promised:
        found.append("overdue")
    elif left <= policy.due_soon:
        found.append("due_soon")
    if dossier.apology_due_at is None:
        deadline = apology_deadline(session, dossier)
        if now > deadline or calendar_for(session, dossier.site).between(now, deadline) <= policy.due_soon:
            found.append("needs_apology")
    return found


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
    if dossier.status not in sources or not dossier.registered:
        raise Conflict(
            "invalid_transition", f"Dossier {dossier.code} is {dossier.status}; it cannot {action}."
        )
    if action in PAYMENT_GATED and dossier.awaiting_payment:
        raise Conflict("payment_due", f"Dossier {dossier.code} waits for its fee: confirm or waive it first.")
    previous = dossier.status
    fields = STEPS[action](session, dossier, data, now)
    dossier.status = target
    dossier.updated_at = now
    at = fields.pop("at", now)
    event = _record(session, dossier, action, actor, at, **fields)
    event.data.setdefault("from_status", previous)
    session.flush()
    return event


def _issuer(dossier: Dossier) -> Site:
    """Who signs a supplement request or a refusal: the handling centre once the dossier is with
    its agency, else the one-stop unit that received it."""
    return dossier.site if dossier.status in AGENCY_PHASE else dossier.receiving_site


def _note(data: dict) -> str | None:
    return text(data.get("note"), "note", limit=rules.NOTE_MAX)


def _request_supplement(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    """Once only (Nghị định 118/2025 Điều 11): list everything at once."""
    items = _items(data)
    reason = text(data.get("reason"), "reason", required=True, limit=rules.REASON_MAX)
    if dossier.supplement_requests >= 1:
        raise Conflict("supplement_once", "A supplement may be requested only once.")
    dossier.supplement_requests += 1
    _end_pause(session, dossier, now)  # a wait for the fee ends: the supplement's begins
    dossier.paused_since = now
    site = _issuer(dossier)
    return {
        "data": {
            "items": items,
            "reason": reason,
            "number": registers.notice_number(session, site, FormKind.SUPPLEMENT_REQUEST, now),
            "issuer": site.code,
            "rule": Policy.current().supplement_rule,
        }
    }


def _end_pause(session, dossier: Dossier, now: datetime) -> None:
    """The citizen's time is over: the due date moves by the working time it took."""
    if dossier.paused_since is None:
        return
    calendar = calendar_for(session, dossier.site)
    dossier.paused_seconds += int(calendar.between(dossier.paused_since, now).total_seconds())
    dossier.due_at = calendar.extend_for_pause(
        dossier.registered_due_at, dossier.paused_since, now
    ).astimezone(UTC)
    dossier.paused_since = None


def _resubmit(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    """The complete dossier is back: by default its processing time starts again."""
    previous_due = dossier.registered_due_at
    if Policy.current().supplement_rule == SupplementRule.RESTART:
        calendar = calendar_for(session, dossier.site)
        assert dossier.paused_since is not None  # paused since the supplement was requested
        dossier.paused_seconds += int(calendar.between(dossier.paused_since, now).total_seconds())
        dossier.paused_since = None
        _start_clock(session, dossier, now)
    else:
        _end_pause(session, dossier, now)
    documents = data.get("documents")
    if documents is not None:
        dossier.documents = [*dossier.documents, *_documents(documents)]
    return {
        "note": _note(data),
        "data": {
            "previous_due_at": previous_due.isoformat(),
            "due_at": dossier.registered_due_at.isoformat(),
            "rule": Policy.current().supplement_rule,
        },
    }


def _settle(session, dossier: Dossier, now: datetime, outcome: str, refund: bool) -> dict:
    """End a dossier without a result: no early/on-time/late class; the fee is refunded (when
    the policy says so) or never collected."""
    dossier.paused_since = None
    dossier.finished_at = now
    dossier.outcome = outcome
    if dossier.fee_status == FeeStatus.PAID and refund:
        dossier.fee_status = FeeStatus.REFUNDED
    elif dossier.fee_status == FeeStatus.UNPAID:
        dossier.fee_status = FeeStatus.NOT_COLLECTED
    return {"outcome": outcome, "fee_status": dossier.fee_status}


def _refuse(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    reason = text(data.get("reason"), "reason", required=True, limit=rules.REASON_MAX)
    rules_reference = text(data.get("rules_reference"), "rules_reference", limit=rules.RULES_REFERENCE_MAX)
    settled = _settle(session, dossier, now, Outcome.REFUSED, Policy.current().refund_on_refusal)
    site = _issuer(dossier)
    number = registers.notice_number(session, site, FormKind.REFUSAL, now)
    return {
        "data": {
            "reason": reason,
            "rules_reference": rules_reference,
            "number": number,
            "issuer": site.code,
            **settled,
        }
    }


def _stop(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    """At the citizen's request, in person, by post or online; the one-stop unit that received
    the dossier checks that no decision exists yet (the transition table) and issues the stop
    notice (Thông tư 03/2025 Điều 7, Mẫu 05)."""
    via = _choice(data.get("requested_via"), RequestChannel.ALL, "requested_via", RequestChannel.IN_PERSON)
    site = dossier.receiving_site
    requested_on = _day(data.get("requested_at"), "requested_at", site) or business_date(site, now)
    if not business_date(site, dossier.received_at) <= requested_on <= business_date(site, now):
        raise ApiError("invalid_requested_at", "The request is dated between the receipt and today.")
    reason = text(data.get("reason"), "reason", limit=rules.REASON_MAX)
    settled = _settle(session, dossier, now, Outcome.STOPPED, Policy.current().refund_on_stop)
    number = registers.notice_number(session, site, FormKind.STOP_NOTICE, now)
    details = {"requested_via": via, "requested_on": requested_on.isoformat(), "reason": reason}
    return {"note": _note(data), "data": {**details, "number": number, "issuer": site.code, **settled}}


def _agency(dossier: Dossier, data: dict) -> str:
    return text(data.get("agency"), "agency", limit=rules.AGENCY_MAX) or dossier.procedure.department.name


def _transfer(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    """To the agency that decides, the same working day or the next morning after the cut-off
    (:meth:`.deadlines.WorkingCalendar.transfer_deadline`); the event says whether it was."""
    deadline = dossier.transfer_due_at
    return {
        "from_party": dossier.site.name,
        "to_party": _agency(dossier, data),
        "note": _note(data),
        "data": {"in_time": deadline is None or now <= deadline},
    }


def _start_processing(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    return {"note": _note(data)}


def _apologise(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    """The handling agency apologises and proposes a new date, once: later than the due date,
    always a working instant, sent at the latest one working day before the due date."""
    if dossier.apology_due_at is not None:
        raise Conflict("apology_once", "An apology with a new date may be issued only once.")
    reason = text(data.get("reason"), "reason", required=True, limit=rules.REASON_MAX)
    calendar = calendar_for(session, dossier.site)
    new_due = _new_date(data.get("new_due_at"), calendar)
    if new_due <= max(now, dossier.registered_due_at):
        raise ApiError("invalid_new_due_at", "The new date must be later than the due date and now.")
    deadline = apology_deadline(session, dossier)
    late_notice = now > deadline
    if late_notice and Policy.current().late_apology == LateApology.REFUSE:
        raise Conflict(
            "apology_too_late",
            f"The apology had to be sent by {deadline.isoformat()}, one working day before the due date.",
        )
    notified_by = data.get("notified_by") or []
    if not isinstance(notified_by, list) or any(way not in NoticeChannel.ALL for way in notified_by):
        raise ApiError("invalid_notified_by", f"notified_by lists some of {', '.join(NoticeChannel.ALL)}.")
    dossier.apology_due_at = new_due
    return {
        "data": {
            "reason": reason,
            "previous_due_at": dossier.registered_due_at.isoformat(),
            "new_due_at": new_due.isoformat(),
            "signed_by": text(data.get("signed_by"), "signed_by", limit=rules.NAME_MAX),
            "notified_by": list(dict.fromkeys(notified_by)),
            "deadline": deadline.isoformat(),
            "late_notice": late_notice,
            "number": registers.notice_number(session, dossier.site, FormKind.APOLOGY, now),
            "issuer": dossier.site.code,
        }
    }


def _date_or_instant(value, field: str) -> date | datetime:
    """A day (``2026-12-21``) or an instant with its offset."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if isinstance(value, str) and len(value) == 10:
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise ApiError(f"invalid_{field}", f"{field} must be an ISO 8601 date or instant.") from None
    return parse_instant(value, field)


def _day(value, field: str, site: Site) -> date | None:
    """A day given as a date, or as an instant (its day at the site)."""
    if value is None or value == "":
        return None
    given = _date_or_instant(value, field)
    return business_date(site, given) if isinstance(given, datetime) else given


def _new_date(value, calendar) -> datetime:
    """The promised date as a working instant: a day alone means its close; an instant when no
    office is open moves to the next opening."""
    given = _date_or_instant(value, "new_due_at")
    if isinstance(given, datetime):
        return calendar.working_instant(given).astimezone(UTC)
    return calendar.close_of(given).astimezone(UTC)


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
    _end_pause(session, dossier, now)
    dossier.finished_at = now
    dossier.outcome = calendar_for(session, dossier.site).classify(now, dossier.registered_due_at)
    return {
        "from_party": _agency(dossier, data),
        "to_party": dossier.site.name,
        "note": _note(data),
        "data": {"outcome": dossier.outcome},
    }


def _recipient(data: dict) -> dict:
    recipient = {
        "recipient_name": text(
            data.get("recipient_name"), "recipient_name", required=True, limit=rules.NAME_MAX
        ),
        "recipient_id_number": text(
            data.get("recipient_id_number"), "recipient_id_number", limit=rules.ID_NUMBER_MAX
        ),
        "proxy": bool(data.get("proxy", False)),
        "authorisation": text(data.get("authorisation"), "authorisation", limit=rules.RULES_REFERENCE_MAX),
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
    if method == Delivery.COUNTER and dossier.status == S.RESULT_READY and not result_at_return_site(dossier):
        assert dossier.return_site is not None  # else the result would be at the handling centre
        raise Conflict(
            "result_not_here",
            f"The result has not reached {dossier.return_site.name} yet: receive its results manifest first.",
        )
    recipient = _recipient(data) if method == Delivery.COUNTER else {}
    dossier.returned_at = now
    dossier.return_method = method
    returned_by = dossier.return_site or dossier.site
    return {"from_party": returned_by.name, "to_party": recipient.get("recipient_name"), "data": recipient}


def _deliver(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    at = parse_instant(data["delivered_at"], "delivered_at") if data.get("delivered_at") else now
    recipient = _recipient(data)
    dossier.returned_at = at
    dossier.return_method = Delivery.POST
    return {"at": at, "to_party": recipient["recipient_name"], "data": recipient}


def _undeliver(session, dossier: Dossier, data: dict, now: datetime) -> dict:
    at = parse_instant(data["attempted_at"], "attempted_at") if data.get("attempted_at") else now
    return {"at": at, "data": {"reason": text(data.get("reason"), "reason", required=True)}}


STEPS = {
    "request_supplement": _request_supplement,
    "resubmit": _resubmit,
    "refuse": _refuse,
    "stop": _stop,
    "transfer": _transfer,
    "start_processing": _start_processing,
    "apologise": _apologise,
    "result_ready": _result_ready,
    "return": _return,
    "deliver": _deliver,
    "undeliver": _undeliver,
}
assert set(STEPS) == set(TRANSITIONS)
