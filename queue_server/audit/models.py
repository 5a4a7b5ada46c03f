"""Audit entries for the changes that have no log of their own."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class AuditEntry(Base):
    """One committed change (configuration, accounts, devices, manifests, print results...), or
    one event that changes no row but must be answered for (``event``: a login, a refused login,
    a lock, a logout, a read of a citizen's personal data), with what it concerned in ``details``.

    Tickets and counters are logged in ``queue_events``, dossiers in ``dossier_events``; both
    carry the same who / when / address, and the audit search reads all three.
    ``changes`` lists ``{"table", "id", "op", "values"}`` with ``[before, after]`` per column.
    """

    __tablename__ = "audit_entries"
    __table_args__ = (Index("ix_audit_entries_site_at", "site_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="SET NULL"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device_tokens.id", ondelete="SET NULL"))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(64))
    action: Mapped[str] = mapped_column(String(200))  # "POST /api/v1/..." or "cli seed-demo"
    # The browser or device that sent the request (a security review asks for it with the address).
    user_agent: Mapped[str | None] = mapped_column(String(300))
    changes: Mapped[list] = mapped_column(JSON, default=list)
    event: Mapped[str | None] = mapped_column(String(40), index=True)
    details: Mapped[dict | None] = mapped_column(JSON)
