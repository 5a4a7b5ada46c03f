"""Dossier codes (mã hồ sơ): ``<agency code>-<YYMMDD>-<NNNN>``, e.g. ``000.00.06.H56-231027-0361``.

The four-digit part is a daily sequence per receiving agency, handed out atomically like ticket
numbers. A post office receives under its own agency code, so codes it allocates offline can
never collide with the centre's.
"""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy.orm import Session

from ..database import next_in_sequence
from ..errors import ApiError
from .models import DossierSequence

AGENCY_CODE = re.compile(r"^[0-9A-Za-z.]{3,30}$")
DAILY_LIMIT = 9999


def format_code(agency_code: str, received_on: date, sequence: int) -> str:
    return f"{agency_code}-{received_on:%y%m%d}-{sequence:04d}"


def allocate_code(session: Session, agency_code: str, received_on: date) -> str:
    """The next dossier code of the agency for that day (in the caller's transaction)."""
    if not AGENCY_CODE.match(agency_code):
        raise ApiError(
            "invalid_agency_code", f"{agency_code!r} is not an agency code (letters, digits, dots)."
        )
    sequence = next_in_sequence(
        session, DossierSequence.__table__, agency_code=agency_code, received_on=received_on
    )
    if sequence > DAILY_LIMIT:
        raise ApiError(
            "daily_limit", f"Agency {agency_code} has used all {DAILY_LIMIT} codes of the day.", 409
        )
    return format_code(agency_code, received_on, sequence)
