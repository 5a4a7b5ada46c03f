"""``/api/v1/reports``: the figures of a site (or every site the caller supervises) over a
period, as JSON, XLSX or CSV."""

from __future__ import annotations

from flask import Response
from flask_smorest import Blueprint
from marshmallow import fields, validate
from sqlalchemy import select

from ..auth.access import Action, allowed, require, require_login
from ..database import db
from ..errors import ApiError, Forbidden
from ..inputs import Schema
from ..sites.lookups import get_site
from ..sites.models import Site, SiteKind
from . import export, queries

blp = Blueprint("reports", __name__, url_prefix="/api/v1", description="Reports")

MAX_DAYS = 400


class ReportQuerySchema(Schema):
    site = fields.String(
        required=True, metadata={"description": "A site code, or `all` (the sites you supervise)"}
    )
    date_from = fields.Date(required=True, data_key="from")
    date_to = fields.Date(required=True, data_key="to")


class CsvQuerySchema(ReportQuerySchema):
    section = fields.String(required=True, validate=validate.OneOf(export.SECTIONS))


class ReportSchema(Schema):
    sites = fields.List(fields.String(), required=True)
    date_from = fields.String(required=True, data_key="from", attribute="from")
    date_to = fields.String(required=True, data_key="to", attribute="to")
    queue = fields.Dict(
        required=True,
        metadata={
            "description": "issued, served, no_show, waiting and at_counter (today), "
            "cancelled (never called), waits"
        },
    )
    services = fields.List(fields.Dict(), required=True)
    daily = fields.List(fields.Dict(), required=True)
    heatmap = fields.List(fields.List(fields.Integer()), required=True, metadata={"description": "7 x 24"})
    counters = fields.List(fields.Dict(), required=True)
    officers = fields.List(fields.Dict(), required=True)
    dossiers = fields.Dict(required=True)
    satisfaction = fields.Dict(required=True)
    evaluations = fields.Dict(
        required=True,
        metadata={
            "description": "Citizens' evaluations of dossiers (evaluations/): totals (evaluations, "
            "score_avg, max_score, good, pass, fail), by_index (number, code, points_avg), by_field, "
            "by_agency, by_officer (evaluations, score_avg, good, pass, fail)"
        },
    )
    messages = fields.List(
        fields.Dict(),
        required=True,
        metadata={"description": "Per channel: sent, delivered and failed messages written in the period"},
    )
    bookings = fields.Dict(
        required=True,
        metadata={
            "description": "totals and by_day (date, service): booked, checked_in, late, no_show, "
            "cancelled; booked_wait_avg_s and walk_in_wait_avg_s"
        },
    )
    fees = fields.Dict(
        required=True,
        metadata={
            "description": "Fees collected where received, when paid (đồng): totals (payments, "
            "collected, refunded, due_count, due, cashless_share), by_method (method, collected), "
            "by_day (date, payments, collected, per method), by_procedure (procedure, procedure_name, "
            "payments, collected)"
        },
    )


def period_for(query: dict) -> queries.Period:
    if query["date_to"] < query["date_from"] or (query["date_to"] - query["date_from"]).days >= MAX_DAYS:
        raise ApiError("invalid_period", f"The period runs forwards and covers at most {MAX_DAYS} days.")
    if query["site"] == "all":
        actor = require_login()
        candidates = db.session.scalars(
            select(Site).where(Site.kind.in_(SiteKind.CENTRES)).order_by(Site.code)
        ).all()
        sites = tuple(site for site in candidates if allowed(actor, Action.SUPERVISE, site.id))
        if not sites:
            raise Forbidden("forbidden", "You supervise no site.")
    else:
        site = get_site(db.session, query["site"])
        require(Action.SUPERVISE, site.id)
        sites = (site,)
    return queries.Period(sites, query["date_from"], query["date_to"])


def _report(query: dict) -> dict:
    report = queries.report(db.session(), period_for(query))
    db.session.commit()  # the no-shows the bookings' figures marked (booking/checkin.py sweep)
    return report


def _file_name(report: dict, extension: str) -> str:
    where = report["sites"][0] if len(report["sites"]) == 1 else "all"
    return f"bao-cao-{where}-{report['from']}-{report['to']}.{extension}"


@blp.route("/reports", methods=["GET"])
@blp.arguments(ReportQuerySchema(), location="query")
@blp.response(200, ReportSchema)
def get_report(query):
    """The report: queue, services, days, busiest hours, counters, officers, dossiers,
    satisfaction (definitions in queue_server/reports/queries.py)."""
    return _report(query)


@blp.route("/reports.xlsx", methods=["GET"])
@blp.arguments(ReportQuerySchema(), location="query")
@blp.response(200, description="One sheet per section")
def get_report_xlsx(query):
    report = _report(query)
    return Response(
        export.to_xlsx(report),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": f'attachment; filename="{_file_name(report, "xlsx")}"'},
    )


@blp.route("/reports.csv", methods=["GET"])
@blp.arguments(CsvQuerySchema(), location="query")
@blp.response(200, description="One section as CSV (UTF-8 with BOM)")
def get_report_csv(query):
    section = query.pop("section")
    report = _report(query)
    return Response(
        export.to_csv(report, section),
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{_file_name(report, section + ".csv")}"'},
    )
