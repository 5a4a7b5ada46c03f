"""The post-office client's endpoints: push the outbox, fetch the catalogue and the results to
deliver. Only a postal device (its token names its post office) uses them."""

from __future__ import annotations

from datetime import timedelta

from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import select

from hardware.scanning import MANIFEST_PREFIX

from ..audit.reads import What, record_changed_list
from ..auth.access import current_actor, require_device
from ..auth.models import DeviceKind
from ..database import db, utcnow
from ..dossiers.models import Dossier, DossierSequence, Procedure
from ..dossiers.presenters import procedure_view
from ..inputs import Schema
from ..manifests.models import Direction, Manifest, ManifestStatus
from ..manifests.presenters import manifest_view
from ..manifests.schemas import ManifestSchema
from ..privacy import notice
from ..sites.calendar import business_date
from ..sites.models import Site, SiteKind
from ..sites.province import province_site_ids
from ..timefmt import iso
from . import operations

blp = Blueprint("sync", __name__, url_prefix="/api/v1", description="The post-office client")


class OperationSchema(Schema):
    id = fields.String(required=True, metadata={"description": "Chosen by the client, unique"})
    kind = fields.String(required=True, validate=validate.OneOf(list(operations.KINDS)))
    body = fields.Dict(required=True)


class SyncInSchema(Schema):
    operations = fields.List(fields.Dict(), required=True, validate=validate.Length(max=operations.MAX_BATCH))


class OperationResultSchema(Schema):
    id = fields.Raw(required=True)
    ok = fields.Boolean(required=True)
    replayed = fields.Boolean()
    result = fields.Dict()
    error = fields.Dict()


class SyncOutSchema(Schema):
    results = fields.List(fields.Nested(OperationResultSchema), required=True)
    server_time = fields.String(required=True, metadata={"format": "date-time"})


class CentreSchema(Schema):
    site = fields.String(required=True)
    name = fields.String(required=True)
    procedures = fields.List(fields.Dict(), required=True)


class CatalogueSchema(Schema):
    site = fields.String(required=True, metadata={"description": "This post office"})
    site_name = fields.String(required=True)
    agency_code = fields.String(allow_none=True)
    last_codes = fields.Dict(
        keys=fields.String(),
        values=fields.Dict(keys=fields.String(), values=fields.Integer()),
        required=True,
        metadata={
            "description": "The last numbers the server knows under this post office's dossier "
            "and manifest agency codes, per day of the last week: a client that lost its database "
            "starts above them"
        },
    )
    centres = fields.List(fields.Nested(CentreSchema), required=True)
    privacy = fields.Dict(
        required=True,
        metadata={
            "description": "What the post office's intake page tells the citizen about their personal "
            "data: the retention periods in days (dossier_days, scans_days) and the centre's own "
            "notice text (notice, or null: the built-in one)"
        },
    )


class DeliveryItemSchema(Schema):
    dossier = fields.String(required=True)
    procedure_name = fields.String(required=True)
    applicant_name = fields.String(required=True)
    applicant_phone = fields.String(allow_none=True)
    delivery_address = fields.String(allow_none=True)
    status = fields.String(required=True)


class InboxManifestSchema(ManifestSchema):
    deliveries = fields.List(fields.Nested(DeliveryItemSchema), required=True)


@blp.route("/postal/sync", methods=["POST"])
@blp.arguments(SyncInSchema())
@blp.response(200, SyncOutSchema)
def sync(data):
    """Apply the client's outbox in order, each operation once (see the module's docstring
    in ``queue_server/sync/operations.py``): kinds dossier.receive, manifest.open,
    manifest.scan, manifest.finish, dossier.deliver, dossier.undeliver."""
    device = require_device(DeviceKind.POSTAL)
    results = operations.apply_batch(db.session, device.site, current_actor(), data["operations"])
    return {"results": results, "server_time": iso(utcnow())}


@blp.route("/postal/catalogue", methods=["GET"])
@blp.response(200, CatalogueSchema)
def catalogue():
    """The centres of its province this post office takes dossiers in for, with the procedures
    the post may take."""
    device = require_device(DeviceKind.POSTAL)
    procedures = db.session.scalars(
        select(Procedure)
        .join(Site, Site.id == Procedure.site_id)
        .where(
            Procedure.postal_allowed.is_(True),
            Procedure.active.is_(True),
            Site.kind != SiteKind.POST_OFFICE,
            Site.id.in_(province_site_ids(device.site)),
        )
        .order_by(Site.code, Procedure.code)
    ).all()
    centres: dict[str, dict] = {}
    for procedure in procedures:
        centre = centres.setdefault(
            procedure.site.code,
            {"site": procedure.site.code, "name": procedure.site.name, "procedures": []},
        )
        centre["procedures"].append(procedure_view(procedure))
    return {
        "site": device.site.code,
        "site_name": device.site.name,
        "agency_code": device.site.agency_code,
        "last_codes": _last_codes(device.site),
        "centres": list(centres.values()),
        "privacy": notice.settings(),
    }


def _last_codes(site: Site) -> dict[str, dict[str, int]]:
    if not site.agency_code:
        return {}
    agencies = [site.agency_code, MANIFEST_PREFIX + site.agency_code]
    since = business_date(site, utcnow()) - timedelta(days=7)
    rows = db.session.scalars(
        select(DossierSequence).where(
            DossierSequence.agency_code.in_(agencies),
            DossierSequence.received_on >= since,
            DossierSequence.series == "",
        )
    )
    last: dict[str, dict[str, int]] = {agency: {} for agency in agencies}
    for row in rows:
        last[row.agency_code][row.received_on.isoformat()] = row.last_value
    return last


@blp.route("/postal/inbox", methods=["GET"])
@blp.response(200, InboxManifestSchema(many=True))
def inbox():
    """Return manifests on their way to this post office or being scanned in, with what the
    postman needs to deliver each result."""
    device = require_device(DeviceKind.POSTAL)
    manifests = db.session.scalars(
        select(Manifest)
        .where(
            Manifest.to_site_id == device.site_id,
            Manifest.direction == Direction.TO_POST,
            Manifest.status.in_((ManifestStatus.CLOSED, ManifestStatus.RECEIVING, ManifestStatus.RECEIVED)),
        )
        .order_by(Manifest.id.desc())
        .limit(50)
    ).all()
    views = []
    for manifest in manifests:
        ids = [item.dossier_id for item in manifest.items if item.listed and item.dossier_id]
        dossiers = db.session.scalars(select(Dossier).where(Dossier.id.in_(ids))).all() if ids else []
        views.append(
            {
                **manifest_view(manifest),
                "deliveries": [
                    {
                        "dossier": d.code,
                        "procedure_name": d.procedure.name,
                        "applicant_name": d.applicant_name,
                        "applicant_phone": d.applicant_phone,
                        "delivery_address": d.delivery_address,
                        "status": d.status,
                    }
                    for d in dossiers
                ],
            }
        )
    codes = [delivery["dossier"] for view in views for delivery in view["deliveries"]]
    if record_changed_list(db.session, What.POSTAL_INBOX, codes, current_actor()):
        db.session.commit()
    return views
