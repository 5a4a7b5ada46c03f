"""A site by its code and a counter by its id, or a 404 in the API's error format: the lookups
every package's API and pages start from (the generic ones are in :mod:`queue_server.lookups`);
and a service as a session would load it, from this process's copy (:func:`service_in_session`)."""

from __future__ import annotations

from functools import cache

from sqlalchemy import bindparam, select
from sqlalchemy.orm import Session

from ..cache import remember
from ..database import as_loaded, named_columns
from ..errors import NotFound
from ..lookups import AnySession
from .models import Counter, Service, Site


def get_site(session: AnySession, code: str) -> Site:
    site = session.scalar(select(Site).where(Site.code == code))
    if site is None:
        raise unknown_site(code)
    return site


def unknown_site(code: str) -> NotFound:
    """The answer for a site code that names no site (also when a ticket's site and service
    are looked up together, see ``queueing.operations.find_press``)."""
    return NotFound("unknown_site", f"No site with code {code!r}.")


def get_counter(session: AnySession, counter_id: int) -> Counter:
    counter = session.get(Counter, counter_id)
    if counter is None:
        raise unknown_counter(counter_id)
    return counter


def unknown_counter(counter_id: int) -> NotFound:
    """The answer for a counter id that names no counter (also when a call locks the counter,
    see ``queueing.operations.counter_for_update``)."""
    return NotFound("unknown_counter", f"No counter {counter_id}.")


def service_in_session(session: Session, service_id: int) -> Service:
    """The service ``service_id`` as ``session`` would load it: the one the session holds, or
    one made from this process's short-lived copy of its row (:mod:`queue_server.cache`).

    Every call shows its ticket's service on the hall's screens, and a call rarely finds it in
    its session: read on every call, it was 6% of a call's CPU. Services change only when an
    admin edits the catalogue, so a renamed service may be called by its old name for at most
    ``DERIVED_CACHE_SECONDS``. Its columns are numbers, text and flags: the copy is shared by
    the objects made from it and never changed through them.
    """
    row = remember(("service", service_id), lambda: session.execute(_service_row(), {"id": service_id}).one())
    return as_loaded(session, Service, row._asdict())


@cache
def _service_row():
    return select(*named_columns(Service)).where(Service.id == bindparam("id"))
