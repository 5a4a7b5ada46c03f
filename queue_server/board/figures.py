"""The public board's figures (bảng công khai): how a site served citizens this month and
this year, overall and per field (lĩnh vực) of the procedures, with nothing personal in them.

What is shown is what Quyết định 766/QĐ-TTg (2022) measures in its index of service to
citizens and businesses [summary]: on-time handling, online and cashless payment,
digitisation, satisfaction, and public disclosure of them, which this board is. Each figure's
definition has one home, the staff reports' (:mod:`queue_server.reports.queries`): dossiers
received, results returned, the on-time share (results early or on time over all results;
refused, stopped and withdrawn dossiers left out), late results and of them those with an
apology and a new date (Mẫu 04), the satisfied share of the ratings, the digitised share
(received dossiers with at least one scan) and the cashless share (fees paid by transfer,
card or online among the fees paid).

Satisfaction is the site's only: ratings are given per ticket of the hall's services, whose
fields are not the procedures' (``Service.field`` groups the kiosk's menu).

The figures are counted at most once per ``PUBLIC_BOARD_CACHE_SECONDS`` per site and process
(:func:`board`): a crowd of readers costs nothing more than one of them. They are plain values
(no database rows), so that a reader in the cache's lifetime needs no database at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from flask import current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from .. import cache
from ..database import db, utcnow
from ..reports import queries
from ..reports.queries import BOARD_COUNTS, Period
from ..sites.calendar import business_date
from ..sites.models import Site


class UnknownSite(LookupError):
    """No site has this code (never kept in the cache: made-up codes would fill it)."""


@dataclass(frozen=True)
class Tally:
    """One period's figures: ``overall`` and each field's counts (``BOARD_COUNTS``), the
    ratings and the satisfied among them."""

    first: date
    last: date
    overall: dict[str, int]
    fields: list[tuple[str | None, dict[str, int]]]
    ratings: int
    satisfied: int


@dataclass(frozen=True)
class Board:
    site_code: str
    site_name: str
    site_name_en: str | None
    timezone: str
    month: Tally
    year: Tally
    computed_at: datetime

    @property
    def local_time(self) -> datetime:
        """When the figures were counted, in the site's time."""
        return self.computed_at.astimezone(ZoneInfo(self.timezone))


def tally(session: Session, period: Period) -> Tally:
    """The period's figures; fields with the most dossiers received first, then by name."""
    by_field = queries.dossiers_by_field(session, period)
    overall = {name: sum(counts[name] for counts in by_field.values()) for name in BOARD_COUNTS}
    satisfaction = queries.satisfaction(session, period)
    return Tally(
        first=period.first,
        last=period.last,
        overall=overall,
        fields=sorted(by_field.items(), key=lambda item: (-item[1]["received"], item[0] or "\uffff")),
        ratings=satisfaction["ratings"],
        satisfied=sum(satisfaction["by_level"][level] for level in queries.SATISFIED),
    )


def compute(session: Session, site_code: str, now: datetime) -> Board:
    """The board of the site with this code as of ``now``, in the site's local calendar."""
    site = session.scalar(select(Site).where(Site.code == site_code))
    if site is None:
        raise UnknownSite(site_code)
    today = business_date(site, now)
    return Board(
        site_code=site.code,
        site_name=site.name,
        site_name_en=site.name_en,
        timezone=site.timezone,
        month=tally(session, Period((site,), today.replace(day=1), today)),
        year=tally(session, Period((site,), today.replace(month=1, day=1), today)),
        computed_at=now,
    )


def ttl_seconds() -> float:
    return float(current_app.config["PUBLIC_BOARD_CACHE_SECONDS"])


def public_response(response: Response, board: Board) -> Response:
    """``response`` (the board's page, or the hall's slide of it) marked for any cache to keep
    while the figures it shows are this process's (``Cache-Control: public`` for what is left
    of their lifetime, ``Last-Modified`` when they were counted, an ETag), and answered 304 to
    a reader who has it. The language comes from ``?lang`` or the cookie it sets, hence
    ``Vary: Cookie``."""
    age = (utcnow() - board.computed_at).total_seconds()
    response.cache_control.public = True
    response.cache_control.max_age = max(0, int(ttl_seconds() - age))
    response.last_modified = board.computed_at
    response.vary.add("Cookie")
    response.add_etag()
    return response.make_conditional(request)


def board(site_code: str) -> Board:
    """The site's board, counted again only when this process's copy is older than
    ``PUBLIC_BOARD_CACHE_SECONDS``; :class:`UnknownSite` for a code no site has."""
    return cache.remember(
        ("public_board", site_code), lambda: compute(db.session(), site_code, utcnow()), ttl=ttl_seconds()
    )
