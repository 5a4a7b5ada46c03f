"""Dossier models: the procedure catalogue, dossiers (hồ sơ) with their event log and
attachments, code sequences, the registers (tracking books, numbered notices), each centre's
form settings, and the calendar days an admin declares off or working.

The lifecycle rules live in :mod:`.lifecycle`; these classes only hold the state.
"""

from __future__ import annotations

from datetime import date, datetime, time

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
    Time,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base, UTCDateTime
from ..sites.models import Department, Site
from .rules import Delivery, DossierStatus, FeePayment, FeeStatus


class Procedure(Base):
    """An administrative procedure (thủ tục hành chính) of the province's catalogue.

    ``site`` is the centre that handles it: its one-stop unit passes the dossier to
    ``department``. Any centre of the same province may receive it (intake regardless of
    administrative boundary, Nghị định 118/2025 Điều 14) and sends the dossier on.
    ``documents`` is the published list of what to bring: ``[{"name": ..., "copies": n}]``.
    ``processing_unit`` is one of :class:`queue_server.dossiers.deadlines.Unit`.
    ``cutoff``: a dossier received after this hour counts its time from the next working day
    and may be passed to the agency the next morning (the practice of Nghị định 61/2018, kept
    by several 2025 procedures); None when the procedure has no cut-off.
    ``system_code``: the two letters of the national centralised system the procedure runs
    on, if any; its dossier codes then take the form ``<agency>-<YYMMDD>-<AA><NNNN>``
    (Thông tư 04/2025/TT-VPCP).
    ``payment_before_processing``: the fee is paid before the dossier goes to the agency (the
    procedure's own fee rules say when a fee or charge is collected; Luật Phí và lệ phí 2015
    leaves it to them), so a dossier received unpaid waits for payment (:mod:`.fees`).
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
    cutoff: Mapped[time | None] = mapped_column(Time)
    system_code: Mapped[str | None] = mapped_column(String(2))
    payment_before_processing: Mapped[bool] = mapped_column(Boolean, default=False)

    site: Mapped[Site] = relationship()
    department: Mapped[Department] = relationship()


class DossierSequence(Base):
    """The last daily number of the dossier codes of one receiving agency (or post office).

    ``series`` is empty for the codes of Thông tư 01/2018 Điều 19 and holds the two letters
    of a national centralised system for the codes Thông tư 04/2025 adds: each numbers apart.
    """

    __tablename__ = "dossier_sequences"

    agency_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    received_on: Mapped[date] = mapped_column(Date, primary_key=True)
    series: Mapped[str] = mapped_column(String(2), primary_key=True, default="")
    last_value: Mapped[int] = mapped_column(Integer)


class RegisterSequence(Base):
    """The last number a centre gave in one of its yearly registers: the tracking book's
    entries (``book``) and each kind of numbered notice (``refusal``, ``stop_notice``...)."""

    __tablename__ = "register_sequences"

    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), primary_key=True)
    register: Mapped[str] = mapped_column(String(30), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer)


class TrackingBook(Base):
    """One volume (quyển) of a centre's tracking book (sổ theo dõi hồ sơ) for a year.

    Thông tư 01/2018: one book a year, entries numbered from 01 to the year's end; a new book
    opened in the same year continues the numbering (``first_entry``).
    """

    __tablename__ = "tracking_books"
    __table_args__ = (UniqueConstraint("site_id", "year", "volume"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    year: Mapped[int] = mapped_column(Integer)
    volume: Mapped[int] = mapped_column(Integer)
    first_entry: Mapped[int] = mapped_column(Integer)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime)
    opened_by_name: Mapped[str | None] = mapped_column(String(200))


class FormSettings(Base):
    """What a centre writes on the forms of one form set: the heading lines, the place on the
    date line and the symbols after each notice's number (``Số: 12/TB-TTPVHCC``).

    The circulars fix the forms' content, not these words: they are the centre's (see
    :mod:`.formsets` for the defaults).
    """

    __tablename__ = "form_settings"
    __table_args__ = (UniqueConstraint("site_id", "form_set"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    form_set: Mapped[str] = mapped_column(String(20))
    governing_body: Mapped[str | None] = mapped_column(String(300))
    centre_name: Mapped[str | None] = mapped_column(String(300))
    place_name: Mapped[str | None] = mapped_column(String(100))
    symbols: Mapped[dict] = mapped_column(JSON, default=dict)


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


class Dossier(Base):
    """A dossier (hồ sơ thủ tục hành chính) from intake to the return of its result.

    Three places may differ (intake regardless of administrative boundary, Nghị định 118/2025
    Điều 14): ``intake_site`` is where the citizen handed it in (a centre, or a post office);
    ``site`` is the centre that handles it (the procedure's); ``return_site`` is the centre
    whose counter hands the result back when it is collected at a counter. The *receiving*
    one-stop unit (:attr:`receiving_site_id`) is the intake centre, or the handling centre
    for what a post office took in: it registers the dossier in its tracking book and issues
    the receipt, the supplement request, the refusal and the stop notice.

    ``registered`` is False for a dossier the officer turned away at intake (guidance on
    what is missing, Mẫu 02, or a refusal, Mẫu 03): it has no receipt, due date, book entry
    or fee. ``form_set`` is the set of legal forms in force the day it was received; a
    reprint uses it.
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
        Index("ix_dossiers_intake_received", "intake_site_id", "received_at"),
        Index("ix_dossiers_applicant_id_number", "applicant_id_number"),
        UniqueConstraint("book_site_id", "book_year", "book_entry", name="uq_dossiers_book_entry"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(40), unique=True)
    code: Mapped[str] = mapped_column(String(60), unique=True)
    tracking_key: Mapped[str] = mapped_column(String(32), unique=True)
    # The legal forms in force when received (see formsets.py).
    form_set: Mapped[str] = mapped_column(String(20))
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"))
    intake_site_id: Mapped[int] = mapped_column(ForeignKey("sites.id"))
    return_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    procedure_id: Mapped[int] = mapped_column(ForeignKey("procedures.id"))
    channel: Mapped[str] = mapped_column(String(10))
    status: Mapped[str] = mapped_column(String(30), default=DossierStatus.RECEIVED)
    registered: Mapped[bool] = mapped_column(Boolean, default=True)

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
    fee_status: Mapped[str] = mapped_column(String(15), default=FeeStatus.NONE)
    # The payment record (dossiers/fees.py): when the fee was paid, its receipt's number and who
    # confirmed it (the receiving officer at intake, else whoever confirmed it later). The
    # history of the fee (amount changed, waived, refunded, with reasons) is in the events.
    fee_paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    fee_receipt_number: Mapped[str | None] = mapped_column(String(40))
    fee_confirmed_by: Mapped[str | None] = mapped_column(String(200))
    # The procedure's rule when the dossier was received (a later change of the catalogue never
    # changes an old dossier): its fee is paid before it goes to the agency.
    payment_before_processing: Mapped[bool] = mapped_column(Boolean, default=False)
    ticket_id: Mapped[int | None] = mapped_column(ForeignKey("tickets.id", ondelete="SET NULL"))
    note: Mapped[str | None] = mapped_column(Text)
    # The applicant's consent to be contacted about the dossier (phone, SMS, Zalo): optional,
    # asked at intake and never assumed; when it was given or withdrawn and through which
    # channel (the intake's channel, or how the citizen asked later: RequestChannel).
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    contact_consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    contact_consent_via: Mapped[str | None] = mapped_column(String(20))
    # When the retention period ended and the personal fields were anonymised
    # (queue_server/privacy/retention.py); the dossier's dates, outcome and counts stay.
    personal_data_purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    received_at: Mapped[datetime] = mapped_column(UTCDateTime)
    received_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    received_by_name: Mapped[str | None] = mapped_column(String(200))
    # The tracking book's entry: the receiving unit's book, its volume, the year's number.
    book_site_id: Mapped[int | None] = mapped_column(ForeignKey("sites.id"))
    book_year: Mapped[int | None] = mapped_column(Integer)
    book_volume: Mapped[int | None] = mapped_column(Integer)
    book_entry: Mapped[int | None] = mapped_column(Integer)
    # When the processing time started to count: after a cut-off hour, the next working day;
    # after a supplement (by default), when the complete dossier came back.
    counted_from: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The statutory due instant (None for a dossier turned away at intake).
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # By when the dossier must reach the agency that decides (same day, or next morning).
    transfer_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The new date the apology (Mẫu 04) proposed, once.
    apology_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_since: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    supplement_requests: Mapped[int] = mapped_column(Integer, default=0)
    due_soon_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    outcome: Mapped[str | None] = mapped_column(String(10))
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    return_method: Mapped[str | None] = mapped_column(String(10))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)

    site: Mapped[Site] = relationship(foreign_keys=[site_id])
    intake_site: Mapped[Site] = relationship(foreign_keys=[intake_site_id])
    return_site: Mapped[Site | None] = relationship(foreign_keys=[return_site_id])
    book_site: Mapped[Site | None] = relationship(foreign_keys=[book_site_id])
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

    @property
    def awaiting_payment(self) -> bool:
        """Received, its fee due, and its procedure wants the fee before processing: it waits
        for the citizen's payment and goes to the agency only once it is confirmed or waived."""
        return self.registered and self.payment_before_processing and self.fee_status == FeeStatus.UNPAID

    @property
    def receiving_site(self) -> Site:
        """The one-stop unit that received the dossier: where it was handed in, unless that was
        a post office, which carries it to the handling centre."""
        return self.intake_site if self.intake_site.is_centre else self.site

    @property
    def receiving_site_id(self) -> int:
        return self.receiving_site.id

    @property
    def promised_at(self) -> datetime | None:
        """The due instant the citizen holds: the apology's new date once there is one."""
        return self.apology_due_at or self.due_at

    @property
    def registered_due_at(self) -> datetime:
        """``due_at`` of a registered dossier, which always has one: every transition of
        :mod:`.lifecycle` and every form that prints the due date starts from a registered
        dossier (only one turned away at intake has none)."""
        if self.due_at is None:
            raise ValueError(f"dossier {self.code} was not registered: it has no due date")
        return self.due_at


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
    # When the retention period ended and the file left the disk (the row stays, named by a
    # marker, so that the dossier still shows a scan existed).
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    dossier: Mapped[Dossier] = relationship(back_populates="attachments")
