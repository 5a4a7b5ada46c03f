"""Models of a site and what it offers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ColumnElement,
    Date,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
    bindparam,
    case,
    cast,
    false,
    true,
)
from sqlalchemy.orm import Mapped, declared_attr, mapped_column, relationship

from .. import vietqr
from ..database import Base, UTCDateTime

if TYPE_CHECKING:
    from ..auth.models import User


class SiteKind:
    """What a site is, after the two-level reform of local government (1/7/2025): a province
    and its communes, no district. The provincial centre may have branches (chi nhánh) and
    service points; each commune has its centre; post offices take dossiers in for them."""

    PROVINCIAL_CENTRE = "provincial_centre"
    PROVINCIAL_BRANCH = "provincial_branch"  # chi nhánh của Trung tâm cấp tỉnh
    COMMUNE_CENTRE = "commune_centre"
    SERVICE_POINT = "service_point"  # điểm tiếp nhận
    POST_OFFICE = "post_office"
    # From the provincial centre down to the post office: the order staff pages list sites in.
    ALL = (PROVINCIAL_CENTRE, PROVINCIAL_BRANCH, COMMUNE_CENTRE, SERVICE_POINT, POST_OFFICE)
    # The one-stop units: every kind but the post office.
    CENTRES = (PROVINCIAL_CENTRE, PROVINCIAL_BRANCH, COMMUNE_CENTRE, SERVICE_POINT)


class PriorityPolicy:
    """How call-next treats priority tickets (người cao tuổi, khuyết tật, ...).

    ``strict``: a waiting priority ticket is always called first.
    ``interleave``: at most ``priority_max_run`` priority tickets in a row while others wait.
    """

    STRICT = "strict"
    INTERLEAVE = "interleave"
    ALL = (STRICT, INTERLEAVE)


DEFAULT_CALL_TEMPLATE = "Xin mời công dân có số thứ tự {number} đến quầy số {counter}"


class Site(Base):
    """A place that serves citizens: a public service centre, a commune unit or a post office."""

    __tablename__ = "sites"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str] = mapped_column(String(30), default=SiteKind.PROVINCIAL_CENTRE)
    timezone: Mapped[str] = mapped_column(String(60), default="Asia/Ho_Chi_Minh")
    priority_policy: Mapped[str] = mapped_column(String(20), default=PriorityPolicy.STRICT)
    priority_max_run: Mapped[int] = mapped_column(Integer, default=2)
    call_template: Mapped[str] = mapped_column(String(300), default=DEFAULT_CALL_TEMPLATE)
    # Kiosks refuse numbers outside opening hours and when the wait would run past closing.
    enforce_opening_hours: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    # The waiting time the centre promises; reports count the share of citizens called within it.
    target_wait_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    # Officers press "Bắt đầu phục vụ" when the citizen reaches the counter: the productivity
    # reports then tell the wait at the counter (called to started) from the service itself.
    # Off, a ticket is served from its call, one press fewer for each citizen.
    use_start_step: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Code of the receiving agency in dossier codes (mã đơn vị, e.g. 000.00.06.H40); a post
    # office has its own, so the codes it hands out offline never collide with the centre's.
    agency_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Sites of one province share its procedure catalogue and take in each other's dossiers
    # (intake regardless of administrative boundary, Nghị định 118/2025 Điều 14). Empty on
    # every site of an installation that serves one province.
    province: Mapped[str | None] = mapped_column(String(100))
    # Sequence of the last live event, bumped in the transaction of each change so that every
    # client of the site sees one gap-free order.
    event_seq: Mapped[int] = mapped_column(Integer, default=0)
    # When a citizen last subscribed to a ticket here (kept by notify/outbox.py as each
    # subscription is inserted). A call reads it with its counter's row and looks for the
    # subscribers of the queue it moved only if it is less than a day old, the life of a ticket:
    # asking the subscriptions' table instead was a round trip of every call (issue 21).
    ticket_subscribed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Appointments from a phone (booking/, docs/booking.md). No legal text sets these; each is a
    # centre's choice. Off until the centre opens it: bookings promise counters' time.
    booking_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # Percent of the counters' time a slot offers to bookings; the rest stays for walk-ins, who
    # are most citizens today (30: most of the day stays first come, first served).
    booking_share: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    # Length of a slot: 15 or 30 minutes (15: about two services of the usual 7 minutes).
    booking_slot_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    # How far ahead a citizen may book, in days (14: two weeks, one rotation of merged counters).
    booking_days_ahead: Mapped[int] = mapped_column(Integer, default=14, server_default="14")
    # A slot is offered only if it starts at least this many minutes from now (time to come).
    booking_min_notice_minutes: Mapped[int] = mapped_column(Integer, default=60, server_default="60")
    # Minutes after a slot's start within which a check-in still counts as on time and its
    # ticket goes ahead of walk-ins (booking/rules.py): a quarter of an hour, the hall's usual
    # wait target, covers a bus or a parking place without pushing walk-ins back for long.
    booking_grace_minutes: Mapped[int] = mapped_column(Integer, default=15, server_default="15")
    # "Lấy số ngay hôm nay" on the booking page: a number for today taken from a phone.
    remote_ticket_enabled: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    # The account the centre collects fees into (its own, or the treasury's or a collecting
    # bank's: a province decides), printed as a VietQR code on a receipt whose fee is still due
    # (queue_server/vietqr.py). Both or neither: without them no code is printed.
    payment_bank_bin: Mapped[str | None] = mapped_column(String(6))  # the bank's six-digit BIN
    payment_account_number: Mapped[str | None] = mapped_column(String(19))
    # What the citizen reads beside the code to check whom they pay: the account's holder and
    # its bank ("Ngân hàng Nông nghiệp và Phát triển Nông thôn, chi nhánh Nghệ An").
    payment_account_name: Mapped[str | None] = mapped_column(String(100))
    payment_bank_name: Mapped[str | None] = mapped_column(String(100))
    # The hall screen shows this month's public board (/public/<site>) as a slide of its
    # signage between calls (display/signage.py). Off until the centre chooses it: what its
    # hall shows is the centre's decision, and a new centre has no figures to show yet.
    board_on_hall: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    @property
    def payment_account(self) -> vietqr.Account | None:
        """The collecting account as the QR code carries it, or None when the site has none."""
        if not (self.payment_bank_bin and self.payment_account_number):
            return None
        return vietqr.Account(self.payment_bank_bin, self.payment_account_number)

    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="OpeningHours.weekday"
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_centre(self) -> bool:
        """A one-stop unit (any kind of centre), not a post office."""
        return self.kind != SiteKind.POST_OFFICE


class OpeningHours(Base):
    """One session of opening time on a weekday (0 = Monday); a day may have several."""

    __tablename__ = "opening_hours"
    __table_args__ = (CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    weekday: Mapped[int] = mapped_column(Integer)
    opens: Mapped[time] = mapped_column(Time)
    closes: Mapped[time] = mapped_column(Time)

    site: Mapped[Site] = relationship(back_populates="opening_hours")


class Department(Base):
    """An agency whose procedures the site takes in (Sở, ban, ngành)."""

    __tablename__ = "departments"
    __table_args__ = (UniqueConstraint("site_id", "code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))

    site: Mapped[Site] = relationship()
    services: Mapped[list[Service]] = relationship(back_populates="department")


class Service(Base):
    """What a citizen picks at the kiosk; each has its own daily numbering.

    Numbers come either from a range (``number_start``..``number_end``, e.g. 1001-1999) or as a
    letter prefix and a three-digit sequence (``A001``).
    """

    __tablename__ = "services"
    __table_args__ = (
        UniqueConstraint("site_id", "code"),
        CheckConstraint("(number_start IS NOT NULL) OR (prefix IS NOT NULL)", name="numbering_defined"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    field: Mapped[str | None] = mapped_column(String(200))  # lĩnh vực, groups the kiosk menu
    # The kiosk's picture for it, a name of sites/icons.py ICONS (none: the name alone).
    icon: Mapped[str | None] = mapped_column(String(40))
    prefix: Mapped[str | None] = mapped_column(String(4))
    number_start: Mapped[int | None] = mapped_column(Integer)
    number_end: Mapped[int | None] = mapped_column(Integer)
    daily_max: Mapped[int | None] = mapped_column(Integer)
    default_service_seconds: Mapped[int] = mapped_column(Integer, default=420)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    # The kiosk offers a number for this service to whoever scans a receipt whose result is
    # ready (the central result-return counter, trả kết quả tập trung).
    returns_results: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())

    site: Mapped[Site] = relationship()
    department: Mapped[Department] = relationship(back_populates="services")

    @property
    def capacity(self) -> int | None:
        """How many tickets the service can hand out in one day, if limited."""
        limits = []
        if self.number_start is not None and self.number_end is not None:
            limits.append(self.number_end - self.number_start + 1)
        if self.daily_max is not None:
            limits.append(self.daily_max)
        return min(limits) if limits else None

    def display_number(self, sequence: int) -> str:
        """The number a citizen sees for the service's ``sequence``-th ticket of the day. The
        same rule is spelt in SQL below; tests/test_numbering.py holds the two together."""
        if self.number_start is not None:
            return str(self.number_start + sequence - 1)
        return f"{self.prefix}{sequence:03d}"

    @staticmethod
    def display_number_sql(sequence: ColumnElement[int]) -> ColumnElement[str]:
        """:meth:`display_number` as an SQL expression of a ``sequence`` the statement itself
        takes, the service's ``number_start`` and ``prefix`` given as parameters of those names:
        on PostgreSQL a ticket's row is inserted with its number in the statement that takes it
        (``queueing/numbering.py``)."""
        start = bindparam("number_start", type_=Integer)
        padding = case((sequence < 10, "00"), (sequence < 100, "0"), else_="")
        return case(
            (start.is_not(None), cast(start + sequence - 1, String)),
            else_=bindparam("prefix", type_=String) + padding + cast(sequence, String),
        )


class CounterState:
    OPEN = "open"
    PAUSED = "paused"
    CLOSED = "closed"
    ALL = (OPEN, PAUSED, CLOSED)


class Counter(Base):
    """A counter (quầy) where an officer calls and serves tickets."""

    __tablename__ = "counters"
    __table_args__ = (UniqueConstraint("site_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(200))
    state: Mapped[str] = mapped_column(String(10), default=CounterState.OPEN)
    pause_reason: Mapped[str | None] = mapped_column(String(200))
    # Priority tickets called in a row here, for the interleave policy.
    priority_run: Mapped[int] = mapped_column(Integer, default=0)
    # Who works here now, and since which business day (the rule: sites/staffing.py).
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    officer_day: Mapped[date | None] = mapped_column(Date)

    site: Mapped[Site] = relationship()
    schedules: Mapped[list[CounterSchedule]] = relationship(
        back_populates="counter", cascade="all, delete-orphan"
    )
    duties: Mapped[list[Duty]] = relationship(back_populates="counter", cascade="all, delete-orphan")


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


class Rotation(Base):
    """A cycle of ``weeks`` weeks (luân phiên) that merged counters and officers follow.

    Week 1 of the cycle starts on ``anchor`` (a Monday) and the weeks follow one another without
    regard to the calendar year. ISO week parity cannot say this: a year with 53 ISO weeks
    (2026, 2032...) ends on odd week 53 and the next begins on odd week 1, so a counter ruled by
    "odd weeks" would serve the same department two weeks running at the year's end.
    """

    __tablename__ = "rotations"
    __table_args__ = (
        UniqueConstraint("site_id", "name"),
        CheckConstraint("weeks >= 2", name="at_least_two_weeks"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    site_id: Mapped[int] = mapped_column(ForeignKey("sites.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    anchor: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(Integer)

    site: Mapped[Site] = relationship()

    def week_of(self, day: date) -> int:
        """The week of the cycle (1..``weeks``) that ``day`` falls in. Days before the anchor
        count backwards: the week before the anchor is the cycle's last."""
        return (day - monday_of(self.anchor)).days // 7 % self.weeks + 1


class OnDays:
    """When a rule holds: on ``weekdays`` (ISO digits, 1 = Monday ... 7 = Sunday), in week
    ``rotation_week`` (1..N) of its rotation if it has one (none: every week), and between
    ``valid_from`` and ``valid_to`` if given. Counter schedules and officers' duties share it,
    so that :meth:`applies_on` is the one place where such a rule is decided."""

    weekdays: Mapped[str] = mapped_column(String(7), default="12345")
    rotation_id: Mapped[int | None] = mapped_column(ForeignKey("rotations.id"))
    rotation_week: Mapped[int | None] = mapped_column(Integer)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    @declared_attr
    def rotation(cls) -> Mapped[Rotation | None]:
        return relationship(Rotation)

    @staticmethod
    def rotation_checks() -> tuple[CheckConstraint, ...]:
        """A rotation week comes with its rotation, and counts from 1."""
        return (
            CheckConstraint("(rotation_id IS NULL) = (rotation_week IS NULL)", name="rotation_week_given"),
            CheckConstraint("rotation_week >= 1", name="rotation_week_from_one"),
        )

    def applies_on(self, day: date) -> bool:
        if str(day.isoweekday()) not in self.weekdays:
            return False
        if self.rotation is not None and self.rotation.week_of(day) != self.rotation_week:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        if self.valid_to is not None and day > self.valid_to:
            return False
        return True


class CounterSchedule(OnDays, Base):
    """A rule saying that a counter serves a department or a service on some days.

    A merged counter (quầy gộp) has several rules, e.g. Justice in week 1 of a two-week
    rotation and Construction in week 2 (see :class:`OnDays` for the days). A rule names a
    department (all its services) or a single service.
    """

    __tablename__ = "counter_schedules"
    __table_args__ = (
        CheckConstraint("(department_id IS NULL) <> (service_id IS NULL)", name="department_xor_service"),
        *OnDays.rotation_checks(),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))

    counter: Mapped[Counter] = relationship(back_populates="schedules")
    department: Mapped[Department | None] = relationship()
    service: Mapped[Service | None] = relationship()


class Duty(OnDays, Base):
    """An officer's duty at a counter (lịch trực): who works which counter on which days.

    With a rotation, people move between counters week by week, not only departments: officer
    A at counter 8 in week 1 and at counter 9 in week 2, officer B the other way round.
    """

    __tablename__ = "duties"
    __table_args__ = OnDays.rotation_checks()

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)

    counter: Mapped[Counter] = relationship(back_populates="duties")
    user: Mapped[User] = relationship()
