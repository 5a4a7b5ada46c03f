"""The windows around an appointment: settings, since no legal text sets them.

- :func:`grace`: how late after the start of its slot a booking is still honoured. Checked in
  by then, it gets a booked ticket called ahead of the walk-ins of its service until then
  (``queueing/order.py``); later, it is a no-show (its slot freed, :mod:`.checkin`) and a citizen
  who still comes gets an ordinary number. ``BOOKING_GRACE_MINUTES`` (15).
- :func:`early`: how long before its slot a booking may be checked in. The ticket then waits
  for its slot (it goes ahead only from the slot's start); earlier, the kiosk says when to come
  back, so the hall is not filled with people an hour ahead. ``BOOKING_CHECKIN_EARLY_MINUTES``
  (30).

A site's own value wins when the site has one (a ``booking_grace_minutes`` or
``booking_early_minutes`` of the site's booking settings); else the server-wide setting.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ..sites.models import Site


def _minutes(site: Site, attribute: str, setting: str) -> timedelta:
    value = getattr(site, attribute, None)
    if value is None:
        value = current_app.config[setting]
    return timedelta(minutes=float(value))


def grace(site: Site) -> timedelta:
    return _minutes(site, "booking_grace_minutes", "BOOKING_GRACE_MINUTES")


def early(site: Site) -> timedelta:
    return _minutes(site, "booking_early_minutes", "BOOKING_CHECKIN_EARLY_MINUTES")
