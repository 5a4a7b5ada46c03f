"""What a citizen learns about a procedure before taking a number: the catalogue searched by a
few words (the kiosk's "Tra cứu thủ tục"), the procedure's public page, and its checklist.

The search folds accents on both sides, so that a kiosk keyboard without tone marks finds
everything: ``dat dai`` finds ``Đất đai`` (``đ`` is ``d``). Each word must begin a word of the
procedure. The procedures whose name holds every word come first, then those whose field
completes it, then those found only by a document or by their code: a citizen types what the
procedure is called, and a name that says it is the likelier answer. Within a rank, the
procedures the centre handles itself come before the rest of the province's, then the
shorter names (the closer matches).

Everything here is the province's published catalogue: public, nothing personal.
"""

from __future__ import annotations

from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import Session

from ..database import utcnow
from ..sites.calendar import local_now
from ..sites.models import Site
from ..sites.province import province_site_ids
from ..web import N_, public_url
from . import labels
from .formsets import slug
from .models import Procedure
from .rules import FeeStatus

SEARCH_LIMIT = 12
SEARCH_LIMIT_MAX = 50
QUERY_MAX = 100
# Ranks of a match: every word in the name; in the name and field; anywhere else.
NAME, FIELD, ELSEWHERE = 0, 1, 2


def words(text: str | None) -> list[str]:
    """The words of a text without accents, lower case: ``Đất đai`` -> ``["dat", "dai"]``."""
    return [word for word in slug(text or "").split("-") if word]


def _finds(terms: list[str], haystack: list[str]) -> bool:
    return all(any(word.startswith(term) for word in haystack) for term in terms)


def _rank(terms: list[str], procedure: Procedure) -> int | None:
    name = words(procedure.name)
    if _finds(terms, name):
        return NAME
    name_and_field = name + words(procedure.field)
    if _finds(terms, name_and_field):
        return FIELD
    documents = [word for document in procedure.documents or [] for word in words(document.get("name"))]
    if _finds(terms, name_and_field + documents + words(procedure.code)):
        return ELSEWHERE
    return None


def search_procedures(session: Session, site: Site, query: str, limit: int = SEARCH_LIMIT) -> list[Procedure]:
    """The active procedures of ``site``'s province that match ``query``, best first, at most
    ``limit``. An empty query (or one of punctuation only) finds nothing: the kiosk asks for a
    word rather than listing the whole catalogue."""
    terms = words(query[:QUERY_MAX])
    if not terms:
        return []
    candidates = session.scalars(
        select(Procedure).where(Procedure.active.is_(True), Procedure.site_id.in_(province_site_ids(site)))
    )
    ranked = []
    for procedure in candidates:
        rank = _rank(terms, procedure)
        if rank is not None:
            ranked.append(
                ((rank, procedure.site_id != site.id, len(procedure.name), procedure.code), procedure)
            )
    ranked.sort(key=lambda pair: pair[0])
    return [procedure for _, procedure in ranked[:limit]]


def find_procedure(session: Session, site_code: str, code: str) -> Procedure | None:
    """An active procedure by the code of the centre that handles it and its own code."""
    return session.scalar(
        select(Procedure)
        .join(Site, Site.id == Procedure.site_id)
        .where(Site.code == site_code, Procedure.code == code, Procedure.active.is_(True))
    )


def page_path(procedure: Procedure) -> str:
    """The procedure's public page (``/p/<centre>/<code>``), for a phone."""
    return f"/p/{procedure.site.code}/{procedure.code}"


POSTAL = {
    True: N_("Có thể nộp hồ sơ và nhận kết quả qua bưu điện (dịch vụ bưu chính công ích)."),
    False: N_("Không nộp qua bưu điện: nộp trực tiếp tại trung tâm."),
}


def facts(procedure: Procedure) -> dict:
    """The time, the fee and the post as sentences in the reader's language (the kiosk, the
    phone page): numbers the Vietnamese way, as on the receipts."""
    return {
        "processing_time_text": f"{labels.number(procedure.processing_amount)} "
        f"{_(labels.UNIT.get(procedure.processing_unit, procedure.processing_unit))}",
        "fee_text": labels.money_for_reader(procedure.fee)
        if procedure.fee
        else _(labels.FEE_STATUS[FeeStatus.NONE]),
        "postal_text": _(POSTAL[bool(procedure.postal_allowed)]),
    }


def document_line(document: dict) -> str:
    """``Đơn đề nghị (2 bản)``: a document of the list with its copies."""
    return f"{document['name']} ({document.get('copies', 1)} bản)"


def checklist_payload(procedure: Procedure, centre: Site) -> dict:
    """What the checklist layout prints (see ``hardware.layouts.ChecklistPrint``): in
    Vietnamese whatever the kiosk's language, as the receipts print."""
    with force_locale("vi"):
        texts = facts(procedure)
    return {
        "centre": centre.name,
        "procedure": procedure.name,
        "code": procedure.code,
        "handled_by": f"{procedure.department.name}, {procedure.site.name}",
        "documents": [document_line(document) for document in procedure.documents or []],
        "processing_time": texts["processing_time_text"],
        "fee": texts["fee_text"],
        "postal": texts["postal_text"],
        "page_url": public_url(page_path(procedure)),
        "printed_at": local_now(centre, utcnow()).strftime("%H:%M %d/%m/%Y"),
    }
