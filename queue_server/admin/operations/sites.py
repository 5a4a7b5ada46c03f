"""A site's settings and its week of opening hours: a known time zone, an agency code that no
other site uses (it begins the site's dossier codes), a spoken call that names the number and the
counter, and sessions of a day that do not overlap."""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import time
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from sqlalchemy import select
from sqlalchemy.orm import Session

from ... import vietqr
from ...dossiers.codes import AGENCY_CODE, AGENCY_ID_MAX
from ...errors import ApiError, Conflict
from ...sites import calls
from ...sites.models import OpeningHours, Site
from .common import apply, configured, flush

log = logging.getLogger(__name__)

SITE_FIELDS = (
    "name",
    "name_en",
    "kind",
    "timezone",
    "agency_code",
    "province",
    "priority_policy",
    "priority_max_run",
    "call_template",
    "enforce_opening_hours",
    "target_wait_minutes",
    "use_start_step",
    "booking_enabled",
    "booking_share",
    "booking_slot_minutes",
    "booking_days_ahead",
    "booking_min_notice_minutes",
    "booking_grace_minutes",
    "remote_ticket_enabled",
    "payment_bank_bin",
    "payment_account_number",
    "payment_account_name",
    "payment_bank_name",
    "board_on_hall",
)


def check_call_template(template: str) -> None:
    """The spoken call must name the number and the counter and nothing else (see
    :mod:`queue_server.sites.calls`)."""
    problem = calls.template_problem(template)
    if problem is not None:
        raise ApiError("invalid_call_template", problem, field="call_template")


def _check_opening_hours(sessions: list[dict]) -> list[OpeningHours]:
    by_day: dict[int, list[tuple[time, time]]] = defaultdict(list)
    for item in sessions:
        if item["opens"] >= item["closes"]:
            raise ApiError(
                "invalid_opening_hours", "Each session must close after it opens.", field="opening_hours"
            )
        by_day[item["weekday"]].append((item["opens"], item["closes"]))
    for day, spans in by_day.items():
        spans.sort()
        for (_, closes), (opens, _) in zip(spans, spans[1:], strict=False):
            if opens < closes:
                raise ApiError(
                    "overlapping_opening_hours",
                    f"Two sessions of weekday {day} overlap.",
                    field="opening_hours",
                )
    return [
        OpeningHours(weekday=day, opens=opens, closes=closes)
        for day, spans in sorted(by_day.items())
        for opens, closes in spans
    ]


def _check_site_values(session: Session, site: Site | None, values: dict) -> None:
    if "timezone" in values:
        try:
            ZoneInfo(values["timezone"])
        except (ZoneInfoNotFoundError, ValueError):
            raise ApiError(
                "invalid_timezone", f"Unknown time zone {values['timezone']!r}.", field="timezone"
            ) from None
    if values.get("agency_code"):
        code = values["agency_code"]
        if not AGENCY_CODE.match(code):
            raise ApiError(
                "invalid_agency_code",
                f"An agency code has 3 to {AGENCY_ID_MAX} letters, digits or dots.",
                field="agency_code",
            )
        other = session.scalar(select(Site).where(Site.agency_code == code))
        if other is not None and other is not site:
            raise Conflict(
                "agency_code_taken",
                f"Site {other.code} already uses agency code {code}.",
                field="agency_code",
                other=other.code,
            )
    if "call_template" in values:
        check_call_template(values["call_template"])


def _check_payment_account(site: Site) -> None:
    """The collecting account is both its bank's BIN and its number, or neither (no QR code),
    each as the VietQR code carries it (:mod:`queue_server.vietqr`)."""
    bin_, number = site.payment_bank_bin, site.payment_account_number
    if bool(bin_) != bool(number):
        missing = "payment_account_number" if bin_ else "payment_bank_bin"
        raise ApiError(
            "payment_account_incomplete", "Give both the bank's BIN and the account number, or neither.",
            field=missing,
        )  # fmt: skip
    try:
        if bin_ and number:
            vietqr.Account(bin_, number)
    except vietqr.InvalidAccount as error:
        raise ApiError("invalid_payment_account", str(error), field=error.field) from None


def _set_site(session: Session, site: Site, values: dict) -> None:
    hours = _check_opening_hours(values["opening_hours"]) if "opening_hours" in values else None
    _check_site_values(session, site, values)
    apply(site, values, SITE_FIELDS)
    _check_payment_account(site)
    if hours is not None:
        _replace_opening_hours(session, site, hours)


def _replace_opening_hours(session: Session, site: Site, hours: list[OpeningHours]) -> None:
    """The week becomes ``hours``: sessions that stay are kept, those that go are deleted and
    the new ones added, so that the audit trail holds only the days that changed, each with
    what it was (a whole week replaced would read as every day changed)."""

    def key(item: OpeningHours):
        return item.weekday, item.opens, item.closes

    wanted = {key(item) for item in hours}
    kept = set()
    for item in list(site.opening_hours):
        if key(item) in wanted:
            kept.add(key(item))
        else:
            site.opening_hours.remove(item)
            session.delete(item)
    site.opening_hours.extend(item for item in hours if key(item) not in kept)
    site.opening_hours.sort(key=key)  # in the week's order, as the relationship reads them


def create_site(session: Session, values: dict) -> Site:
    if session.scalar(select(Site.id).where(Site.code == values["code"])) is not None:
        raise Conflict("site_code_taken", f"A site with code {values['code']} exists.", field="code")
    site = Site(code=values["code"])
    _set_site(session, site, values)
    session.add(site)
    flush(session)
    log.info("site %s created", site.code)
    configured(session, site, "site")
    return site


def update_site(session: Session, site: Site, changes: dict) -> Site:
    _set_site(session, site, changes)
    flush(session)
    log.info("site %s changed: %s", site.code, ", ".join(sorted(changes)))
    configured(session, site, "site")
    return site
