"""What the administration's operations share, in one place so that no entity module copies it:
the announcement that a site's setup changed, the flush that turns a lost race into a 409,
setting the fields a request names, finding a site's row by the code (or number, or name) that
is unique within the site, and the counter rules that go with a department or a service.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import InstrumentedAttribute, Session

from ... import cache
from ...errors import Conflict
from ...events import committed, publish_after_commit
from ...sites.models import CounterSchedule, Site

CONFIGURED = "site.configured"


def configured(session: Session, site: Site, what: str) -> None:
    """Announce, once the change is committed, that ``site``'s setup changed (``what``: the kind
    of row); see :func:`_forget_derived_figures`."""
    publish_after_commit(session, CONFIGURED, {"site": site.code, "what": what})


@committed.connect_via(CONFIGURED)
def _forget_derived_figures(sender, payload) -> None:
    """Routing and estimates are remembered briefly per process; a new setup applies at once."""
    cache.clear()


def flush(session: Session) -> None:
    """Flush; a unique constraint another request satisfied a moment earlier is a 409, not a 500."""
    try:
        session.flush()
    except IntegrityError:
        raise Conflict("conflict", "Another change got there first: reload and try again.") from None


def apply(obj, values: dict, names) -> None:
    """Set those of ``names`` that ``values`` holds: a field a request leaves out stays as it is."""
    for name in names:
        if name in values:
            setattr(obj, name, values[name])


def row_of_site(session: Session, site: Site, column: InstrumentedAttribute, value) -> Any:
    """The row of ``site`` whose ``column`` (a department's or service's code, a counter's number,
    a rotation's name: each unique within a site) is ``value``, or None."""
    model = column.class_
    return session.scalar(select(model).where(model.site_id == site.id, column == value))


def taken(session: Session, site: Site, column: InstrumentedAttribute, value, row) -> bool:
    """Whether a row of ``site`` other than ``row`` (None: a new one) already has ``value``."""
    other = row_of_site(session, site, column, value)
    return other is not None and other is not row


def delete_rules(session: Session, condition) -> None:
    """Delete the counter rules that meet ``condition`` (those naming a department or a service
    that goes)."""
    # One by one through the session, so that the audit trail sees each rule go.
    for rule in session.scalars(select(CounterSchedule).where(condition)):
        session.delete(rule)
