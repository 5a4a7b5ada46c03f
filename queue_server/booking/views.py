"""``/book/<site>``: a citizen books a slot from a phone (or takes today's number);
``/b/<token>``: the booking's confirmation, its QR code (``qr.svg``, read by the kiosk's
scanner at check-in) and its calendar file (``booking.ics``).

Public pages, no login; they speak to the citizen as "ông/bà" and show no personal data
beyond a masked phone number. The page script calls the public API (:mod:`.public_api`).
"""

from __future__ import annotations

from datetime import timedelta

from flask import Blueprint, Response, render_template
from flask_babel import gettext as _
from icalendar import Alarm, Calendar, Event
from sqlalchemy import select

from ..database import db, utcnow
from ..queueing import admission
from ..queueing.snapshot import active_services
from ..sites.models import Site
from ..timefmt import iso
from ..web import N_, js_strings, named, page_error, qr_svg
from . import capacity
from .models import Booking, BookingStatus
from .presenters import booking_public, booking_url, day_label, language

bp = Blueprint("booking", __name__, template_folder="templates")

# When the phone's calendar reminds the citizen of the appointment: time to set off.
ALARM_BEFORE = timedelta(hours=1)

STRINGS = (
    N_("Chọn ngày"),
    N_("Chọn giờ"),
    N_("Đã kín"),
    N_("Còn {n} chỗ"),
    N_("Ngày này không còn khung giờ trống. Vui lòng chọn ngày khác."),
    N_("Đang đặt lịch…"),
    N_("Đang lấy số…"),
)

# The API's refusals in the citizen's words (Core.api looks them up by code).
ERRORS = {
    "invalid_phone": N_("Số điện thoại không đúng. Vui lòng kiểm tra lại."),
    "not_a_mobile": N_("Vui lòng nhập số điện thoại di động để nhận tin nhắn."),
    "invalid_id_number": N_("Số CCCD gồm 12 chữ số."),
    "invalid_name": N_("Vui lòng nhập họ và tên."),
    "validation_failed": N_("Vui lòng điền đủ họ tên và số điện thoại."),
    "slot_full": N_("Khung giờ này vừa hết chỗ. Vui lòng chọn giờ khác."),
    "unknown_slot": N_("Khung giờ này không còn nhận đặt lịch. Vui lòng chọn giờ khác."),
    "already_booked": N_(
        "Số điện thoại này đã có lịch hẹn dịch vụ này trong ngày. "
        "Mỗi số điện thoại chỉ đặt một lịch mỗi ngày."
    ),
    "booking_closed": N_("Trung tâm chưa nhận đặt lịch hẹn."),
    "service_inactive": N_("Dịch vụ này tạm ngừng tiếp nhận."),
    "too_many_requests": N_("Ông/Bà thao tác quá nhanh. Vui lòng chờ một lát rồi thử lại."),
    "closed": N_("Trung tâm đang ngoài giờ làm việc, chưa lấy số được."),
    "closing_soon": N_("Hôm nay không còn đủ thời gian phục vụ dịch vụ này trước giờ đóng cửa."),
    "service_full": N_("Dịch vụ này đã hết số trong ngày."),
    "remote_tickets_closed": N_("Trung tâm chưa cho lấy số qua điện thoại."),
    "not_cancellable": N_("Lịch hẹn này không còn hủy được."),
}

STATUS = {
    BookingStatus.BOOKED: N_("Đã đặt lịch hẹn"),
    BookingStatus.CHECKED_IN: N_("Ông/Bà đã đến và nhận số"),
    BookingStatus.CANCELLED: N_("Lịch hẹn đã hủy"),
    BookingStatus.NO_SHOW: N_("Ông/Bà đã không đến trong khung giờ hẹn"),
}


def _no_booking_page():
    return page_error(404, _("Không tìm thấy lịch hẹn"), _("Đường dẫn này không ứng với lịch hẹn nào."))


@bp.get("/book/<site_code>")
def book_page(site_code: str):
    site = db.session.scalar(select(Site).where(Site.code == site_code))
    if site is None or not (site.booking_enabled or site.remote_ticket_enabled):
        return page_error(
            404, _("Không tìm thấy trang đặt lịch"), _("Trung tâm này chưa nhận đặt lịch hẹn qua điện thoại.")
        )
    lang, now = language(), utcnow()
    # A field (lĩnh vực) is the site's own Vietnamese word with no English: the English page
    # lists the services in the same order without its headings.
    services = [
        {"code": s.code, "name": named(s, lang), "field": (s.field or "") if lang == "vi" else ""}
        for s in active_services(db.session(), site)
    ]
    days = capacity.bookable_days(db.session(), site, now) if site.booking_enabled else []
    config = {
        "site": site.code,
        "services": services,
        "days": [{"day": iso(day), "label": day_label(day)} for day in days],
        "booking": site.booking_enabled,
        "remote": site.remote_ticket_enabled and admission.opening(site, now)["open"],
        "t": js_strings(*STRINGS),
        "errors": {code: _(text) for code, text in ERRORS.items()},
    }
    return render_template("booking/book.html", site=site, site_name=named(site, lang), config=config)


def _booking(token: str) -> Booking | None:
    return db.session.scalar(select(Booking).where(Booking.token == token))


@bp.get("/b/<token>")
def booking_page(token: str):
    booking = _booking(token)
    if booking is None:
        return _no_booking_page()
    config = {"token": token, "t": js_strings(), "errors": {code: _(text) for code, text in ERRORS.items()}}
    return render_template(
        "booking/booking.html",
        booking=booking_public(booking, language()),
        status=_(STATUS[booking.status]),
        cancellable=booking.status == BookingStatus.BOOKED,
        config=config,
    )


@bp.get("/b/<token>/qr.svg")
def booking_qr(token: str):
    """The QR code of the booking's link: the citizen shows it to the kiosk's scanner."""
    booking = _booking(token)
    if booking is None:
        return _no_booking_page()
    return qr_svg(booking_url(booking))


@bp.get("/b/<token>/booking.ics")
def booking_ics(token: str):
    """The appointment for the phone's calendar ("Thêm vào lịch"): the slot in the site's time
    zone (with its VTIMEZONE), the centre as the place, and a reminder :data:`ALARM_BEFORE`."""
    booking = _booking(token)
    if booking is None:
        return _no_booking_page()
    lang, tz = language(), booking.site.tz
    summary = f"{_('Lịch hẹn')}: {named(booking.service, lang)}"
    event = Event()
    event.add("uid", f"{booking.token}@booking")
    event.add("dtstamp", booking.created_at)
    event.add("dtstart", booking.starts_at.astimezone(tz))
    event.add("dtend", booking.ends_at.astimezone(tz))
    event.add("summary", summary)
    event.add("location", named(booking.site, lang))
    event.add("url", booking_url(booking))
    if booking.status == BookingStatus.CANCELLED:
        event.add("status", "CANCELLED")
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", summary)
    alarm.add("trigger", -ALARM_BEFORE)
    event.add_component(alarm)
    calendar = Calendar()
    calendar.add("prodid", "-//queue-server//booking//VI")
    calendar.add("version", "2.0")
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return Response(
        calendar.to_ical(),
        mimetype="text/calendar",
        headers={"Content-Disposition": f'attachment; filename="lich-hen-{booking.day:%Y%m%d}.ics"'},
    )
