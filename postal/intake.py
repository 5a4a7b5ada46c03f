"""The intake form (tiếp nhận hồ sơ): from what the clerk typed to the operation's body.

The client checks an intake with the server's own rules (the same limits, patterns and words,
imported from ``queue_server.dossiers.rules`` and ``.labels``) before saving it, because a
dossier the server refuses hours later, after the citizen has left, is far more costly than a
message on the screen now. Every problem is reported at once, in Vietnamese, as the clerk must
explain it to the citizen.
"""

from __future__ import annotations

from dataclasses import dataclass

from queue_server import scans
from queue_server.dossiers import labels, rules
from queue_server.dossiers.rules import Delivery
from queue_server.privacy import notice

from . import ClerkError

FEE_PAYMENTS = labels.FEE_PAYMENT
DELIVERIES = labels.DELIVERY
money = labels.money

# (key, "Bản chính"): the form's columns, in the order of the shared rules.
COUNTS = tuple((key, labels.DOCUMENT_COUNT[key]) for key in rules.DOCUMENT_COUNTS)
EXTRA = "x"  # the index of the free "other document" row


class IntakeInvalid(ClerkError):
    def __init__(self, errors: list[str]):
        super().__init__(" ".join(errors))
        self.errors = errors


@dataclass(frozen=True)
class Upload:
    filename: str
    data: bytes


def find_procedure(catalogue: dict | None, site: str, code: str) -> tuple[dict, dict] | None:
    for centre in (catalogue or {}).get("centres", []):
        if centre["site"] == site:
            for procedure in centre["procedures"]:
                if procedure["code"] == code:
                    return centre, procedure
    return None


def processing_time(procedure: dict) -> str:
    """``0,5 ngày làm việc``, as the centre's receipt writes it."""
    return labels.processing_time(procedure["processing_amount"], procedure["processing_unit"])


def procedure_facts(catalogue: dict | None) -> dict[str, dict[str, str]]:
    """What the form shows once a procedure is chosen, worded by the shared labels:
    ``{"<site>/<code>": {"time": "0,5 ngày làm việc", "fee": "75.000 đồng"}}``."""
    return {
        f"{centre['site']}/{procedure['code']}": {
            "time": processing_time(procedure),
            "fee": money(procedure["fee"]),
        }
        for centre in (catalogue or {}).get("centres", [])
        for procedure in centre["procedures"]
    }


def document_line(document: dict) -> str:
    counts = ", ".join(
        f"{document[key]} {labels.lower_first(label)}" for key, label in COUNTS if document.get(key)
    )
    return f"{document['name']} ({counts})" if counts else document["name"]


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def _count(form, name: str, label: str, errors: list[str]) -> int:
    raw = (form.get(name) or "0").strip() or "0"
    if not raw.isdigit() or not rules.COPIES_MIN <= int(raw) <= rules.COPIES_MAX:
        errors.append(f"Số {label} phải là số từ {rules.COPIES_MIN} đến {rules.COPIES_MAX}.")
        return 0
    return int(raw)


def parse(
    form, uploads: list[Upload], catalogue: dict | None, max_bytes: int, clerk: str
) -> tuple[dict, dict, list]:
    """Check the submitted form; returns (body, names, attachments) or raises
    :class:`IntakeInvalid` listing every problem. ``clerk``: who received it (the shift's
    clerk, :mod:`.shift`), never a field of the form."""
    errors: list[str] = []
    applicant = {
        "name": _clean(form.get("applicant_name")),
        "id_number": _clean(form.get("applicant_id_number")).replace(" ", ""),
        "phone": _clean(form.get("applicant_phone")),
        "address": _clean(form.get("applicant_address")),
        "email": _clean(form.get("applicant_email")),
    }
    if not applicant["name"]:
        errors.append("Nhập họ và tên người nộp hồ sơ.")
    elif len(applicant["name"]) > rules.NAME_MAX:
        errors.append(f"Họ và tên dài quá {rules.NAME_MAX} ký tự.")
    if applicant["id_number"] and not rules.ID_NUMBER.match(applicant["id_number"]):
        errors.append("Số định danh phải có 12 chữ số (CCCD) hoặc 9 chữ số (CMND).")
    if applicant["phone"] and not rules.PHONE.match(applicant["phone"]):
        errors.append("Số điện thoại phải có từ 8 đến 15 chữ số.")
    if applicant["email"] and (
        len(applicant["email"]) > rules.EMAIL_MAX or not rules.EMAIL.match(applicant["email"])
    ):
        errors.append("Địa chỉ email không hợp lệ.")
    if len(applicant["address"]) > rules.ADDRESS_MAX:
        errors.append(f"Địa chỉ dài quá {rules.ADDRESS_MAX} ký tự.")

    site, code = form.get("site") or "", form.get("procedure") or ""
    found = find_procedure(catalogue, site, code) if site and code else None
    if not site:
        errors.append("Chọn trung tâm nhận hồ sơ.")
    elif not code:
        errors.append("Chọn thủ tục hành chính.")
    elif found is None:
        errors.append("Thủ tục đã chọn không có trong danh mục của trung tâm.")
    elif not found[1].get("postal_allowed", True):
        errors.append("Thủ tục này không được tiếp nhận qua bưu điện.")

    documents = []
    rows = [(str(i), d["name"]) for i, d in enumerate(found[1]["documents"])] if found else []
    if _clean(form.get(f"doc-{EXTRA}-name")):
        rows.append((EXTRA, _clean(form.get(f"doc-{EXTRA}-name"))))
        if len(rows[-1][1]) > rules.DOCUMENT_NAME_MAX:
            errors.append(f"Tên giấy tờ khác dài quá {rules.DOCUMENT_NAME_MAX} ký tự.")
    for index, name in rows:
        if index != EXTRA and not form.get(f"doc-{index}"):
            continue
        document = {"name": name}
        for key, label in COUNTS:
            document[key] = _count(
                form, f"doc-{index}-{key}", f"{labels.lower_first(label)} của “{name}”", errors
            )
        if not any(document[key] for key, _ in COUNTS):
            errors.append(f"“{name}”: ghi số bản đã nhận.")
        documents.append(document)
    if found and not documents:
        errors.append("Đánh dấu các giấy tờ đã nhận theo danh mục của thủ tục.")

    sets = (form.get("sets") or str(rules.SETS_MIN)).strip()
    if not sets.isdigit() or not rules.SETS_MIN <= int(sets) <= rules.SETS_MAX:
        errors.append(f"Số bộ hồ sơ phải từ {rules.SETS_MIN} đến {rules.SETS_MAX}.")
    fee = (form.get("fee") or "").replace(".", "").replace(",", "").replace(" ", "")
    if not (fee.isascii() and fee.isdigit()):
        errors.append("Nhập lệ phí bằng số đồng (ghi 0 nếu không thu).")
    elif len(fee) > len(str(rules.FEE_MAX)) or int(fee) > rules.FEE_MAX:
        errors.append(f"Lệ phí không quá {labels.money(rules.FEE_MAX)}.")
    fee_payment = form.get("fee_payment") or ""
    if fee_payment not in FEE_PAYMENTS:
        errors.append("Chọn hình thức thu lệ phí.")
    delivery = form.get("delivery") or ""
    delivery_address = _clean(form.get("delivery_address"))
    if delivery not in DELIVERIES:
        errors.append("Chọn nơi nhận kết quả.")
    elif delivery == Delivery.POST and not delivery_address:
        errors.append("Nhập địa chỉ nhận kết quả qua bưu điện.")
    if len(delivery_address) > rules.ADDRESS_MAX:
        errors.append(f"Địa chỉ nhận kết quả dài quá {rules.ADDRESS_MAX} ký tự.")
    note = (form.get("note") or "").strip()
    if len(note) > rules.NOTE_MAX:
        errors.append(f"Ghi chú dài quá {rules.NOTE_MAX} ký tự.")

    attachments = []
    for upload in uploads:
        kind = scans.scan_kind(upload.data)
        if not upload.data:
            errors.append(f"Tệp “{upload.filename}” rỗng.")
        elif len(upload.data) > max_bytes:
            errors.append(f"Tệp “{upload.filename}” lớn hơn {max_bytes // 2**20} MB.")
        elif kind is None:
            errors.append(f"Tệp “{upload.filename}” không phải bản quét PDF, JPEG, PNG hoặc TIFF.")
        else:
            attachments.append((upload.filename[-255:] or "scan", kind, upload.data))

    if errors:
        raise IntakeInvalid(errors)
    assert found is not None  # else an error was recorded above
    centre, procedure = found
    body = {
        "site": site,
        "procedure": code,
        "applicant": {key: value or None for key, value in applicant.items()},
        "documents": documents,
        "sets": int(sets),
        "delivery": delivery,
        "delivery_address": delivery_address or None,
        "fee": int(fee),
        "fee_payment": fee_payment,
        "note": note or None,
        "received_by_name": clerk,
        "contact_consent": form.get("contact_consent") == "on",
    }
    names = {"site_name": centre["name"], "procedure_name": procedure["name"]}
    return body, names, attachments


def privacy_notice(catalogue: dict | None) -> dict:
    """The notice on the processing of personal data the citizen is shown before handing over
    their papers: the server's one template (``queue_server.privacy.notice``) with the centres
    that handle the dossiers as controllers and the server's retention periods and own text,
    as the catalogue brings them (offline: the last catalogue's)."""
    catalogue = catalogue or {}
    privacy = catalogue.get("privacy") or {}
    names = [centre["name"] for centre in catalogue.get("centres", [])]
    controller = " hoặc ".join(names) if names else "Trung tâm Phục vụ hành chính công"
    return {
        "title": notice.TITLE,
        "paragraphs": notice.paragraphs(
            controller,
            dossier_days=privacy.get("dossier_days", 0),
            scans_days=privacy.get("scans_days", 0),
            override=privacy.get("notice"),
        ),
        "consent_label": notice.CONSENT_LABEL,
    }


def form_values(body: dict, catalogue: dict | None) -> dict:
    """The form's fields for an intake already recorded (to correct it)."""
    values = {
        "applicant_name": body["applicant"].get("name") or "",
        "applicant_id_number": body["applicant"].get("id_number") or "",
        "applicant_phone": body["applicant"].get("phone") or "",
        "applicant_address": body["applicant"].get("address") or "",
        "applicant_email": body["applicant"].get("email") or "",
        "site": body["site"],
        "procedure": body["procedure"],
        "sets": str(body["sets"]),
        "fee": str(body["fee"]),
        "fee_payment": body["fee_payment"],
        "delivery": body["delivery"],
        "delivery_address": body.get("delivery_address") or "",
        "note": body.get("note") or "",
        "contact_consent": "on" if body.get("contact_consent") else "",
    }
    found = find_procedure(catalogue, body["site"], body["procedure"])
    listed = [d["name"] for d in found[1]["documents"]] if found else []
    for document in body["documents"]:
        index = str(listed.index(document["name"])) if document["name"] in listed else EXTRA
        values[f"doc-{index}"] = "1"
        if index == EXTRA:
            values[f"doc-{EXTRA}-name"] = document["name"]
        for key, _ in COUNTS:
            values[f"doc-{index}-{key}"] = str(document.get(key, 0))
    return values
