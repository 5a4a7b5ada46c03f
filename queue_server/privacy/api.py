"""``GET /api/v1/admin/personal-data``: everything held about one ID number, for an admin
answering the data subject's request (:mod:`.subject`)."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields

from ..auth.access import require_subject_export
from ..database import db, utcnow
from ..inputs import Schema
from ..storage import current_storage
from . import subject

blp = Blueprint("privacy", __name__, url_prefix="/api/v1", description="Personal data")


class SubjectQuerySchema(Schema):
    id_number = fields.String(
        required=True,
        metadata={
            "description": "12 digits (citizen identity card), 9 (old identity card) or a passport number"
        },
    )


@blp.route("/admin/personal-data", methods=["GET"])
@blp.arguments(SubjectQuerySchema(), location="query")
@blp.response(200, description="A ZIP: summary.json and the scans still kept", content_type="application/zip")
def export_subject(query):
    """Everything the system holds about the person with this ID number: the dossiers they
    filed (applicant, history, scans, the ticket they came with, their consent, who read them)
    and the results they collected for others. Admins only; the export is recorded."""
    require_subject_export()
    number = subject.normalise(query["id_number"])
    body, _codes = subject.export_zip(db.session, current_storage(), number)
    db.session.commit()
    name = subject.filename(number, utcnow())
    return Response(
        body, mimetype="application/zip", headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
