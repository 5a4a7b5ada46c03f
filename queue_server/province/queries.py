"""Reading the province's outbox for the reconciliation page and the API."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..sites.models import Site
from .models import MessageStatus, ProvinceMessage

LIMIT = 200  # the newest rows a page shows; a filter narrows to the rest


def messages(session: Session, site: Site, status: str | None = None, dossier: str | None = None) -> list:
    """The site's messages, newest first: of one status (``waiting`` = pending or sending), of
    dossiers whose code contains ``dossier``."""
    statement = select(ProvinceMessage).where(ProvinceMessage.site_id == site.id)
    if status == "waiting":
        statement = statement.where(ProvinceMessage.status.in_(MessageStatus.OPEN))
    elif status:
        statement = statement.where(ProvinceMessage.status == status)
    if dossier:
        statement = statement.where(ProvinceMessage.dossier_code.contains(dossier.strip(), autoescape=True))
    return list(session.scalars(statement.order_by(ProvinceMessage.id.desc()).limit(LIMIT)))


def counts(session: Session, site: Site) -> dict[str, int]:
    """How many of the site's messages are in each status."""
    rows = session.execute(
        select(ProvinceMessage.status, func.count())
        .where(ProvinceMessage.site_id == site.id)
        .group_by(ProvinceMessage.status)
    )
    found = {status: number for status, number in rows}
    return {status: found.get(status, 0) for status in MessageStatus.ALL}
