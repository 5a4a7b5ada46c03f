"""Request and response schemas of the administration API (validation and the OpenAPI document).

Field types and ranges are checked here; the rules that look at other rows (a code or a
number range used twice, a department still in use) are in :mod:`.operations`. An update
takes any subset of the fields of a creation (``partial``).
"""

from __future__ import annotations

from marshmallow import fields, validate

from ..auth.models import DeviceKind, Role
from ..booking.capacity import SLOT_MINUTES
from ..inputs import Schema
from ..sites import calls
from ..sites.icons import ICONS
from ..sites.models import PriorityPolicy, SiteKind

CODE = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9._-]*$", error="Letters, digits, dots, dashes and underscores."
)


class Text(fields.String):
    """A string without surrounding spaces; an optional one (``allow_none``) is None when blank."""

    def _deserialize(self, value, attr, data, **kwargs):
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        return None if not text and self.allow_none else text

    def _validate(self, value):
        if value is not None:  # a blank optional text became None: nothing left to check
            super()._validate(value)


def required_text(maximum: int, **kwargs) -> Text:
    return Text(required=True, validate=validate.Length(min=1, max=maximum), **kwargs)


def optional_text(maximum: int, **kwargs) -> Text:
    return Text(allow_none=True, validate=validate.Length(max=maximum), **kwargs)


class Partial:
    """Mixin: every field optional, for PATCH (only the fields sent change)."""

    def __init__(self, **kwargs):
        super().__init__(partial=True, **kwargs)


# -- sites ---------------------------------------------------------------------------------------


class OpeningSessionSchema(Schema):
    weekday = fields.Integer(
        required=True, validate=validate.Range(0, 6), metadata={"description": "0 = Monday ... 6 = Sunday"}
    )
    opens = fields.Time(required=True, format="%H:%M")
    closes = fields.Time(required=True, format="%H:%M")


class SiteSettingsInSchema(Schema):
    name = required_text(200)
    name_en = optional_text(200)
    kind = fields.String(
        validate=validate.OneOf(SiteKind.ALL),
        metadata={"description": "No district level since 1/7/2025: branches of the provincial centre"},
    )
    timezone = Text(validate=validate.Length(min=1, max=60), metadata={"description": "IANA zone"})
    agency_code = optional_text(
        40, metadata={"description": "Receiving agency code in dossier codes (mã đơn vị)"}
    )
    province = optional_text(
        100,
        metadata={
            "description": "Sites of one province share its catalogue and take in each other's dossiers "
            "(Nghị định 118/2025 Điều 14); empty on every site of a one-province installation"
        },
    )
    priority_policy = fields.String(validate=validate.OneOf(PriorityPolicy.ALL))
    priority_max_run = fields.Integer(
        validate=validate.Range(1, 20), metadata={"description": "interleave: priority tickets in a row"}
    )
    call_template = Text(
        validate=validate.Length(min=1, max=calls.TEMPLATE_MAX),
        metadata={"description": "Spoken call, with {number} and {counter}"},
    )
    enforce_opening_hours = fields.Boolean()
    target_wait_minutes = fields.Integer(validate=validate.Range(1, 600))
    use_start_step = fields.Boolean(
        metadata={
            "description": "Officers mark the start of service after a call; reports then separate "
            "the wait at the counter from the service time"
        }
    )
    booking_enabled = fields.Boolean(metadata={"description": "Citizens book slots on /book/<site>"})
    booking_share = fields.Integer(
        validate=validate.Range(0, 100),
        metadata={"description": "Percent of the counters' time a slot offers to bookings"},
    )
    booking_slot_minutes = fields.Integer(
        validate=validate.OneOf(SLOT_MINUTES), metadata={"description": "Length of a slot: 15 or 30"}
    )
    booking_days_ahead = fields.Integer(
        validate=validate.Range(1, 90), metadata={"description": "Days ahead a citizen may book"}
    )
    booking_min_notice_minutes = fields.Integer(
        validate=validate.Range(0, 1440), metadata={"description": "A slot must start at least this late"}
    )
    booking_grace_minutes = fields.Integer(
        validate=validate.Range(0, 120),
        metadata={"description": "Minutes after a slot's start within which a check-in is on time"},
    )
    remote_ticket_enabled = fields.Boolean(
        metadata={"description": "Citizens take today's number from the booking page"}
    )
    board_on_hall = fields.Boolean(
        metadata={"description": "The hall screen shows this month's public board between calls"}
    )
    payment_bank_bin = optional_text(
        6, metadata={"description": "The collecting bank's six-digit BIN (VietQR); empty: no QR code"}
    )
    payment_account_number = optional_text(19, metadata={"description": "The collecting account"})
    payment_account_name = optional_text(
        100, metadata={"description": "The account's holder, shown beside the code"}
    )
    payment_bank_name = optional_text(100, metadata={"description": "The bank, shown beside the code"})
    opening_hours = fields.List(
        fields.Nested(OpeningSessionSchema),
        validate=validate.Length(max=35),
        metadata={"description": "Replaces every session of the week"},
    )


class SiteCreateSchema(SiteSettingsInSchema):
    code = Text(required=True, validate=[validate.Length(min=2, max=40), CODE])


class SiteChangesSchema(Partial, SiteSettingsInSchema):
    pass


class SiteSettingsSchema(SiteCreateSchema):
    id = fields.Integer(required=True)


class RotaQuerySchema(Schema):
    date_from = fields.Date(data_key="from", metadata={"description": "Default: Monday of this week"})
    days = fields.Integer(load_default=14, validate=validate.Range(1, 62))


class RotaEntrySchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(["department", "service"]))
    code = fields.String(required=True)
    name = fields.String(required=True)
    name_en = fields.String(allow_none=True)


class RotationWeekSchema(Schema):
    id = fields.Integer(required=True)
    name = fields.String(required=True)
    week = fields.Integer(required=True, metadata={"description": "The day's week of the rotation, 1..weeks"})
    weeks = fields.Integer(required=True)


class RotaDaySchema(Schema):
    date = fields.Date(required=True)
    iso_week = fields.Integer(required=True)
    weekday = fields.Integer(required=True, metadata={"description": "ISO: 1 = Monday ... 7 = Sunday"})
    rotations = fields.List(fields.Nested(RotationWeekSchema), required=True)


class OfficerSchema(Schema):
    username = fields.String(required=True)
    full_name = fields.String(required=True)


class RotaCounterSchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    name = fields.String(required=True)
    days = fields.List(
        fields.List(fields.Nested(RotaEntrySchema)),
        required=True,
        metadata={"description": "One list per day: whole departments, then single services"},
    )
    officers = fields.List(
        fields.List(fields.Nested(OfficerSchema)),
        required=True,
        metadata={"description": "One list per day: the officers on duty at the counter"},
    )


class RotaSchema(Schema):
    today = fields.Date(required=True)
    days = fields.List(fields.Nested(RotaDaySchema), required=True)
    counters = fields.List(fields.Nested(RotaCounterSchema), required=True)


# -- departments and services -------------------------------------------------------------------


class DepartmentInSchema(Schema):
    code = Text(required=True, validate=[validate.Length(min=1, max=40), CODE])
    name = required_text(200)
    name_en = optional_text(200)


class DepartmentChangesSchema(Partial, DepartmentInSchema):
    pass


class DepartmentSchema(DepartmentInSchema):
    id = fields.Integer(required=True)
    services = fields.Integer(required=True, metadata={"description": "How many services it has"})


class ServiceInSchema(Schema):
    code = Text(required=True, validate=[validate.Length(min=1, max=40), CODE])
    name = required_text(200)
    name_en = optional_text(200)
    field = optional_text(200, metadata={"description": "Field (lĩnh vực), groups the kiosk menu"})
    icon = fields.String(
        allow_none=True,
        validate=validate.OneOf(list(ICONS)),
        metadata={"description": "The kiosk's icon for it, one of the built-in set (null: none)"},
    )
    department = Text(
        required=True, validate=validate.Length(min=1, max=40), metadata={"description": "Code"}
    )
    prefix = Text(
        allow_none=True,
        validate=validate.Regexp(r"^[A-Za-z]{1,4}$", error="One to four letters."),
        metadata={"description": "Letter numbering: A001, A002... (or give a number range)"},
    )
    number_start = fields.Integer(allow_none=True, validate=validate.Range(1, 999_999))
    number_end = fields.Integer(allow_none=True, validate=validate.Range(1, 999_999))
    daily_max = fields.Integer(allow_none=True, validate=validate.Range(1, 100_000))
    default_service_seconds = fields.Integer(validate=validate.Range(30, 4 * 3600))
    returns_results = fields.Boolean(metadata={"description": "Hands back the results of dossiers"})
    active = fields.Boolean()
    sort_order = fields.Integer(validate=validate.Range(0, 10_000))


class ServiceChangesSchema(Partial, ServiceInSchema):
    pass


class ServiceSettingsSchema(ServiceInSchema):
    id = fields.Integer(required=True)
    department_name = fields.String(required=True)


# -- counters, their schedules, rotations and duties ------------------------------------------------


class CounterInSchema(Schema):
    number = fields.Integer(required=True, validate=validate.Range(1, 999))
    name = required_text(200)


class CounterChangesSchema(Partial, CounterInSchema):
    pass


class RotationInSchema(Schema):
    name = required_text(100)
    anchor = fields.Date(
        required=True, metadata={"description": "First day of week 1 (moved back to its Monday)"}
    )
    weeks = fields.Integer(
        required=True, validate=validate.Range(2, 52), metadata={"description": "Length of the cycle"}
    )


class RotationChangesSchema(Partial, RotationInSchema):
    pass


class RotationSchema(RotationInSchema):
    id = fields.Integer(required=True)
    week_now = fields.Integer(required=True, metadata={"description": "The week of the cycle today"})


class DaysInSchema(Schema):
    """When a counter rule or a duty holds."""

    weekdays = fields.String(
        validate=validate.Regexp(r"^[1-7]{1,7}$", error="ISO weekday digits, 1 = Monday ... 7 = Sunday."),
        metadata={"description": "e.g. 12345"},
    )
    rotation_id = fields.Integer(
        allow_none=True, metadata={"description": "A rotation of the site (none: every week)"}
    )
    rotation_week = fields.Integer(
        allow_none=True,
        validate=validate.Range(1, 52),
        metadata={"description": "The week of the rotation, 1..weeks"},
    )
    valid_from = fields.Date(allow_none=True)
    valid_to = fields.Date(allow_none=True)


class ScheduleInSchema(DaysInSchema):
    department = Text(allow_none=True, metadata={"description": "Department code (all its services)"})
    service = Text(allow_none=True, metadata={"description": "Service code (or a department)"})


class ScheduleChangesSchema(Partial, ScheduleInSchema):
    pass


class ScheduleSchema(ScheduleInSchema):
    id = fields.Integer(required=True)
    counter_id = fields.Integer(required=True)


class CounterSettingsSchema(CounterInSchema):
    id = fields.Integer(required=True)
    state = fields.String(required=True)
    schedules = fields.List(fields.Nested(ScheduleSchema), required=True)


class DutyInSchema(DaysInSchema):
    counter = fields.Integer(required=True, metadata={"description": "Counter number"})
    user = Text(required=True, metadata={"description": "Username of an officer of the site"})


class DutyChangesSchema(Partial, DutyInSchema):
    pass


class DutySchema(DutyInSchema):
    id = fields.Integer(required=True)
    full_name = fields.String(required=True)


class DutyQuerySchema(Schema):
    date = fields.Date(metadata={"description": "Default: today at the site"})


class CounterOnDutySchema(Schema):
    id = fields.Integer(required=True)
    number = fields.Integer(required=True)
    officers = fields.List(fields.Nested(OfficerSchema), required=True)


class OnDutySchema(Schema):
    date = fields.Date(required=True)
    counters = fields.List(
        fields.Nested(CounterOnDutySchema),
        required=True,
        metadata={"description": "The counters someone is on duty at"},
    )
    mine = fields.List(
        fields.Integer(), required=True, metadata={"description": "Ids of the caller's own counters"}
    )


# -- users -----------------------------------------------------------------------------------------


SITE_CODE = fields.String(validate=validate.Length(min=1, max=40))
# The sites of one account: a province has at most about 170 communes and wards since 1/7/2025,
# each at most a centre and a post office.
USER_SITES = validate.Length(max=500)


class UserInSchema(Schema):
    username = Text(
        required=True,
        validate=[
            validate.Length(min=3, max=80),
            validate.Regexp(r"^[A-Za-z0-9._-]+$", error="Letters, digits, dots, dashes, underscores."),
        ],
    )
    full_name = optional_text(200)
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))
    role = fields.String(required=True, validate=validate.OneOf(Role.ALL))
    sites = fields.List(
        SITE_CODE, load_default=list, validate=USER_SITES, metadata={"description": "Site codes"}
    )
    active = fields.Boolean()


class UserChangesSchema(Schema):
    full_name = optional_text(200)
    role = fields.String(validate=validate.OneOf(Role.ALL))
    sites = fields.List(
        SITE_CODE, validate=USER_SITES, metadata={"description": "Site codes (replaces them)"}
    )
    active = fields.Boolean(metadata={"description": "false: the account can no longer log in"})


class PasswordSchema(Schema):
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=200))


class UserSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    full_name = fields.String(required=True)
    role = fields.String(required=True)
    sites = fields.List(fields.String(), required=True)
    active = fields.Boolean(required=True)
    must_change_password = fields.Boolean(
        required=True, metadata={"description": "The holder must choose their own password at the next login"}
    )
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    photo = fields.Boolean(required=True, metadata={"description": "Has a photo (auth/photos.py)"})


class UserQuerySchema(Schema):
    site = fields.String(metadata={"description": "Only the staff of this site"})


# -- devices ---------------------------------------------------------------------------------------


class DeviceStateSchema(Schema):
    id = fields.Integer(required=True)
    site = fields.String(required=True)
    kind = fields.String(required=True)
    name = fields.String(required=True)
    counter = fields.Integer(allow_none=True, metadata={"description": "Counter number"})
    revoked = fields.Boolean(required=True)
    revoked_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    created_at = fields.String(required=True, metadata={"format": "date-time"})
    last_seen_at = fields.String(allow_none=True, metadata={"format": "date-time"})
    health = fields.Dict(allow_none=True, metadata={"description": "Printer state, agent version"})


class DeviceIssueSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(DeviceKind.ALL))
    name = required_text(200)
    counter = fields.Integer(
        allow_none=True,
        load_default=None,
        metadata={"description": "Counter number: required for counter and rating devices only"},
    )


class IssuedDeviceSchema(DeviceStateSchema):
    token = fields.String(required=True, metadata={"description": "Shown once; only its hash is kept"})
