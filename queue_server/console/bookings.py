"""``/console/bookings``: a centre's bookings of a day, by slot, for the officers who check
citizens in without a scanner and for the supervisors who follow the day (booked, checked in
with the ticket's number, no-show, cancelled, and the day's counts).

The names are personal data: the page shows them to the site's staff only, records the read
(``audit/reads.py``), and shows the phone masked. Checking in goes through the JSON API
(``POST /api/v1/bookings/<id>/check-in``, ``booking/api.py``), the same rule as the kiosk's.
"""

from __future__ import annotations

from datetime import date

from flask import Blueprint, render_template, request

from ..auth.access import Action
from ..booking import checkin
from ..booking.models import BookingStatus
from ..database import db, utcnow
from ..phones import masked_phone
from ..sites.calendar import business_date
from ..staffpages import chosen_site, signed_in, staff_context, translated
from ..web import N_

bp = Blueprint("bookings", __name__, template_folder="templates", url_prefix="/console/bookings")

STATUS = {
    BookingStatus.BOOKED: N_("Chưa đến"),
    BookingStatus.CHECKED_IN: N_("Đã đến"),
    BookingStatus.NO_SHOW: N_("Không đến"),
    BookingStatus.CANCELLED: N_("Đã hủy"),
}
# A late arrival's booking stays a no-show: its ticket is an ordinary one (booking/checkin.py).
STRINGS = (N_("Đã tiếp nhận lịch hẹn: số {number}."), N_("Đã đến"), N_("Không đến"))


def _day(text: str | None, today: date) -> date:
    """``?day=`` (YYYY-MM-DD), today when absent or not a date."""
    try:
        return date.fromisoformat(text) if text else today
    except ValueError:
        return today


@bp.get("")
def booking_list():
    actor = signed_in()
    site, sites = chosen_site(actor, Action.CHECK_IN_BOOKING, centres_only=True)
    today = business_date(site, utcnow())
    day = _day(request.args.get("day"), today)
    query = (request.args.get("q") or "").strip()[:100]
    session = db.session()
    rows = checkin.staff_read(session, site, day, query)
    counts = checkin.day_counts(session, site, day)
    session.commit()
    shown = [
        {
            "id": booking.id,
            "time": booking.starts_at.astimezone(site.tz).strftime("%H:%M"),
            "service": booking.service.name,
            "name": booking.name,
            "phone": masked_phone(booking.phone),
            "status": booking.status,
            "ticket": ticket.number if ticket is not None else None,
            "may_check_in": day == today and booking.status == BookingStatus.BOOKED,
        }
        for booking, ticket in rows
    ]
    context = staff_context(actor, site, sites, STRINGS)
    return render_template(
        "console/bookings.html",
        nav="bookings",
        rows=shown,
        counts=counts,
        statuses=translated(STATUS),
        day=day,
        query=query,
        **context,
    )
