"""Load a row by its key or answer 404, in the API's error format.

Every "no such site / ticket / counter / notice" of the API comes from here, so that each
lookup says what was not found in the same shape (``{"error": {"code", "message"}}``, 404).
The domains name their own lookups on top of these (a site by its code, a ticket by its
tracking key), each with its error code and message in one place.
"""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import Session, scoped_session

from .errors import NotFound

Row = TypeVar("Row")
# The request's session (``db.session``) or any other.
AnySession = Session | scoped_session[Session]


def get_or_404(session: AnySession, model: type[Row], key: Any, *, code: str, message: str) -> Row:
    """The row of ``model`` with primary key ``key``, or a 404 ``code`` saying ``message``."""
    row = session.get(model, key)
    if row is None:
        raise NotFound(code, message)
    return row


def one_or_404(session: AnySession, statement: Select[Row], *, code: str, message: str) -> Row:
    """The row ``statement`` selects (a key other than the primary key), or a 404."""
    row = session.scalar(statement)
    if row is None:
        raise NotFound(code, message)
    return row
