"""Dossiers as the API shows them: a public view (tracking page, kiosk) without personal data,
and the staff view with the applicant, the history, the attachments and the flags."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from ..queueing.presenters import iso
from ..web import N_, public_url
from . import lifecycle
from .models import Delivery, Dossier, DossierStatus

# What each status means to a citizen (and on staff pages); the message ids are Vietnamese.
STATUS_LABELS = {
    DossierStatus.RECEIVED: N_("Đã tiếp nhận"),
    DossierStatus.SUPPLEMENT_REQUESTED: N_("Cần bổ sung hồ sơ"),
    DossierStatus.RESUBMITTED: N_("Đã bổ sung hồ sơ"),
    DossierStatus.REFUSED: N_("Bị từ chối"),
    DossierStatus.TRANSFERRED: N_("Đã chuyển cơ quan giải quyết"),
    DossierStatus.PROCESSING: N_("Đang giải quyết"),
    DossierStatus.APOLOGY_ISSUED: N_("Đang giải quyết, đã hẹn lại ngày trả"),
    DossierStatus.RESULT_READY: N_("Đã có kết quả"),
    DossierStatus.RETURNED: N_("Đã trả kết quả"),
}
OUTCOME_LABELS = {"early": N_("Trước hạn"), "on_time": N_("Đúng hạn"), "late": N_("Trễ hạn")}
DELIVERY_LABELS = {
    Delivery.COUNTER: N_("Tại quầy trả kết quả"),
    Delivery.POST: N_("Qua bưu điện"),
    Delivery.ONLINE: N_("Trực tuyến"),
}


def track_url(dossier: Dossier) -> str:
    return public_url(f"/d/{dossier.tracking_key}")


def dossier_public(dossier: Dossier) -> dict:
    """What anyone holding the receipt may see: no name, ID number, phone or address."""
    procedure = dossier.procedure
    return {
        "code": dossier.code,
        "site": dossier.site.code,
        "site_name": dossier.site.name,
        "procedure": procedure.code,
        "procedure_name": procedure.name,
        "department": procedure.department.name,
        "status": dossier.status,
        "channel": dossier.channel,
        "delivery": dossier.delivery,
        "received_at": iso(dossier.received_at),
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
    }


def dossier_staff(session: Session, dossier: Dossier, now: datetime | None = None) -> dict:
    """Everything the dossier's staff need; never sent to a public screen."""
    return {
        **dossier_public(dossier),
        "client_id": dossier.client_id,
        "form_set": dossier.form_set,
        "intake_site": dossier.intake_site.code,
        "applicant": {
            "name": dossier.applicant_name,
            "id_number": dossier.applicant_id_number,
            "phone": dossier.applicant_phone,
            "address": dossier.applicant_address,
            "email": dossier.applicant_email,
        },
        "documents": dossier.documents,
        "sets": dossier.sets,
        "delivery_address": dossier.delivery_address,
        "fee": dossier.fee,
        "fee_payment": dossier.fee_payment,
        "ticket_id": dossier.ticket_id,
        "note": dossier.note,
        "received_by": dossier.received_by_name,
        "paused_seconds": dossier.paused_seconds,
        "flags": lifecycle.flags(session, dossier, now),
        "tracking_url": track_url(dossier),
        "events": [event_view(e) for e in dossier.events],
        "attachments": [attachment_view(a) for a in dossier.attachments],
    }


def dossier_row(session: Session, dossier: Dossier, now: datetime | None = None) -> dict:
    """One line of a list: the public view, the applicant's name and the flags."""
    return {
        **dossier_public(dossier),
        "applicant_name": dossier.applicant_name,
        "flags": lifecycle.flags(session, dossier, now),
    }
