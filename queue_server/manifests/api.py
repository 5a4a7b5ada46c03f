"""HTTP API of handover manifests: thin views over :mod:`.operations`."""

from __future__ import annotations

from flask_smorest import Blueprint
from sqlalchemy import or_, select

from ..auth.access import Action, ManifestSide, require, require_login, require_manifest_side
from ..database import db
from ..sites.lookups import get_site
from . import operations
from .models import Direction, Manifest
from .presenters import manifest_view
from .schemas import DossierCodeSchema, ManifestCreateSchema, ManifestQuerySchema, ManifestSchema, ScanSchema

blp = Blueprint("manifests", __name__, url_prefix="/api/v1", description="Handover manifests (bảng kê)")


def _as_sender(code: str) -> Manifest:
    manifest = operations.get_by_code(db.session(), code)
    require_manifest_side(manifest, ManifestSide.SENDER)
    return manifest


def _as_recipient(code: str):
    manifest = operations.get_by_code(db.session(), code)
    return manifest, require_manifest_side(manifest, ManifestSide.RECIPIENT)


@blp.route("/manifests", methods=["POST"])
@blp.arguments(ManifestCreateSchema())
@blp.response(201, ManifestSchema)
def create_manifest(data):
    """Open a manifest: dossiers to the centre that handles them (from a post office or from the
    centre that took them in), results back to the centre where they are collected, or results
    to a post office for delivery."""
    from_site, to_site = get_site(db.session, data["from_site"]), get_site(db.session, data["to_site"])
    actor = require(Action.HANDOVER, from_site.id)
    if data["direction"] in (Direction.TO_POST, Direction.RESULTS):
        require(Action.PROCESS_DOSSIER, from_site.id)
    manifest, created = operations.create(
        db.session, from_site, to_site, data["direction"], actor, client_id=data.get("client_id")
    )
    db.session.commit()
    return manifest_view(manifest), 201 if created else 200


@blp.route("/manifests", methods=["GET"])
@blp.arguments(ManifestQuerySchema(), location="query")
@blp.response(200, ManifestSchema(many=True))
def list_manifests(query):
    """Manifests a site sent or is to receive, newest first."""
    site = get_site(db.session, query["site"])
    require(Action.HANDOVER, site.id)
    statement = select(Manifest).where(or_(Manifest.from_site_id == site.id, Manifest.to_site_id == site.id))
    if "status" in query:
        statement = statement.where(Manifest.status == query["status"])
    statement = statement.order_by(Manifest.id.desc()).limit(200)
    return [manifest_view(m) for m in db.session.scalars(statement)]


@blp.route("/manifests/<code>", methods=["GET"])
@blp.response(200, ManifestSchema)
def get_manifest(code):
    """A manifest with each dossier's state (expected, arrived, missing, extra)."""
    actor = require_login()
    manifest = operations.get_by_code(db.session, code)
    from ..auth.access import allowed

    if not any(allowed(actor, Action.HANDOVER, s) for s in (manifest.from_site_id, manifest.to_site_id)):
        require(Action.HANDOVER, manifest.to_site_id)
    return manifest_view(manifest)


@blp.route("/manifests/<code>/items", methods=["POST"])
@blp.arguments(DossierCodeSchema())
@blp.response(200, ManifestSchema)
def add_item(data, code):
    """List a dossier on an open manifest (listing it again changes nothing)."""
    manifest = _as_sender(code)
    operations.add(db.session, manifest, data["dossier"])
    db.session.commit()
    return manifest_view(manifest)


@blp.route("/manifests/<code>/items/<dossier>", methods=["DELETE"])
@blp.response(200, ManifestSchema)
def remove_item(code, dossier):
    """Take a dossier off an open manifest."""
    manifest = _as_sender(code)
    operations.remove(db.session, manifest, dossier)
    db.session.commit()
    return manifest_view(manifest)


@blp.route("/manifests/<code>/close", methods=["POST"])
@blp.response(200, ManifestSchema)
def close_manifest(code):
    """Seal the manifest for the journey."""
    manifest = _as_sender(code)
    operations.close(db.session, manifest)
    db.session.commit()
    return manifest_view(manifest)


@blp.route("/manifests/<code>/scan", methods=["POST"])
@blp.arguments(ScanSchema())
@blp.response(200, ManifestSchema)
def scan_in(data, code):
    """At the recipient: scan the manifest, then each dossier in the bundle."""
    manifest, actor = _as_recipient(code)
    operations.scan(db.session, manifest, data["code"], actor)
    db.session.commit()
    return manifest_view(manifest)


@blp.route("/manifests/<code>/finish", methods=["POST"])
@blp.response(200, ManifestSchema)
def finish_reception(code):
    """End the reception: what was not scanned is missing."""
    manifest, actor = _as_recipient(code)
    operations.finish(db.session, manifest, actor)
    db.session.commit()
    return manifest_view(manifest)
