"""Handover manifests: fill, close, scan in, finish. The only place for their rules.

A post office, or a centre that took in dossiers another centre of the province handles,
bundles them onto a manifest to the handling centre (``to_centre``); the handling centre
bundles results onto a manifest back to the centre where the citizen collects them
(``results``), or to a post office that delivers them (``to_post``). The sender closes the
manifest; the recipient scans its barcode, then every dossier in the bundle, and finishes: what
was listed but not scanned is *missing*, what was scanned but not listed is *extra*. Every
dossier that arrived gets a hand-over line in its control sheet. Manifest codes follow the
dossier codes with the sender's agency code prefixed by ``BK.`` (bảng kê), so an offline post
office can number its own.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from hardware.scanning import MANIFEST_PREFIX

from ..actors import Actor
from ..database import utcnow
from ..dossiers import codes, lifecycle
from ..dossiers.models import Dossier
from ..dossiers.rules import Delivery, DossierStatus
from ..errors import ApiError, Conflict, NotFound
from ..lookups import one_or_404
from ..sites.calendar import business_date
from ..sites.models import Site
from ..sites.province import same_province
from .models import Direction, Manifest, ManifestItem, ManifestStatus


def manifest_agency(site: Site) -> str:
    if not site.agency_code:
        raise Conflict("no_agency_code", f"Site {site.code} has no agency code.")
    return MANIFEST_PREFIX + site.agency_code


def get_by_code(session: Session, code: str) -> Manifest:
    statement = select(Manifest).where(Manifest.code == code)
    return one_or_404(session, statement, code="unknown_manifest", message=f"No manifest {code!r}.")


def create(
    session: Session,
    from_site: Site,
    to_site: Site,
    direction: str,
    actor: Actor,
    *,
    client_id: str | None = None,
    code: str | None = None,
    created_at: datetime | None = None,
    now: datetime | None = None,
) -> tuple[Manifest, bool]:
    """Open a manifest; a known ``client_id`` returns the manifest it made (``created`` False)."""
    if client_id is not None:
        existing = session.scalar(select(Manifest).where(Manifest.client_id == client_id))
        if existing is not None:
            if existing.from_site_id != from_site.id:
                raise Conflict("client_id_taken", "This client_id belongs to another site's manifest.")
            return existing, False
    _check_route(from_site, to_site, direction)
    now = now or utcnow()
    created_at = created_at or now
    day = business_date(from_site, created_at)
    agency = manifest_agency(from_site)
    if code is None:
        code = codes.allocate_code(session, agency, day)
    else:
        codes.check_own_code(session, code, agency, day)
    manifest = Manifest(
        client_id=client_id or lifecycle.new_client_id(),
        code=code,
        direction=direction,
        status=ManifestStatus.OPEN,
        from_site_id=from_site.id,
        to_site_id=to_site.id,
        created_at=created_at,
        created_by_name=lifecycle.actor_name(actor),
    )
    session.add(manifest)
    session.flush()
    return manifest, True


def _check_route(from_site: Site, to_site: Site, direction: str) -> None:
    if direction not in Direction.ALL:
        raise ApiError("invalid_direction", f"direction must be one of {', '.join(Direction.ALL)}.")
    if from_site.id == to_site.id:
        raise ApiError("invalid_sites", "A manifest goes from one site to another.")
    if direction == Direction.TO_POST:
        fits = from_site.is_centre and not to_site.is_centre
        rule = "Results go by post from a centre to a post office."
    elif direction == Direction.RESULTS:
        fits = from_site.is_centre and to_site.is_centre
        rule = "Results go from the handling centre to another centre."
    else:
        fits = to_site.is_centre
        rule = "Dossiers go to the centre that handles them."
    if not fits:
        raise ApiError("invalid_sites", rule)
    if not same_province(from_site, to_site):
        raise ApiError("invalid_sites", "A manifest stays within the province.")


def _check_fits(session: Session, manifest: Manifest, dossier: Dossier) -> None:
    if manifest.direction == Direction.TO_CENTRE:
        if dossier.intake_site_id != manifest.from_site_id or dossier.site_id != manifest.to_site_id:
            raise Conflict("wrong_manifest", f"{dossier.code} was not taken in here for that centre.")
        if not dossier.registered:
            raise Conflict("not_registered", f"{dossier.code} was turned away at intake.")
    elif manifest.direction == Direction.RESULTS:
        if dossier.site_id != manifest.from_site_id or dossier.return_site_id != manifest.to_site_id:
            raise Conflict("wrong_manifest", f"{dossier.code}'s result is not collected at that centre.")
        if dossier.status != DossierStatus.RESULT_READY or dossier.delivery != Delivery.COUNTER:
            raise Conflict("no_result", f"{dossier.code} has no result waiting to go there.")
    else:
        if dossier.site_id != manifest.from_site_id:
            raise Conflict("wrong_manifest", f"{dossier.code} is not a dossier of this centre.")
        if dossier.status != DossierStatus.RESULT_READY or dossier.delivery != Delivery.POST:
            raise Conflict("not_for_post", f"{dossier.code} has no result waiting to go by post.")
    elsewhere = session.scalar(
        select(Manifest.code)
        .join(ManifestItem)
        .where(
            ManifestItem.dossier_id == dossier.id,
            ManifestItem.listed.is_(True),
            Manifest.direction == manifest.direction,
            Manifest.id != manifest.id,
            Manifest.status != ManifestStatus.RECEIVED,
        )
    )
    if elsewhere is not None:
        raise Conflict("on_other_manifest", f"{dossier.code} is already on manifest {elsewhere}.")


def add(session: Session, manifest: Manifest, dossier_code: str) -> ManifestItem:
    """List a dossier on an open manifest (again: no change)."""
    for item in manifest.items:
        if item.dossier_code == dossier_code:
            return item
    if manifest.status != ManifestStatus.OPEN:
        raise Conflict("manifest_closed", f"Manifest {manifest.code} is closed.")
    dossier = lifecycle.get_by_code(session, dossier_code)
    _check_fits(session, manifest, dossier)
    item = ManifestItem(
        dossier_id=dossier.id, dossier_code=dossier.code, listed=True, position=len(manifest.items) + 1
    )
    manifest.items.append(item)
    session.flush()
    return item


def remove(session: Session, manifest: Manifest, dossier_code: str) -> None:
    if manifest.status != ManifestStatus.OPEN:
        raise Conflict("manifest_closed", f"Manifest {manifest.code} is closed.")
    for item in manifest.items:
        if item.dossier_code == dossier_code:
            manifest.items.remove(item)
            session.flush()
            return
    raise NotFound("not_listed", f"{dossier_code} is not on manifest {manifest.code}.")


def close(session: Session, manifest: Manifest, now: datetime | None = None) -> Manifest:
    """Seal the manifest for the journey (closing it again changes nothing)."""
    if manifest.status != ManifestStatus.OPEN:
        return manifest
    if not manifest.items:
        raise Conflict("manifest_empty", "An empty manifest cannot be closed.")
    manifest.status = ManifestStatus.CLOSED
    manifest.closed_at = now or utcnow()
    session.flush()
    return manifest


def scan(
    session: Session, manifest: Manifest, scanned: str, actor: Actor, now: datetime | None = None
) -> ManifestItem | None:
    """At the recipient: the manifest's own code starts the reception; a dossier code marks
    that dossier arrived (or extra when it is not listed). Scanning twice changes nothing."""
    now = now or utcnow()
    if manifest.status == ManifestStatus.OPEN:
        raise Conflict("manifest_open", f"Manifest {manifest.code} has not been closed by its sender.")
    if manifest.status == ManifestStatus.RECEIVED:
        raise Conflict("manifest_received", f"Manifest {manifest.code} has already been received.")
    if manifest.status == ManifestStatus.CLOSED:
        manifest.status = ManifestStatus.RECEIVING
        manifest.receiving_at = now
        manifest.received_by_name = lifecycle.actor_name(actor)
    scanned = scanned.strip()
    if scanned == manifest.code:
        session.flush()
        return None
    item = next((i for i in manifest.items if i.dossier_code == scanned), None)
    if item is None:
        dossier = session.scalar(select(Dossier).where(Dossier.code == scanned))
        if dossier is None and not codes.looks_like_code(scanned):
            raise ApiError("not_a_dossier_code", f"{scanned!r} is not a dossier code.")
        item = ManifestItem(
            dossier_id=dossier.id if dossier else None,
            dossier_code=scanned,
            listed=False,
            position=len(manifest.items) + 1,
        )
        manifest.items.append(item)
    if item.arrived_at is None:
        item.arrived_at = now
    session.flush()
    return item


def finish(session: Session, manifest: Manifest, actor: Actor, now: datetime | None = None) -> Manifest:
    """End the reception: unscanned dossiers are missing; the rest change hands (Mẫu 05)."""
    if manifest.status == ManifestStatus.RECEIVED:
        return manifest
    if manifest.status not in (ManifestStatus.CLOSED, ManifestStatus.RECEIVING):
        raise Conflict("manifest_open", f"Manifest {manifest.code} has not been closed by its sender.")
    now = now or utcnow()
    manifest.status = ManifestStatus.RECEIVED
    manifest.received_at = now
    manifest.receiving_at = manifest.receiving_at or now
    manifest.received_by_name = manifest.received_by_name or lifecycle.actor_name(actor)
    for item in manifest.items:
        if item.arrived_at is not None and item.listed and item.dossier_id is not None:
            dossier = session.get_one(Dossier, item.dossier_id)
            lifecycle.record_handover(
                session,
                dossier,
                actor,
                from_party=manifest.from_site.name,
                to_party=manifest.to_site.name,
                at=item.arrived_at,
                note=f"Bảng kê {manifest.code}",
                data={
                    "manifest": manifest.code,
                    "direction": manifest.direction,
                    "to_site": manifest.to_site.code,
                },
            )
    session.flush()
    return manifest


def summary(manifest: Manifest) -> dict:
    counts = {"expected": 0, "arrived": 0, "missing": 0, "extra": 0}
    for item in manifest.items:
        counts[item.state] += 1
    return counts


def carrier_of(session: Session, dossier: Dossier) -> Site | None:
    """The post office that carries the dossier's result: the recipient of the latest return
    manifest listing it, once that manifest left the centre."""
    return session.scalar(
        select(Site)
        .join(Manifest, Manifest.to_site_id == Site.id)
        .join(ManifestItem)
        .where(
            ManifestItem.dossier_id == dossier.id,
            ManifestItem.listed.is_(True),
            Manifest.direction == Direction.TO_POST,
            Manifest.status != ManifestStatus.OPEN,
        )
        .order_by(Manifest.id.desc())
        .limit(1)
    )


@lifecycle.carrier_wanted.connect
def _answer_carrier(dossier: Dossier, session: Session) -> Site | None:
    """The dossiers' question (:data:`queue_server.dossiers.lifecycle.carrier_wanted`)."""
    return carrier_of(session, dossier)
