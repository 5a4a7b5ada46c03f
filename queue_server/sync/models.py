"""Operations an offline client has sent, kept so that sending one again changes nothing."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class SyncOperation(Base):
    """One applied operation, written in the transaction of its effect: it exists exactly
    when the effect does, so a retry finds it and gets the same answer back."""

    __tablename__ = "sync_operations"

    id: Mapped[str] = mapped_column(String(40), primary_key=True)  # chosen by the client
    # The device whose operation it is: the stored answer goes back to it alone (see operations).
    device_id: Mapped[int | None] = mapped_column(ForeignKey("device_tokens.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(30))
    applied_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[dict] = mapped_column(JSON)
