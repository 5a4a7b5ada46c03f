"""One evaluation per dossier, with what it was computed from, copied so that reports need no
walk through the dossier's history and a later change of the catalogue changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class EvaluationChannel:
    """Where the citizen's answers came from."""

    ONLINE = "online"  # the dossier's tracking page /d/<key>, on the citizen's phone
    COUNTER = "counter"  # at the counter that returned the result, entered for the citizen
    POST = "post"  # the post office that delivered the result
    ALL = (ONLINE, COUNTER, POST)


class Evaluation(Base):
    """The evaluation of one dossier (unique): the criteria set it used, each index with its
    points, where they came from and the values they were computed from (``indices``), the
    citizen's answers by code (``answers``), the total and the verdict.

    ``site_id`` is the handling centre, ``receiving_site_id`` the one-stop unit that took the
    dossier in; ``field``, ``department_id`` and ``agency`` are the procedure's as the dossier
    had them; ``officer_id`` took the dossier in (the one-stop officer answerable for it) and
    ``returned_by_id`` handed the result back. No personal data of the citizen is stored here.
    """

    __tablename__ = "dossier_evaluations"
    __table_args__ = (Index("ix_dossier_evaluations_site_created", "site_id", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    receiving_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    procedure_id: Mapped[int | None] = mapped_column(ForeignKey("procedures.id", ondelete="SET NULL"))
    field: Mapped[str | None] = mapped_column(String(200))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id", ondelete="SET NULL"))
    agency: Mapped[str | None] = mapped_column(String(300))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    returned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    criteria_set: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(String(10))
    answers: Mapped[dict] = mapped_column(JSON, default=dict)
    # [{"code", "number", "source", "points", "values": {...}}] in the set's order.
    indices: Mapped[list] = mapped_column(JSON, default=list)
    score: Mapped[int] = mapped_column(Integer)
    max_score: Mapped[int] = mapped_column(Integer)
    verdict: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
