"""Models of a site and what it offers."""

from __future__ import annotations

from datetime import date, time
from zoneinfo import ZoneInfo

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Integer,
    String,
    Time,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import Base


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
    # Code of the receiving agency in dossier codes (mã đơn vị, e.g. 000.00.06.H40); a post
    # office has its own, so the codes it hands out offline never collide with the centre's.
    agency_code: Mapped[str | None] = mapped_column(String(40), unique=True)
    # Sequence of the last live event, bumped in the transaction of each change so that every
    # client of the site sees one gap-free order.
    event_seq: Mapped[int] = mapped_column(Integer, default=0)

    opening_hours: Mapped[list[OpeningHours]] = relationship(
        back_populates="site", cascade="all, delete-orphan", order_by="OpeningHours.weekday"
    )

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)


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
        if self.number_start is not None:
            return str(self.number_start + sequence - 1)
        return f"{self.prefix}{sequence:03d}"


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
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    site: Mapped[Site] = relationship()
    schedules: Mapped[list[CounterSchedule]] = relationship(
        back_populates="counter", cascade="all, delete-orphan"
    )


class WeekParity:
    ODD = "odd"
    EVEN = "even"
    ALL = (ODD, EVEN)


class CounterSchedule(Base):
    """A rule saying that a counter serves a department or a service on some days.

    A merged counter (quầy gộp) has several rules. ``weekdays`` lists ISO weekday digits
    (1 = Monday ... 7 = Sunday); ``week_parity`` limits the rule to odd or even ISO weeks;
    ``valid_from``/``valid_to`` to a date range. A rule names a department (all its services)
    or a single service.
    """

    __tablename__ = "counter_schedules"
    __table_args__ = (
        CheckConstraint("(department_id IS NULL) <> (service_id IS NULL)", name="department_xor_service"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    counter_id: Mapped[int] = mapped_column(ForeignKey("counters.id", ondelete="CASCADE"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    service_id: Mapped[int | None] = mapped_column(ForeignKey("services.id"))
    weekdays: Mapped[str] = mapped_column(String(7), default="12345")
    week_parity: Mapped[str | None] = mapped_column(String(4))
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)

    counter: Mapped[Counter] = relationship(back_populates="schedules")
    department: Mapped[Department | None] = relationship()
    service: Mapped[Service | None] = relationship()

    def applies_on(self, day: date) -> bool:
        iso_year, iso_week, iso_weekday = day.isocalendar()
        if str(iso_weekday) not in self.weekdays:
            return False
        if self.week_parity == WeekParity.ODD and iso_week % 2 == 0:
            return False
        if self.week_parity == WeekParity.EVEN and iso_week % 2 == 1:
            return False
        if self.valid_from is not None and day < self.valid_from:
            return False
        if self.valid_to is not None and day > self.valid_to:
            return False
        return True
