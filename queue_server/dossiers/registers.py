"""A centre's registers: its tracking book and the numbers of the notices it issues.

The tracking book (sổ theo dõi hồ sơ; Thông tư 01/2018's registers and its Mẫu 06, Thông tư
03/2025 Mẫu 07) is kept by each one-stop unit that receives dossiers: one book a year, its
entries numbered from 01 to the year's end; a new book (quyển) opened in the same year, when
one is full, continues the numbering. The receipt (Mẫu 01) quotes the dossier's volume and
entry, and the printed book lists the same numbers.

Notices the centre issues (supplement requests, refusals, apologies, stop notices) carry
``Số: <n>/<symbol>``: ``n`` counts per centre, kind and year. Both counts come from
:class:`.models.RegisterSequence`, incremented in the caller's transaction like ticket numbers:
no duplicate, and a rolled-back transaction leaves no gap.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..database import next_in_sequence
from ..sites.calendar import business_date
from ..sites.models import Site
from .models import RegisterSequence, TrackingBook

BOOK = "book"


def current_volume(session: Session, site: Site, year: int) -> int:
    """The volume entries of ``year`` go into now: the last one opened, else the first."""
    latest = session.scalar(
        select(func.max(TrackingBook.volume)).where(
            TrackingBook.site_id == site.id, TrackingBook.year == year
        )
    )
    return latest or 1


def last_entry(session: Session, site: Site, year: int) -> int:
    return (
        session.scalar(
            select(RegisterSequence.last_value).where(
                RegisterSequence.site_id == site.id,
                RegisterSequence.register == BOOK,
                RegisterSequence.year == year,
            )
        )
        or 0
    )


def enter(session: Session, site: Site, at: datetime) -> tuple[int, int, int]:
    """Enter a dossier received at ``at`` in the site's book: (year, volume, entry).

    The entry is taken first: on PostgreSQL it locks the year's count until commit, so an
    intake made while a new volume is being opened waits and then goes into that volume.
    """
    year = business_date(site, at).year
    entry = next_in_sequence(session, RegisterSequence.__table__, site_id=site.id, register=BOOK, year=year)
    return year, current_volume(session, site, year), entry


def open_book(session: Session, site: Site, now: datetime, opened_by: str | None) -> TrackingBook:
    """Start a new volume of this year's book (the last one is full); its first entry follows
    the last one given. Volume 1 of each year needs no opening: it is where a year starts."""
    year = business_date(site, now).year
    book = TrackingBook(
        site_id=site.id,
        year=year,
        volume=current_volume(session, site, year) + 1,
        first_entry=last_entry(session, site, year) + 1,
        opened_at=now,
        opened_by_name=opened_by,
    )
    session.add(book)
    session.flush()
    return book


def book_view(book: TrackingBook) -> dict:
    return {
        "year": book.year,
        "volume": book.volume,
        "first_entry": book.first_entry,
        "opened_at": book.opened_at,
        "opened_by": book.opened_by_name,
    }


def volumes(session: Session, site: Site) -> list[dict]:
    """Every volume of the site's book, newest first: the first of each year that has entries
    (implicit) and those opened after it."""
    opened = session.scalars(select(TrackingBook).where(TrackingBook.site_id == site.id)).all()
    entered = session.scalars(
        select(RegisterSequence.year).where(
            RegisterSequence.site_id == site.id, RegisterSequence.register == BOOK
        )
    )
    found = [book_view(book) for book in opened]
    started = {book.year for book in opened} | set(entered)
    found += [
        {"year": year, "volume": 1, "first_entry": 1, "opened_at": None, "opened_by": None}
        for year in started
    ]
    return sorted(found, key=lambda book: (book["year"], book["volume"]), reverse=True)


def notice_number(session: Session, site: Site, kind: str, at: datetime) -> int:
    """The next number of the site's notices of ``kind`` in the year of ``at``."""
    year = business_date(site, at).year
    return next_in_sequence(session, RegisterSequence.__table__, site_id=site.id, register=kind, year=year)


def entry_label(entry: int | None) -> str:
    """An entry as the book writes it: numbered from 01."""
    return "" if entry is None else f"{entry:02d}"
