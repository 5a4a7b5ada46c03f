"""A site's link to the provincial system, the outbox of what it is told, and the dossiers
imported from it.

A :class:`ProvinceMessage` is one change of one dossier, written in the transaction of the
change (:mod:`.outbox`) and sent afterwards by :mod:`.worker`; its ``key`` (the dossier's code
and the dossier event's id) is the same on every attempt and goes to the province as the
``Idempotency-Key``. Its ``payload`` never holds personal data: when the link says the province
needs the applicant, the worker reads it from the dossier as it sends (so a dossier whose
personal data was purged sends none).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, Boolean, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from ..database import Base, UTCDateTime


class Adapter:
    """How the province is spoken to (one class each in :mod:`.adapters`)."""

    JSON = "json"  # JSON over HTTPS
    SOAP = "soap"  # a SOAP 1.1 envelope over HTTPS
    ALL = (JSON, SOAP)


class MessageStatus:
    PENDING = "pending"  # waiting for its next attempt (``next_attempt_at``)
    SENDING = "sending"  # claimed by a worker until ``lease_until``; then sent again, same key
    ACKNOWLEDGED = "acknowledged"  # the province answered 2xx
    REFUSED = "refused"  # the province said no (4xx, a SOAP Client fault): its reason is kept
    FAILED = "failed"  # out of attempts (5xx, timeouts), or the link was switched off
    ALL = (PENDING, SENDING, ACKNOWLEDGED, REFUSED, FAILED)
    OPEN = (PENDING, SENDING)
    RESENDABLE = (REFUSED, FAILED)


class ProvinceLink(Base):
    """A site's link to the provincial system. ``secret`` (a password or API key) is never
    shown back nor copied into the audit trail (``audit/recorder.HIDDEN``)."""

    __tablename__ = "province_links"

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), unique=True)
    enabled: Mapped[bool] = mapped_column(Boolean, default=False)
    adapter: Mapped[str] = mapped_column(String(10), default=Adapter.JSON)
    endpoint_url: Mapped[str] = mapped_column(String(500))
    username: Mapped[str | None] = mapped_column(String(200))
    secret: Mapped[str | None] = mapped_column(String(500))
    timeout_seconds: Mapped[float] = mapped_column(Float, default=10.0)
    # The site's own national codes, by action, over statuses.DEFAULT_CODES ("" = not sent).
    status_codes: Mapped[dict] = mapped_column(JSON, default=dict)
    # Whether the province needs the applicant's name, ID number, phone, address and e-mail.
    personal_data: Mapped[bool] = mapped_column(Boolean, default=False)
    # The SOAP adapter: the SOAPAction header and the namespace of the body's elements.
    soap_action: Mapped[str | None] = mapped_column(String(300))
    soap_namespace: Mapped[str | None] = mapped_column(String(300))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ProvinceMessage(Base):
    """One change of one dossier, told to the province: the outbox row the worker sends."""

    __tablename__ = "province_messages"
    __table_args__ = (
        Index("ix_province_messages_due", "status", "next_attempt_at"),
        Index("ix_province_messages_dossier", "dossier_id", "id"),
        Index("ix_province_messages_site_created", "site_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # "<dossier code>:<dossier event id>": the same on every attempt and every resend.
    key: Mapped[str] = mapped_column(String(120), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"))
    dossier_code: Mapped[str] = mapped_column(String(60))
    event_id: Mapped[int] = mapped_column(Integer)
    action: Mapped[str] = mapped_column(String(30))
    status_code: Mapped[str] = mapped_column(String(20))
    # What is sent (without personal data): see statuses.payload.
    payload: Mapped[dict] = mapped_column(JSON, default=dict)
    status: Mapped[str] = mapped_column(String(15), default=MessageStatus.PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # the last attempt's
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # acknowledged or refused
    http_status: Mapped[int | None] = mapped_column(Integer)
    # The province's reason for a refusal, or the last technical error; never personal data.
    reason: Mapped[str | None] = mapped_column(String(500))
    province_ref: Mapped[str | None] = mapped_column(String(200))  # the province's receipt id
    resent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resent_by: Mapped[str | None] = mapped_column(String(200))


class ProvinceImport(Base):
    """A dossier received online on the province's system, imported to be returned here."""

    __tablename__ = "province_imports"

    id: Mapped[int] = mapped_column(primary_key=True)
    # The province's own code of the dossier: one import per code, however often it is sent.
    province_code: Mapped[str] = mapped_column(String(60), unique=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), unique=True)
    imported_at: Mapped[datetime] = mapped_column(UTCDateTime)
    imported_by: Mapped[str | None] = mapped_column(String(200))
