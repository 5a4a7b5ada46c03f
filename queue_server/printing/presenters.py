"""A print job as the API answers it: for the kiosk that waits for its ticket, the device agent
that prints it, and the dossier's receipt printed from the console."""

from __future__ import annotations

from ..timefmt import iso
from . import operations
from .models import PrintJob


def job_body(job: PrintJob, with_payload: bool = False) -> dict:
    body = {
        "id": job.id,
        "kind": job.kind,
        "status": job.status,
        "attempts": job.attempts,
        "last_error": job.last_error,
        # So that the kiosk can say why its ticket waits ("hết giấy"), in its own words.
        "printer": operations.printer_state(job.device),
        "created_at": iso(job.created_at),
        "finished_at": iso(job.finished_at),
    }
    if with_payload:
        body["payload"] = job.payload
    return body
