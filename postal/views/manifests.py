"""Manifests to the centres (bảng kê gửi): a draft of the day's intakes for one centre, closed
(it gets its code and goes to the server as one operation) and printed to travel with the bag."""

from __future__ import annotations

from flask import Blueprint, abort, flash, g, redirect, render_template, request, url_for

from .. import ClerkError
from ..extension import current_postal
from ..printing import manifest_for, print_manifest, try_print
from ..store import local_now

bp = Blueprint("manifests", __name__)


@bp.get("/manifests")
def manifest_list():
    store = current_postal().store
    catalogue = store.catalogue() or {}
    unassigned = store.unassigned()
    centres = [
        {**centre, "dossiers": [d for d in unassigned if d["site"] == centre["site"]]}
        for centre in catalogue.get("centres", [])
    ]
    return render_template("manifests.html", manifests=store.manifests(), centres=centres)


@bp.post("/manifests")
def manifest_create():
    store = current_postal().store
    site = request.form.get("site", "")
    centre = next((c for c in (store.catalogue() or {}).get("centres", []) if c["site"] == site), None)
    if centre is None:
        raise ClerkError("Chọn trung tâm nhận bảng kê.")
    manifest_id = store.create_manifest(site, centre["name"], request.form.getlist("dossiers"))
    flash("Đã lập bảng kê nháp: kiểm tra danh sách rồi chốt và in.", "ok")
    return redirect(url_for("manifests.manifest_view", manifest_id=manifest_id))


@bp.get("/manifests/<int:manifest_id>")
def manifest_view(manifest_id):
    store = current_postal().store
    manifest = store.manifest(manifest_id) or abort(404)
    candidates = store.unassigned(manifest["to_site"]) if manifest["state"] == "draft" else []
    remote_items = (manifest["remote"] or {}).get("items", [])
    return render_template(
        "manifest.html",
        manifest=manifest,
        candidates=candidates,
        remote_states={item["dossier"]: item["state"] for item in remote_items},
        remote_extras=[item for item in remote_items if item["state"] == "extra"],
    )


@bp.post("/manifests/<int:manifest_id>/add")
def manifest_add(manifest_id):
    current_postal().store.add_to_manifest(manifest_id, request.form.getlist("dossiers"))
    return redirect(url_for("manifests.manifest_view", manifest_id=manifest_id))


@bp.post("/manifests/<int:manifest_id>/remove")
def manifest_remove(manifest_id):
    current_postal().store.remove_from_manifest(manifest_id, request.form.get("dossier", ""))
    return redirect(url_for("manifests.manifest_view", manifest_id=manifest_id))


@bp.post("/manifests/<int:manifest_id>/delete")
def manifest_delete(manifest_id):
    current_postal().store.delete_draft(manifest_id)
    flash("Đã hủy bảng kê nháp.", "ok")
    return redirect(url_for("manifests.manifest_list"))


@bp.post("/manifests/<int:manifest_id>/close")
def manifest_close(manifest_id):
    postal = current_postal()
    store = postal.store
    code = store.close_manifest(manifest_id, local_now(), g.clerk.name)
    postal.kick()
    error = try_print(
        print_manifest, postal.settings.printer, manifest_for(store.manifest(manifest_id), store.catalogue())
    )
    if error:
        flash(f"Đã chốt bảng kê {code} nhưng chưa in được. {error}", "warn")
    else:
        flash(f"Đã chốt và in bảng kê {code}.", "ok")
    return redirect(url_for("manifests.manifest_view", manifest_id=manifest_id))


@bp.post("/manifests/<int:manifest_id>/print")
def manifest_print(manifest_id):
    postal = current_postal()
    manifest = postal.store.manifest(manifest_id) or abort(404)
    if manifest["state"] != "closed":
        raise ClerkError("Chốt bảng kê trước khi in.")
    error = try_print(
        print_manifest, postal.settings.printer, manifest_for(manifest, postal.store.catalogue())
    )
    flash(error or f"Đã in lại bảng kê {manifest['code']}.", "warn" if error else "ok")
    return redirect(url_for("manifests.manifest_view", manifest_id=manifest_id))


@bp.post("/manifests/<int:manifest_id>/reopen")
def manifest_reopen(manifest_id):
    current_postal().store.reopen_manifest(manifest_id)
    flash("Bảng kê đã mở lại: sửa danh sách rồi chốt lại.", "ok")
    return redirect(url_for("manifests.manifest_view", manifest_id=manifest_id))
