"""The windows around an appointment: settings, since no legal text sets them.

- :func:`grace`: how late after the start of its slot a booking is still honoured. Checked in
  by then, it gets a booked ticket called ahead of the walk-ins of its service until then
  (``queueing/order.py``); later, it is a no-show (its slot freed, :mod:`.checkin`) and a citizen
  who still comes gets an ordinary number. The site's ``booking_grace_minutes`` (15 unless its
  admin sets another, on the sites page).
- :func:`early`: how long before its slot a booking may be checked in. The ticket then waits
  for its slot (it goes ahead only from the slot's start); earlier, the kiosk says when to come
  back, so the hall is not filled with people an hour ahead. ``BOOKING_CHECKIN_EARLY_MINUTES``
  (30), server-wide.
"""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from ..sites.models import Site


def grace(site: Site) -> timedelta:
    return timedelta(minutes=site.booking_grace_minutes)


def early(site: Site) -> timedelta:
    return timedelta(minutes=float(current_app.config["BOOKING_CHECKIN_EARLY_MINUTES"]))
