"""Bank statements a site imported and the lines they brought (see :mod:`.matching` for what
a line's outcome means)."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, BigInteger, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime

if TYPE_CHECKING:
    from ..dossiers.models import Dossier


class StatementImport(Base):
    """One statement file a supervisor confirmed: who, when, which file and what it brought.
    ``counts`` has a number per outcome, with ``unreadable``, ``debit``, ``zero`` and
    ``skipped`` rows; ``applied`` the đồng confirmed on dossiers."""

    __tablename__ = "statement_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    file_name: Mapped[str] = mapped_column(String(200))
    account_number: Mapped[str | None] = mapped_column(String(30))  # as the file's title block says
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    imported_by: Mapped[str] = mapped_column(String(200))
    counts: Mapped[dict] = mapped_column(JSON, default=dict)
    applied: Mapped[int] = mapped_column(BigInteger, default=0)


class StatementLine(Base):
    """A credit line of a statement, once: a bank's reference is unique in its account, so a
    second import of the same line is recognised (``uq_statement_lines_reference``). The
    description and the payer's name are personal data: read only by the site's supervisors,
    each read recorded (audit/reads.py), never logged."""

    __tablename__ = "statement_lines"
    __table_args__ = (
        UniqueConstraint("site_id", "reference", name="uq_statement_lines_reference"),
        Index("ix_statement_lines_import_outcome", "import_id", "outcome"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    import_id: Mapped[int] = mapped_column(ForeignKey("statement_imports.id", ondelete="CASCADE"))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    row: Mapped[int] = mapped_column(Integer)
    reference: Mapped[str] = mapped_column(String(40))  # dossiers.rules.RECEIPT_NUMBER_MAX
    booked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    amount: Mapped[int] = mapped_column(BigInteger)
    description: Mapped[str] = mapped_column(String(500))
    payer: Mapped[str] = mapped_column(String(500), default="")
    outcome: Mapped[str] = mapped_column(String(20))
    dossier_id: Mapped[int | None] = mapped_column(ForeignKey("dossiers.id", ondelete="SET NULL"), index=True)

    dossier: Mapped[Dossier | None] = relationship("Dossier")
