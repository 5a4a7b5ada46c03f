"""Dossier codes (mã hồ sơ): ``<agency code>-<YYMMDD>-<NNNN>``, e.g. ``000.00.06.H56-231027-0361``.

Thông tư 01/2018/TT-VPCP Điều 19 (kept by Thông tư 03/2025/TT-VPCP Điều 13): the receiving
agency's electronic id, the day received and a daily sequence per agency of at least four
digits (a busy agency may pass 9999 and the code simply grows). Agency ids are up to 35
characters (Quyết định 20/2020/QĐ-TTg). Thông tư 04/2025/TT-VPCP adds, for procedures run on a
national centralised system, ``<agency>-<YYMMDD>-<AA><NNNN...>`` where ``AA`` names the body
that owns the system; those codes number apart (``series``). The syntax itself lives in
:data:`hardware.scanning.DOSSIER_CODE`, which the scanners read with.

The sequence is handed out atomically like ticket numbers. A post office receives under its own
agency code, so codes it allocates offline can never collide with the centre's.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import case
from sqlalchemy.orm import Session

from hardware.scanning import AGENCY_ID_MAX, DOSSIER_CODE, MANIFEST_PREFIX

from ..database import next_in_sequence, upsert
from ..errors import ApiError
from .models import DossierSequence

AGENCY_CODE = re.compile(rf"^[0-9A-Za-z.]{{3,{AGENCY_ID_MAX}}}$")
SERIES = re.compile(r"^[A-Z]{2}$")


def format_code(agency_code: str, received_on: date, sequence: int, series: str = "") -> str:
    return f"{agency_code}-{received_on:%y%m%d}-{series}{sequence:04d}"


def allocate_code(session: Session, agency_code: str, received_on: date, series: str = "") -> str:
    """The next dossier code of the agency for that day (in the caller's transaction)."""
    if not AGENCY_CODE.match(agency_code.removeprefix(MANIFEST_PREFIX)):
        raise ApiError(
            "invalid_agency_code",
            f"{agency_code!r} is not an agency code (letters, digits, dots; at most {AGENCY_ID_MAX}).",
        )
    if series and not SERIES.match(series):
        raise ApiError("invalid_series", f"{series!r} is not a centralised system's two letters.")
    sequence = next_in_sequence(
        session, DossierSequence.__table__, agency_code=agency_code, received_on=received_on, series=series
    )
    return format_code(agency_code, received_on, sequence, series)


def check_own_code(session: Session, code: str, agency_code: str, received_on: date) -> None:
    """Accept a code an offline client allocated under its own agency code.

    The code must be that agency's, dated the day of receipt. The agency's sequence moves up to
    it, so that a code the server hands out later for the same agency and day cannot repeat it.
    """
    match = DOSSIER_CODE.match(code) if isinstance(code, str) else None
    if match is None:
        raise ApiError("invalid_code", f"{code!r} is not a dossier code <agency>-<YYMMDD>-<NNNN>.")
    if match["agency"] != agency_code:
        raise ApiError("invalid_code", f"Codes of this site start with {agency_code}.")
    if match["day"] != f"{received_on:%y%m%d}":
        raise ApiError("invalid_code", "The code's date is not the day the dossier was received.")
    sequence = int(match["seq"])
    if sequence < 1:
        raise ApiError("invalid_code", "A dossier code's number starts at 0001.")
    series = match["series"] or ""
    table = DossierSequence.__table__
    session.connection().execute(
        upsert(table)
        .values(agency_code=agency_code, received_on=received_on, series=series, last_value=sequence)
        .on_conflict_do_update(
            index_elements=[table.c.agency_code, table.c.received_on, table.c.series],
            set_={"last_value": case((table.c.last_value < sequence, sequence), else_=table.c.last_value)},
        )
    )


def looks_like_code(text: str) -> bool:
    return bool(DOSSIER_CODE.match(text))
