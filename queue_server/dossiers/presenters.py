"""Dossiers as the API shows them: a public view (tracking page, kiosk) without personal data,
and the staff view with the applicant, the history, the attachments, the forms and the flags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..timefmt import iso
from ..web import public_url
from . import forms, lifecycle, registers
from .models import Dossier, Procedure
from .rules import Delivery, DossierStatus


def procedure_view(procedure: Procedure) -> dict:
    return {
        "code": procedure.code,
        "name": procedure.name,
        "site": procedure.site.code,
        "site_name": procedure.site.name,
        "department": procedure.department.code,
        "department_name": procedure.department.name,
        "field": procedure.field,
        "processing_amount": procedure.processing_amount,
        "processing_unit": procedure.processing_unit,
        "fee": procedure.fee,
        "documents": procedure.documents,
        "postal_allowed": procedure.postal_allowed,
        "cutoff": procedure.cutoff.strftime("%H:%M") if procedure.cutoff else None,
        "system_code": procedure.system_code,
        "payment_before_processing": procedure.payment_before_processing,
    }


def track_url(dossier: Dossier) -> str:
    return public_url(f"/d/{dossier.tracking_key}")


def dossier_public(dossier: Dossier) -> dict:
    """What anyone holding the receipt may see: no name, ID number, phone or address."""
    procedure = dossier.procedure
    return_site = dossier.return_site or dossier.site
    return {
        "code": dossier.code,
        "site": dossier.site.code,
        "site_name": dossier.site.name,
        "receiving_site": dossier.receiving_site.code,
        "receiving_site_name": dossier.receiving_site.name,
        "return_site": return_site.code if dossier.delivery == Delivery.COUNTER else None,
        "return_site_name": return_site.name if dossier.delivery == Delivery.COUNTER else None,
        "procedure": procedure.code,
        "procedure_name": procedure.name,
        "department": procedure.department.name,
        "status": dossier.status,
        "registered": dossier.registered,
        "channel": dossier.channel,
        "delivery": dossier.delivery,
        "received_at": iso(dossier.received_at),
        "counted_from": iso(dossier.counted_from),
        "due_at": iso(dossier.due_at),
        "apology_due_at": iso(dossier.apology_due_at),
        "paused": dossier.paused,
        "finished_at": iso(dossier.finished_at),
        "outcome": dossier.outcome,
        "returned_at": iso(dossier.returned_at),
        "return_method": dossier.return_method,
        "result_ready": dossier.status == DossierStatus.RESULT_READY,
    }


def event_view(event) -> dict:
    return {
        "id": event.id,
        "at": iso(event.at),
        "action": event.action,
        "status": event.status,
        "actor": event.actor_name,
        "from_party": event.from_party,
        "to_party": event.to_party,
        "note": event.note,
        "data": event.data or {},
    }


def attachment_view(attachment) -> dict:
    return {
        "id": attachment.id,
        "filename": attachment.filename,
        "content_type": attachment.content_type,
        "size": attachment.size,
        "sha256": attachment.sha256,
        "created_at": iso(attachment.created_at),
        "purged_at": iso(attachment.purged_at),
    }


def applicant_view(dossier: Dossier) -> dict:
    """The applicant's personal data, for the dossier's staff (and the applicant's own export)."""
    return {
        "name": dossier.applicant_name,
        "id_number": dossier.applicant_id_number,
        "phone": dossier.applicant_phone,
        "address": dossier.applicant_address,
        "email": dossier.applicant_email,
    }


def dossier_staff(session: Session, dossier: Dossier, now: datetime | None = None) -> dict:
    """Everything the dossier's staff need; never sent to a public screen."""
    return {
        **dossier_public(dossier),
        "client_id": dossier.client_id,
        "form_set": dossier.form_set,
        "intake_site": dossier.intake_site.code,
        "applicant": applicant_view(dossier),
        "documents": dossier.documents,
        "sets": dossier.sets,
        "delivery_address": dossier.delivery_address,
        "fee": dossier.fee,
        "fee_payment": dossier.fee_payment,
        "fee_status": dossier.fee_status,
        "fee_paid_at": iso(dossier.fee_paid_at),
        "fee_receipt_number": dossier.fee_receipt_number,
        "fee_confirmed_by": dossier.fee_confirmed_by,
        "ticket_id": dossier.ticket_id,
        "note": dossier.note,
        "received_by": dossier.received_by_name,
        "book": {
            "site": dossier.book_site.code,
            "year": dossier.book_year,
            "volume": dossier.book_volume,
            "entry": dossier.book_entry,
            "entry_label": registers.entry_label(dossier.book_entry),
        }
        if dossier.book_site is not None
        else None,
        "transfer_due_at": iso(dossier.transfer_due_at),
        "supplement_requests": dossier.supplement_requests,
        "paused_seconds": dossier.paused_seconds,
        "flags": lifecycle.flags(session, dossier, now),
        "tracking_url": track_url(dossier),
        "forms": [form.view() for form in forms.available(dossier)],
        "events": [event_view(e) for e in dossier.events],
        "attachments": [attachment_view(a) for a in dossier.attachments],
        "contact_consent": consent_view(dossier),
        "personal_data_purged_at": iso(dossier.personal_data_purged_at),
    }


def consent_view(dossier: Dossier) -> dict:
    return {
        "given": dossier.contact_consent,
        "at": iso(dossier.contact_consent_at),
        "via": dossier.contact_consent_via,
    }


def dossier_row(session: Session, dossier: Dossier, now: datetime | None = None) -> dict:
    """One line of a list: the public view, the applicant's name and the flags."""
    return {
        **dossier_public(dossier),
        "intake_site": dossier.intake_site.code,
        "applicant_name": dossier.applicant_name,
        "flags": lifecycle.flags(session, dossier, now),
    }
