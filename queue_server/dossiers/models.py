"""Dossier models: the procedure catalogue, dossiers (hồ sơ) with their event log and
attachments, code sequences, and the calendar days an admin declares off or working.

The lifecycle rules live in :mod:`.lifecycle`; these classes only hold the state.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from ..sites.models import Department, Site


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

    site: Mapped[Site] = relationship()
    department: Mapped[Department] = relationship()


class DossierSequence(Base):
    """The last daily number of the dossier codes of one receiving agency (or post office)."""

    __tablename__ = "dossier_sequences"

    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    received_on: Mapped[date] = mapped_column(Date, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class CalendarDay(Base):
    """A day an admin declares off (``working=False``) or working (a make-up Saturday).

    ``site_id`` None applies to every site (a national swap announced by the government).
    """

    __tablename__ = "calendar_days"
    __table_args__ = (UniqueConstraint("site_id", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    day: Mapped[date] = mapped_column(Date, index=True)
    working: Mapped[bool] = mapped_column(Boolean)
    note: Mapped[str | None] = mapped_column(String(300))

    site: Mapped[Site | None] = relationship()


class DossierStatus:
    RECEIVED = "received"  # đã tiếp nhận
    SUPPLEMENT_REQUESTED = "supplement_requested"  # yêu cầu bổ sung
    RESUBMITTED = "resubmitted"  # đã bổ sung
    REFUSED = "refused"  # từ chối
    TRANSFERRED = "transferred"  # đã chuyển cơ quan giải quyết
    PROCESSING = "processing"  # đang giải quyết
    APOLOGY_ISSUED = "apology_issued"  # đã xin lỗi, hẹn lại
    RESULT_READY = "result_ready"  # có kết quả
    RETURNED = "returned"  # đã trả kết quả
    ALL = (
        RECEIVED,
        SUPPLEMENT_REQUESTED,
        RESUBMITTED,
        REFUSED,
        TRANSFERRED,
        PROCESSING,
        APOLOGY_ISSUED,
        RESULT_READY,
        RETURNED,
    )
    # The deadline still runs (or is paused) in these.
    OPEN = (RECEIVED, SUPPLEMENT_REQUESTED, RESUBMITTED, TRANSFERRED, PROCESSING, APOLOGY_ISSUED)


class DossierChannel:
    COUNTER = "counter"
    POSTAL = "postal"
    ONLINE = "online"
    ALL = (COUNTER, POSTAL, ONLINE)


class Delivery:
    """Where the citizen collects the result."""

    COUNTER = "counter"
    POST = "post"
    ONLINE = "online"
    ALL = (COUNTER, POST, ONLINE)


class FeePayment:
    CASH = "cash"
    BANK = "bank"  # chuyển khoản / thu hộ qua ngân hàng
    CARD = "card"
    EXEMPT = "exempt"
    UNPAID = "unpaid"
    ALL = (CASH, BANK, CARD, EXEMPT, UNPAID)


class Dossier(Base):
    """A dossier (hồ sơ thủ tục hành chính) from intake to the return of its result.

    ``site_id`` is the centre that receives it into the one-stop mechanism and returns the
    result; ``intake_site_id`` is where the citizen handed it in (the centre or a post office).
    ``client_id`` is chosen by whoever creates the dossier, so that a retried request (the
    postal client's sync) finds the dossier it already created instead of making another.
    The applicant fields are personal data: they never leave through a public page.
    """

    __tablename__ = "dossiers"
    __table_args__ = (
        Index("ix_dossiers_site_status", "site_id", "status"),
        Index("ix_dossiers_site_received", "site_id", "received_at", "channel"),
        Index("ix_dossiers_site_finished", "site_id", "finished_at", "outcome"),
        Index("ix_dossiers_site_returned", "site_id", "returned_at", "return_method"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    tracking_key: Mapped[str] = mapped_column(String(32), unique=True)
    # The legal forms in force when received (Thông tư 01/2018/TT-VPCP; 03/2025 renumbers them).
    form_set: Mapped[str] = mapped_column(String(20), default="TT01/2018")
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    intake_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(30), default=DossierStatus.RECEIVED)

    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_id_number: Mapped[str | None] = mapped_column(String(20))
    applicant_phone: Mapped[str | None] = mapped_column(String(20))
    applicant_address: Mapped[str | None] = mapped_column(String(500))
    applicant_email: Mapped[str | None] = mapped_column(String(200))

    # [{"name", "originals", "certified_copies", "copies"}] as checked at intake.
    documents: Mapped[list] = mapped_column(JSON, default=list)
    sets: Mapped[int] = mapped_column(Integer, default=1)
    delivery: Mapped[str] = mapped_column(String(10), default=Delivery.COUNTER)
    delivery_address: Mapped[str | None] = mapped_column(String(500))
    fee: Mapped[int] = mapped_column(Integer, default=0)
    fee_payment: Mapped[str] = mapped_column(String(10), default=FeePayment.CASH)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)

    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_by_name: Mapped[str | None] = mapped_column(String(200))
    # The due date in force: statutory, extended by supplement pauses.
    due_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    # The new date promised by the apology (Mẫu 04), when one was issued.
    apology_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    agency_supplements: Mapped[int] = mapped_column(Integer, default=0)
    due_soon_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(10))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_method: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship(foreign_keys=[site_id])
    intake_site: Mapped[Site] = relationship(foreign_keys=[intake_site_id])
    procedure: Mapped[Procedure] = relationship()
    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", order_by="DossierEvent.id", cascade="all, delete-orphan"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="dossier", order_by="Attachment.id", cascade="all, delete-orphan"
    )

    @property
    def paused(self) -> bool:
        return self.paused_since is not None


class DossierEvent(Base):
    """One line of the dossier's history; the hand-overs among them make the control sheet
    (Mẫu 05). ``client_id`` makes an event sent by the offline postal client idempotent."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(30))  # the dossier's status after the event
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_device_id: Mapped[int | None] = mapped_column(ForeignKey("device_tokens.id"))
    actor_name: Mapped[str | None] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(64))  # the client's, for the audit
    # Hand-over: from whom to whom the paper dossier went (agency names).
    from_party: Mapped[str | None] = mapped_column(String(300))
    to_party: Mapped[str | None] = mapped_column(String(300))
    note: Mapped[str | None] = mapped_column(Text)
    data: Mapped[dict] = mapped_column(JSON, default=dict)

    dossier: Mapped[Dossier] = relationship(back_populates="events")


class Attachment(Base):
    """A scan of a paper document; the bytes live in the storage (:mod:`.storage`)."""

    __tablename__ = "dossier_attachments"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(ForeignKey("dossiers.id", ondelete="CASCADE"), index=True)
    client_id: Mapped[str | None] = mapped_column(String(40), unique=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_by_device_id: Mapped[int | None] = mapped_column(ForeignKey("device_tokens.id"))

    dossier: Mapped[Dossier] = relationship(back_populates="attachments")
