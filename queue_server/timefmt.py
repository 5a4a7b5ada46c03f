"""How a moment leaves the server: ISO 8601 with its offset, as the API, the live events, the
print jobs and the sync log all write it (timestamps are UTC, see ``database.UTCDateTime``)."""

from __future__ import annotations

from datetime import date, datetime
from typing import overload


@overload
def iso(value: datetime | date) -> str: ...
@overload
def iso(value: None) -> None: ...
@overload
def iso(value: datetime | date | None) -> str | None: ...
def iso(value: datetime | date | None) -> str | None:
    return value.isoformat() if value is not None else None
