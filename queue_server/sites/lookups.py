"""A site by its code and a counter by its id, or a 404 in the API's error format: the lookups
every package's API and pages start from (the generic ones are in :mod:`queue_server.lookups`)."""

from __future__ import annotations

from sqlalchemy import select

from ..errors import NotFound
from ..lookups import AnySession
from .models import Counter, Site


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
