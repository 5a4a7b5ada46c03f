"""Handover manifests (bảng kê giao nhận hồ sơ) and what each one lists or brought."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from ..sites.models import Site


class Direction:
    """What a manifest carries, and between which places.

    ``to_centre``: dossiers on their way to the centre that handles them, from the post office
    or the centre that took them in (intake regardless of administrative boundary, Nghị định
    118/2025 Điều 14 and 18). ``results``: results from the handling centre to the centre
    where the citizen chose to collect them. ``to_post``: results handed to the post for
    delivery to the citizen's address.
    """

    TO_CENTRE = "to_centre"
    RESULTS = "results"
    TO_POST = "to_post"
    ALL = (TO_CENTRE, RESULTS, TO_POST)


class ManifestStatus:
    OPEN = "open"  # still being filled
    CLOSED = "closed"  # sealed and on its way; nothing may be added
    RECEIVING = "receiving"  # the recipient has scanned the manifest and is scanning dossiers
    RECEIVED = "received"  # reception finished: what did not arrive is missing
    ALL = (OPEN, CLOSED, RECEIVING, RECEIVED)


class Manifest(Base):
    __tablename__ = "manifests"

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    direction: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(10), default=ManifestStatus.OPEN)
    from_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    to_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    created_by_name: Mapped[str | None] = mapped_column(String(200))
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    receiving_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    received_by_name: Mapped[str | None] = mapped_column(String(200))

    from_site: Mapped[Site] = relationship(foreign_keys=[from_site_id])
    to_site: Mapped[Site] = relationship(foreign_keys=[to_site_id])
    items: Mapped[list[ManifestItem]] = relationship(
        back_populates="manifest", order_by="ManifestItem.id", cascade="all, delete-orphan"
    )


class ManifestItem(Base):
    """A dossier listed on a manifest (``listed``) and/or found in the bundle (``arrived_at``).

    Listed and arrived: received. Listed, not arrived when reception ends: missing. Arrived but
    not listed: extra (``dossier_id`` stays empty when the scanned code is unknown).
    """

    __tablename__ = "manifest_items"
    __table_args__ = (UniqueConstraint("manifest_id", "dossier_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    manifest_id: Mapped[int] = mapped_column(ForeignKey("manifests.id", ondelete="CASCADE"), index=True)
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id"), index=True)
    dossier_code: Mapped[str] = mapped_column(String(60))
    listed: Mapped[bool] = mapped_column(Boolean, default=True)
    arrived_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    position: Mapped[int] = mapped_column(Integer, default=0)

    manifest: Mapped[Manifest] = relationship(back_populates="items")

    @property
    def state(self) -> str:
        if not self.listed:
            return "extra"
        if self.arrived_at is not None:
            return "arrived"
        if self.manifest.status == ManifestStatus.RECEIVED:
            return "missing"
        return "expected"
