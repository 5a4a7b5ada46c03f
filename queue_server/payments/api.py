"""``/api/v1/sites/<site>/statements``: a site's bank statements, previewed, imported and read
again (rules in :mod:`.matching`, steps in :mod:`.operations`). Only the site's supervisors
(``Action.RECONCILE``); every answer naming payers is a recorded read (audit/reads.py)."""

from __future__ import annotations

from flask import current_app, request
from flask_smorest import Blueprint
from sqlalchemy.exc import IntegrityError

from ..audit.reads import What, record_read
from ..auth.access import Action, require
from ..database import db
from ..errors import ApiError, Conflict
from ..lookups import get_or_404
from ..sites.lookups import get_site
from ..sites.models import Site
from . import operations, presenters
from .models import StatementImport
from .schemas import (
    ImportLinesSchema,
    ImportSchema,
    ImportsSchema,
    LinesQuerySchema,
    PreviewSchema,
    StatementUploadSchema,
)

blp = Blueprint("statements", __name__, url_prefix="/api/v1", description="Bank statements")


def _site(site_code: str):
    """The site, and who asks, if they may reconcile its statements; else 404/401/403."""
    site = get_site(db.session, site_code)
    return site, require(Action.RECONCILE, site.id)


def _upload() -> tuple[str, bytes]:
    """The multipart ``file``'s name and bytes, within ``STATEMENT_MAX_BYTES``."""
    file = request.files.get("file")
    if file is None or not file.filename:
        raise ApiError("missing_file", "Send the statement as the multipart field 'file'.", field="file")
    limit = current_app.config["STATEMENT_MAX_BYTES"]
    data = file.stream.read(limit + 1)
    if len(data) > limit:
        raise ApiError("statement_too_large", f"A statement is at most {limit // 2**20} MB.", status=413)
    return file.filename, data


def _record(site, codes) -> None:
    record_read(db.session(), What.BANK_STATEMENT, sorted({code for code in codes if code}), site_id=site.id)


@blp.route("/sites/<site_code>/statements/preview", methods=["POST"])
@blp.arguments(StatementUploadSchema(), location="form", content_type="multipart/form-data")
@blp.response(200, PreviewSchema)
@blp.alt_response(409, description="The site has no collecting account")
@blp.alt_response(413, description="The file is larger than STATEMENT_MAX_MB")
def preview_statement(columns, site_code):
    """Read the statement (``file``; the columns' headers if not the default's) and say each
    line's outcome. Nothing changes."""
    site, _actor = _site(site_code)
    file_name, data = _upload()
    result = operations.reconcile(db.session, site, data, columns)
    answer = presenters.preview_view(site, file_name, result)
    _record(site, (line["dossier"] for line in answer["lines"]))
    db.session.commit()
    return answer


@blp.route("/sites/<site_code>/statements", methods=["POST"])
@blp.arguments(StatementUploadSchema(), location="form", content_type="multipart/form-data")
@blp.response(201, ImportSchema)
@blp.alt_response(409, description="No collecting account, or another import of the same lines now")
@blp.alt_response(413, description="The file is larger than STATEMENT_MAX_MB")
def import_statement(columns, site_code):
    """Import the statement: confirm the matched lines' fees (method bank, the bank's
    reference as the receipt's number) and keep its lines, in one transaction."""
    site, actor = _site(site_code)
    file_name, data = _upload()
    try:
        imported = operations.apply(db.session, site, actor, file_name, data, columns)
        db.session.commit()
    except IntegrityError:  # the same bank references, imported by someone else meanwhile
        db.session.rollback()
        raise Conflict("statement_busy", "These lines were just imported by another request.") from None
    return presenters.import_view(imported)


@blp.route("/sites/<site_code>/statements", methods=["GET"])
@blp.response(200, ImportsSchema)
def list_statements(site_code):
    """The site's imports, newest first, with their counts (no payer named)."""
    site, _actor = _site(site_code)
    return {"imports": [presenters.import_view(i) for i in operations.imports_of(db.session, site)]}


@blp.route("/statements/<int:import_id>", methods=["GET"])
@blp.arguments(LinesQuerySchema(), location="query")
@blp.response(200, ImportLinesSchema)
def get_statement(query, import_id):
    """An import and its lines (``?outcome=`` one of them), with the amounts per outcome."""
    imported = get_or_404(
        db.session, StatementImport, import_id, code="unknown_statement", message="No such statement import."
    )
    site = db.session.get(Site, imported.site_id)
    assert site is not None  # the import's foreign key
    require(Action.RECONCILE, site.id)
    lines = [
        presenters.line_view(line, site)
        for line in operations.lines_of(db.session, imported, query["outcome"])
    ]
    _record(site, (line["dossier"] for line in lines))
    db.session.commit()
    return {
        "statement": presenters.import_view(imported, operations.amounts_of(db.session, imported)),
        "lines": lines,
    }
