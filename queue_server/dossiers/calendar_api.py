"""Days off and make-up working days (``/api/v1/calendar-days``), declared by supervisors for
their site or by an admin for every site, next to Vietnam's public holidays.

A change applies to dossiers received from then on: the due date promised on a receipt
already handed out does not move.
"""

from __future__ import annotations

from datetime import date

import holidays
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import or_, select

from ..auth.access import Action, require, require_at
from ..database import db
from ..errors import ApiError
from ..inputs import Schema
from ..lookups import get_or_404
from ..sites.lookups import get_site
from .models import CalendarDay

blp = Blueprint("calendar", __name__, url_prefix="/api/v1", description="Working calendar")


class DaySchema(Schema):
    day = fields.Date(required=True)
    working = fields.Boolean(required=True, metadata={"description": "false: a day off; true: a make-up day"})
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=300))


class DaysInSchema(Schema):
    site = fields.String(
        load_default=None, allow_none=True, metadata={"description": "Omit for every site (admins only)"}
    )
    days = fields.List(fields.Nested(DaySchema), required=True, validate=validate.Length(min=1, max=60))


class DeclaredDaySchema(DaySchema):
    id = fields.Integer(required=True)
    site = fields.String(allow_none=True)


class CalendarQuerySchema(Schema):
    site = fields.String(required=True)
    year = fields.Integer(required=True, validate=validate.Range(2000, 2100))


class HolidaySchema(Schema):
    day = fields.Date(required=True)
    name = fields.String(required=True)


class CalendarSchema(Schema):
    holidays = fields.List(fields.Nested(HolidaySchema), required=True)
    declared = fields.List(fields.Nested(DeclaredDaySchema), required=True)


def _view(row: CalendarDay) -> dict:
    return {
        "id": row.id,
        "site": row.site.code if row.site else None,
        "day": row.day,
        "working": row.working,
        "note": row.note,
    }


@blp.route("/calendar-days", methods=["GET"])
@blp.arguments(CalendarQuerySchema(), location="query")
@blp.response(200, CalendarSchema)
def get_calendar(query):
    """A year of a site: the public holidays (Vietnam's lunar calendar) and the declared days."""
    site = get_site(db.session, query["site"])
    require(Action.PROCESS_DOSSIER, site.id)
    year = query["year"]
    declared = db.session.scalars(
        select(CalendarDay)
        .where(
            or_(CalendarDay.site_id.is_(None), CalendarDay.site_id == site.id),
            CalendarDay.day >= date(year, 1, 1),
            CalendarDay.day <= date(year, 12, 31),
        )
        .order_by(CalendarDay.day)
    )
    public = holidays.country_holidays("VN", years=year, language="vi")
    return {
        "holidays": [{"day": day, "name": name} for day, name in sorted(public.items())],
        "declared": [_view(row) for row in declared],
    }


@blp.route("/calendar-days", methods=["POST"])
@blp.arguments(DaysInSchema())
@blp.response(200, DeclaredDaySchema(many=True))
def declare_days(data):
    """Declare days off and make-up days at once (a swap is one of each); a day declared again
    is replaced."""
    site = get_site(db.session, data["site"]) if data["site"] else None
    site_id = site.id if site else None
    require_at(Action.SUPERVISE, site_id)  # a day for every site: an admin's
    if len({d["day"] for d in data["days"]}) != len(data["days"]):
        raise ApiError("duplicate_day", "Each day may appear once.")
    same_site = CalendarDay.site_id.is_(None) if site_id is None else CalendarDay.site_id == site_id
    rows = []
    for item in data["days"]:
        row = db.session.scalar(select(CalendarDay).where(same_site, CalendarDay.day == item["day"]))
        if row is None:
            row = CalendarDay(site_id=site_id, day=item["day"])
            db.session.add(row)
        row.working, row.note = item["working"], item["note"]
        rows.append(row)
    db.session.commit()
    return [_view(row) for row in rows]


@blp.route("/calendar-days/<int:day_id>", methods=["DELETE"])
@blp.response(204)
def remove_day(day_id):
    """Withdraw a declared day."""
    row = get_or_404(
        db.session, CalendarDay, day_id, code="unknown_day", message=f"No declared day {day_id}."
    )
    require_at(Action.SUPERVISE, row.site_id)
    db.session.delete(row)
    db.session.commit()
