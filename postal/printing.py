"""Printing at the post office's own printer: the citizen's receipt and the manifest.

Both are printed from local data, so they print offline. A printer that fails never undoes what
was recorded: the clerk is told and can print again from the dossier's or manifest's page.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from hardware.devices import DeviceError
from hardware.layouts import (
    ManifestPrint,
    PostalReceiptPrint,
    render_manifest,
    render_postal_receipt,
)
from hardware.printers import open_printer
from queue_server.dossiers.labels import fee_line

from .intake import DELIVERIES, document_line, find_procedure, processing_time
from .store import LOCAL_TZ, parse_iso


def local_time(moment: datetime | str | None) -> str:
    if isinstance(moment, str):
        moment = parse_iso(moment)
    return moment.astimezone(LOCAL_TZ).strftime("%H:%M %d/%m/%Y") if moment else ""


def post_office_name(catalogue: dict | None) -> str:
    catalogue = catalogue or {}
    return catalogue.get("site_name") or f"Bưu điện {catalogue.get('site', '')}".strip()


def receipt_for(dossier: dict, catalogue: dict | None) -> PostalReceiptPrint:
    """The receipt of an intake; with the due date and the tracking link once the server
    registered the dossier, with the code alone before that."""
    body, result = dossier["body"], dossier["result"]
    found = find_procedure(catalogue, body["site"], body["procedure"])
    return_by = DELIVERIES[body["delivery"]]
    if body.get("delivery_address"):
        return_by = f"{return_by}: {body['delivery_address']}"
    fee = fee_line(body["fee"], body["fee_payment"])
    return PostalReceiptPrint(
        post_office=post_office_name(catalogue),
        centre=dossier["site_name"],
        dossier_code=dossier["code"],
        applicant=body["applicant"]["name"],
        procedure=dossier["procedure_name"],
        documents=tuple(document_line(d) for d in body["documents"]),
        sets=body["sets"],
        received_at=local_time(body["received_at"]),
        processing_time=processing_time(found[1]) if found else "",
        return_by=return_by,
        fee=fee,
        due_at=local_time(result.get("due_at")),
        track_url=result.get("tracking_url") or "",
        officer=body.get("received_by_name") or "",
    )


def manifest_for(manifest: dict, catalogue: dict | None) -> ManifestPrint:
    return ManifestPrint(
        title="BẢNG KÊ GIAO NHẬN HỒ SƠ",
        code=manifest["code"],
        sender=post_office_name(catalogue),
        recipient=manifest["to_site_name"],
        created_at=local_time(manifest["closed_at"]),
        lines=tuple(
            f"{d['code']} - {d['applicant_name']} - {d['procedure_name']}" for d in manifest["dossiers"]
        ),
        clerk=manifest.get("closed_by_name") or "",
    )


class PrintError(Exception):
    """The printer failed; the message is Vietnamese."""


def try_print(action: Callable[[str, Any], None], device: str, document: Any) -> str | None:
    """Print ``document`` with ``action`` (:func:`print_receipt` or :func:`print_manifest`);
    None when it printed, else why not for the clerk (what was recorded stays recorded)."""
    try:
        action(device, document)
    except PrintError as error:
        return str(error)
    return None


def print_receipt(device: str, receipt: PostalReceiptPrint) -> None:
    _print(device, lambda paper: render_postal_receipt(receipt, paper))


def print_manifest(device: str, manifest: ManifestPrint) -> None:
    _print(device, lambda paper: render_manifest(manifest, paper))


def _print(device: str, render) -> None:
    try:
        printer = open_printer(device)
        try:
            printer.print_image(render(printer.paper_mm))
        finally:
            printer.close()
    except (DeviceError, OSError) as error:
        raise PrintError(f"Máy in lỗi: {error}") from error
