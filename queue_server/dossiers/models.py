"""Dossier models: the procedure catalogue and dossier code sequences (more with issue 5)."""

from __future__ import annotations

from datetime import date

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base
from ..sites.models import Department


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính) a site takes in.

    ``documents`` is the published list of what to bring: ``[{"name": ..., "copies": n}]``.
    ``processing_unit`` is one of :class:`queue_server.dossiers.deadlines.Unit`.
    """

    __tablename__ = "procedures"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(500))
    field: Mapped[str | None] = mapped_column(String(200))
    processing_amount: Mapped[float] = mapped_column(Float)
    processing_unit: Mapped[str] = mapped_column(String(20))
    fee: Mapped[int] = mapped_column(Integer, default=0)  # đồng
    documents: Mapped[list] = mapped_column(JSON, default=list)
    postal_allowed: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    department: Mapped[Department] = relationship()


class DossierSequence(Base):
    """The last daily number of the dossier codes of one receiving agency (or post office)."""

    __tablename__ = "dossier_sequences"

    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    received_on: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)
