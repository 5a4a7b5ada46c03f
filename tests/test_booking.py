"""Appointments booked from a phone: the slots' capacity (working calendar, rotation, share,
average time), booking, the limits against abuse, cancelling, the calendar file, the remote
ticket, and the page itself in Chromium at a phone's size."""

from __future__ import annotations

import io
import math
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta

import pytest
import requests
from icalendar import Calendar
from PIL import Image
from sqlalchemy import func, select

from queue_server.booking import capacity
from queue_server.booking.models import Booking, BookingStatus
from queue_server.database import db, utcnow
from queue_server.dossiers.models import CalendarDay
from queue_server.queueing.models import Channel, Ticket, TicketStatus
from queue_server.queueing.operations import issue_ticket
from queue_server.sites.models import Rotation, Service

from .browser import OFFICE, PHONE, assert_fits, check_accessibility, screenshot
from .helpers import SYSTEM, error_of, local, read_codes, site

# Monday to Friday sessions of the demo centre: 07:00-11:30 and 13:30-17:00, 32 slots of 15 min.
SLOTS_A_WEEKDAY = 32
PHONES = [f"09123456{n:02d}" for n in range(40)]


def service(session, code: str) -> Service:
    return session.scalar(select(Service).join(Service.site).where(Service.code == code))


def expected_seats(counters: int, slots: int, seconds: float, share: int, minutes: int = 15) -> int:
    """The day's seats as the rule says them: the counters' time over the average service time,
    times the share, rounded down once for the day."""
    return math.floor(counters * slots * minutes * 60 / seconds * share / 100 + 1e-9)


def total_seats(session, code: str, day: date) -> int:
    centre = site(session)
    return sum(slot.seats for slot in capacity.day_slots(session, centre, service(session, code), day))


# -- capacity ------------------------------------------------------------------------------------


def test_a_public_holiday_and_a_declared_day_off_have_no_slots(session):
    centre, land = site(session), service(session, "NM-DD")
    assert capacity.day_slots(session, centre, land, date(2026, 9, 2)) == []  # Quốc khánh
    assert len(capacity.day_slots(session, centre, land, date(2026, 9, 9))) == SLOTS_A_WEEKDAY
    session.add(CalendarDay(site=centre, day=date(2026, 9, 9), working=False, note="Kiểm kê"))
    session.commit()
    session.info.pop("working_calendars", None)
    assert capacity.day_slots(session, centre, land, date(2026, 9, 9)) == []


def test_a_make_up_saturday_of_a_site_closed_on_saturdays_follows_mondays_hours(session):
    ward = site(session, "NA-TRUONGVINH")
    any_service = session.scalar(select(Service).where(Service.site_id == ward.id))
    assert capacity.opening_sessions(session, ward, date(2026, 8, 15)) == []  # an ordinary Saturday
    makeup = capacity.opening_sessions(session, ward, date(2026, 8, 22))  # for Monday 31/8
    assert [(a.time(), b.time()) for a, b in makeup] == [
        (a.time(), b.time()) for a, b in capacity.opening_sessions(session, ward, date(2026, 8, 17))
    ]
    assert capacity.day_slots(session, ward, any_service, date(2026, 8, 22))


def test_a_counter_serving_the_service_only_in_week_2_of_its_rotation_adds_its_seats(session):
    """Building permits: counter 6 every week; merged counter 8 only in week 2 of the rotation."""
    rotation = session.scalar(select(Rotation))
    week_a, week_b = date(2026, 3, 2), date(2026, 3, 9)  # two Mondays, one in each week
    by_week = {rotation.week_of(week_a): week_a, rotation.week_of(week_b): week_b}
    assert set(by_week) == {1, 2}
    assert total_seats(session, "XD-GPXD", by_week[1]) == expected_seats(1, SLOTS_A_WEEKDAY, 420, 30)
    assert total_seats(session, "XD-GPXD", by_week[2]) == expected_seats(2, SLOTS_A_WEEKDAY, 420, 30)


def test_seats_follow_the_booking_share_and_the_average_service_time(session):
    day = date(2026, 9, 9)
    assert total_seats(session, "NM-DD", day) == expected_seats(3, SLOTS_A_WEEKDAY, 420, 30)
    site(session).booking_share = 60
    session.commit()
    assert total_seats(session, "NM-DD", day) == expected_seats(3, SLOTS_A_WEEKDAY, 420, 60)
    # Three citizens recently served in 14 minutes each: the service's own pace replaces the default.
    for minutes_ago in (30, 60, 90):
        ticket = issue_ticket(session, site(session), "NM-DD", SYSTEM, channel=Channel.COUNTER)
        ticket.status = TicketStatus.DONE
        ticket.called_at = utcnow() - timedelta(minutes=minutes_ago)
        ticket.finished_at = ticket.called_at + timedelta(minutes=14)
    session.commit()
    assert total_seats(session, "NM-DD", day) == expected_seats(3, SLOTS_A_WEEKDAY, 14 * 60, 60)


def test_seats_are_spread_so_a_one_counter_service_still_gets_some(session):
    """0.64 seats a slot: no slot would have one if each were rounded down on its own."""
    slots = capacity.day_slots(session, site(session), service(session, "TP-LLTP"), date(2026, 9, 9))
    assert [slot.seats for slot in slots[:6]] == [0, 1, 0, 1, 1, 0]
    assert sum(slot.seats for slot in slots) == expected_seats(1, SLOTS_A_WEEKDAY, 420, 30)


def test_slots_start_after_the_minimum_notice_and_stop_after_the_days_ahead(session):
    centre, land = site(session), service(session, "NM-DD")
    now = local(2026, 9, 9, 9, 5)
    slots = capacity.offered_slots(session, centre, land, date(2026, 9, 9), now)
    assert slots[0].starts_at == local(2026, 9, 9, 10, 15)  # 60 minutes' notice, whole slots
    assert capacity.offered_slots(session, centre, land, date(2026, 9, 24), now) == []  # 15 days ahead
    assert capacity.offered_slots(session, centre, land, date(2026, 9, 23), now)
    assert date(2026, 9, 13) not in capacity.bookable_days(session, centre, now)  # a Sunday


# -- booking through the API ---------------------------------------------------------------------


def free_slot(client, code="NM-DD", seats=None) -> dict:
    """The first slot of ``code`` with a free seat (exactly ``seats`` seats, if given)."""
    with client.application.app_context():
        days = capacity.bookable_days(db.session, site(db.session), utcnow())
    for day in days:
        slots = client.get(f"/api/v1/book/NA-HCC/slots?service={code}&day={day}").get_json()
        for slot in slots:
            if slot["free"] and (seats is None or slot["seats"] == seats):
                return slot
    raise AssertionError("no free slot")


def _day_with_free_slots(client, count: int, code="NM-DD") -> tuple[str, dict]:
    """The first bookable day with at least ``count`` free slots, and the first of them: late in
    a day's opening hours today may have one left, or none."""
    with client.application.app_context():
        days = capacity.bookable_days(db.session, site(db.session), utcnow())
    for day in days:
        slots = client.get(f"/api/v1/book/NA-HCC/slots?service={code}&day={day}").get_json()
        free = [slot for slot in slots if slot["free"]]
        if len(free) >= count:
            return str(day), free[0]
    raise AssertionError(f"no day with {count} free slots")


def book(client, slot, phone=PHONES[0], code="NM-DD", **extra):
    body = {"service": code, "starts_at": slot["starts_at"], "name": "Nguyễn Văn An", "phone": phone, **extra}
    return client.post("/api/v1/book/NA-HCC", json=body)


@pytest.fixture
def relaxed(app):
    app.config["BOOKING_RATE_LIMIT"] = "1000 per minute"
    return app


def test_a_booking_takes_a_seat_and_its_link_shows_no_personal_data(client, relaxed):
    slot = free_slot(client)
    response = book(client, slot, id_number="040190012345", consent=True)
    assert response.status_code == 201, response.get_data(as_text=True)
    booking = response.get_json()
    assert booking["starts_at"] == slot["starts_at"] and booking["status"] == "booked"
    assert booking["url"].endswith(f"/b/{booking['token']}")
    assert booking["phone"] == "+84912***600"
    page = client.get(f"/b/{booking['token']}").get_data(as_text=True)
    assert "Nguyễn Văn An" not in page and "040190012345" not in page and "0912345600" not in page
    assert "Đất đai" in page
    slots = client.get(f"/api/v1/book/NA-HCC/slots?service=NM-DD&day={booking['day']}").get_json()
    (after,) = [s for s in slots if s["starts_at"] == slot["starts_at"]]
    assert after["free"] == slot["free"] - 1


def test_the_same_phone_booking_the_same_service_and_day_again_is_refused_with_409(client, relaxed):
    slot = free_slot(client, seats=2)
    assert book(client, slot, phone="0912 345 600").status_code == 201
    assert error_of(book(client, slot, phone="+84912345600"), 409) == "already_booked"
    assert book(client, slot, phone="0912345601").status_code == 201  # another phone is fine


def test_bad_input_is_refused_with_the_field_named(client, relaxed):
    slot = free_slot(client)
    assert error_of(book(client, slot, phone="12345"), 400) == "invalid_phone"
    assert error_of(book(client, slot, id_number="12345"), 400) == "invalid_id_number"
    assert error_of(book(client, {"starts_at": "2026-12-03T03:07:00+07:00"}), 409) == "unknown_slot"
    assert error_of(book(client, slot, code="NOPE"), 404) == "unknown_service"
    assert error_of(client.post("/api/v1/book/NA-HCC", json={"service": "NM-DD"}), 422) == "validation_failed"
    assert error_of(client.get("/api/v1/book/NA-TRUONGVINH/slots?service=HT&day=2026-12-07"), 409) == (
        "booking_closed"
    )


def test_a_full_slot_is_refused_and_cancelling_frees_its_seat(client, relaxed):
    slot = free_slot(client, seats=1)
    first = book(client, slot).get_json()
    assert error_of(book(client, slot, phone=PHONES[1]), 409) == "slot_full"
    cancelled = client.post(f"/api/v1/b/{first['token']}/cancel")
    assert cancelled.status_code == 200 and cancelled.get_json()["status"] == "cancelled"
    assert client.post(f"/api/v1/b/{first['token']}/cancel").status_code == 200  # twice is no error
    assert book(client, slot, phone=PHONES[1]).status_code == 201
    assert book(client, slot, phone=PHONES[0]).status_code == 409  # the seat is taken again


def test_an_unknown_booking_link_is_a_404(client):
    assert error_of(client.post("/api/v1/b/nothing/cancel"), 404) == "unknown_booking"
    assert client.get("/b/nothing").status_code == 404
    assert client.get("/b/nothing/booking.ics").status_code == 404


def test_too_many_bookings_from_one_address_get_429_json(client, app):
    app.config["BOOKING_RATE_LIMIT"] = "3 per minute"
    slot = free_slot(client)
    assert book(client, slot, phone=PHONES[0]).status_code == 201
    for phone in PHONES[1:3]:
        assert book(client, slot, phone=phone).status_code in (201, 409)  # counted either way
    response = book(client, slot, phone=PHONES[5])
    assert error_of(response, 429) == "too_many_requests"
    assert int(response.headers["Retry-After"]) >= 1


def test_the_calendar_file_parses_back_with_the_slot_and_a_reminder(client, relaxed):
    slot = free_slot(client)
    booking = book(client, slot).get_json()
    response = client.get(f"/b/{booking['token']}/booking.ics")
    assert response.mimetype == "text/calendar"
    calendar = Calendar.from_ical(response.data)
    (event,) = calendar.walk("VEVENT")
    assert event.decoded("dtstart").isoformat() == slot["starts_at"]
    assert event.decoded("dtend").isoformat() == slot["ends_at"]
    assert str(event["uid"]).startswith(booking["token"])
    assert "Đất đai" in str(event["summary"])
    assert calendar.walk("VTIMEZONE")[0]["tzid"] == "Asia/Ho_Chi_Minh"
    (alarm,) = event.walk("VALARM")
    assert alarm.decoded("trigger") == -timedelta(hours=1)


def test_the_booking_event_is_published_after_commit_with_the_consent(client, relaxed):
    from queue_server.events import committed

    heard = []

    def listen(name, payload):
        if name == "booking.changed":
            heard.append(payload)

    committed.connect(listen)
    try:
        booking = book(client, free_slot(client), consent=True).get_json()
        client.post(f"/api/v1/b/{booking['token']}/cancel")
    finally:
        committed.disconnect(listen)
    assert [(p["site"], p["action"], p["consent"]) for p in heard] == [
        ("NA-HCC", "booked", True),
        ("NA-HCC", "cancelled", False),
    ]


@pytest.mark.parametrize("database_url", ["postgresql"], indirect=True)
def test_two_citizens_racing_for_the_last_seat_on_postgresql_only_one_gets_it(
    app, database_url, live_server_factory, monkeypatch
):
    monkeypatch.setenv("BOOKING_RATE_LIMIT", "1000 per minute")
    server = live_server_factory(database_url, workers=2)
    slot = free_slot(app.test_client(), code="TP-LLTP", seats=1)

    def attempt(phone):
        body = {"service": "TP-LLTP", "starts_at": slot["starts_at"], "name": "Lê Thị Bình", "phone": phone}
        return requests.post(f"{server.url}/api/v1/book/NA-HCC", json=body, timeout=60)

    with ThreadPoolExecutor(8) as pool:
        answers = list(pool.map(attempt, PHONES[:8]))
    codes = sorted(a.status_code for a in answers)
    assert codes == [201] + [409] * 7, [a.text for a in answers]
    assert {a.json()["error"]["code"] for a in answers if a.status_code == 409} == {"slot_full"}
    with app.app_context():
        active = db.session.scalar(
            select(func.count()).select_from(Booking).where(Booking.status == BookingStatus.BOOKED)
        )
    assert active == 1


# -- the remote ticket ---------------------------------------------------------------------------


def test_a_remote_ticket_is_a_mobile_ticket_with_a_tracking_link_once_per_phone(client, app, relaxed):
    first = client.post("/api/v1/book/NA-HCC/remote-ticket", json={"service": "NM-DD", "phone": "0912345600"})
    assert first.status_code == 201, first.get_data(as_text=True)
    issued = first.get_json()
    assert "/t/" in issued["track_url"]
    again = client.post(
        "/api/v1/book/NA-HCC/remote-ticket", json={"service": "NM-DD", "phone": "+84 912 345 600"}
    )
    assert again.status_code == 200 and again.get_json() == issued
    other = client.post("/api/v1/book/NA-HCC/remote-ticket", json={"service": "NM-DD", "phone": "0912345601"})
    assert other.status_code == 201 and other.get_json()["number"] != issued["number"]
    with app.app_context():
        tickets = db.session.scalars(select(Ticket).where(Ticket.channel == Channel.MOBILE)).all()
        assert len(tickets) == 2
        assert all("0912345600" not in (t.client_id or "") for t in tickets)  # no number stored
    page = client.get(issued["track_url"].split("localhost", 1)[1])
    assert page.status_code == 200 and issued["number"] in page.get_data(as_text=True)


def test_a_remote_ticket_follows_the_opening_hours_and_the_site_setting(client, session, relaxed):
    ward = site(session, "NA-TRUONGVINH")
    body = {"service": "HT", "phone": "0912345600"}
    assert error_of(client.post("/api/v1/book/NA-TRUONGVINH/remote-ticket", json=body), 409) == (
        "remote_tickets_closed"
    )
    ward.remote_ticket_enabled = True
    session.commit()
    response = client.post("/api/v1/book/NA-TRUONGVINH/remote-ticket", json=body)
    # The ward keeps real hours: open now or not, the answer is the kiosk's rule.
    assert response.status_code == 201 or error_of(response, 409) in {"closed", "closing_soon"}
    assert error_of(client.post("/api/v1/book/NOWHERE/remote-ticket", json=body), 404) == "unknown_site"


# -- the pages -----------------------------------------------------------------------------------


def test_a_site_without_bookings_has_no_booking_page(client):
    response = client.get("/book/NA-TRUONGVINH")
    assert response.status_code == 404
    assert "chưa nhận đặt lịch" in response.get_data(as_text=True)


def test_booking_on_a_phone_lands_on_a_confirmation_whose_qr_code_is_its_link(
    contexts, server, client, relaxed
):
    # A day with a slot taken by others, one to book and one to be refused for the same phone.
    day, full = _day_with_free_slots(client, 3)
    for phone in PHONES[10:13]:
        book(client, full, phone=phone)
    page = contexts(viewport=PHONE)
    page.goto(f"{server.url}/book/NA-HCC")
    page.click('[data-service="NM-DD"]')
    page.click(f'[data-day="{day}"]')
    page.wait_for_selector("[data-slot]:not([disabled])")
    assert page.locator(f'[data-slot="{full["starts_at"]}"]').is_disabled()
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth")
    screenshot(page, "booking-slots-phone")
    page.locator("[data-slot]:not([disabled])").first.click()
    page.fill("#name", "Nguyễn Văn An")
    page.fill("#phone", "0912 345 678")
    page.fill("#id_number", "040190012345")
    page.check("#consent")
    check_accessibility(page)
    screenshot(page, "booking-form-phone")
    page.click("#step-form button[type=submit]")
    page.wait_for_url("**/b/*")
    page.wait_for_function("() => document.querySelector('.book-qr').complete")
    token = page.url.rsplit("/b/", 1)[1]
    image = Image.open(io.BytesIO(page.locator(".book-qr").screenshot()))
    assert read_codes(image) == {f"{server.url}/b/{token}"}
    assert "Đất đai" in page.inner_text("main")
    assert "0912" not in page.inner_text("main").replace("+84912***678", "")
    check_accessibility(page)
    assert_fits(page)
    screenshot(page, "booking-confirmation-phone")
    # The same phone again for the same service and day: refused in the page's words.
    page.goto(f"{server.url}/book/NA-HCC")
    page.click('[data-service="NM-DD"]')
    page.click(f'[data-day="{day}"]')
    page.locator("[data-slot]:not([disabled])").last.click()
    page.fill("#name", "Nguyễn Văn An")
    page.fill("#phone", "0912345678")
    page.click("#step-form button[type=submit]")
    page.wait_for_selector("#message:not([hidden])")
    assert "đã có lịch hẹn dịch vụ này" in page.inner_text("#message")
    screenshot(page, "booking-refused-phone")
    page.goto(f"{server.url}/b/{token}")
    page.click("#cancel")
    page.click("#cancel-confirm")
    page.wait_for_selector('.book-status[data-status="cancelled"]')
    screenshot(page, "booking-cancelled-phone")


def test_taking_todays_number_on_a_phone_leads_to_its_tracking_page(contexts, server):
    page = contexts(viewport=PHONE)
    page.goto(f"{server.url}/book/NA-HCC")
    page.click('[data-service="NM-DD"]')
    page.fill("#remote-phone", "0912345699")
    screenshot(page, "booking-remote-phone")
    page.click("#remote-form button[type=submit]")
    page.wait_for_url("**/t/*")
    assert page.inner_text("#number").strip()


def test_the_booking_page_in_english_names_the_services_in_english(client):
    page = client.get("/book/NA-HCC?lang=en").get_data(as_text=True)
    assert '"name": "Land"' in page
    assert '"name": "Đất đai"' not in page


def test_an_admin_opens_bookings_for_a_ward_on_its_site_page_and_its_booking_page_opens(server, contexts):
    page = contexts(viewport=OFFICE)
    page.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "admin", "password": "quan-tri-demo"}
    )
    assert page.goto(f"{server.url}/book/NA-TRUONGVINH").status == 404
    page.goto(f"{server.url}/admin/sites?site=NA-TRUONGVINH")
    page.wait_for_function("() => document.getElementById('s-name').value !== ''")
    page.check("input[name='booking_enabled']")
    page.fill("#s-booking-share", "40")
    page.select_option("#s-booking-slot", "30")
    page.fill("#s-booking-share", "140")
    page.get_by_role("button", name="Lưu thay đổi").click()
    page.locator("[data-error-for='booking_share']").wait_for()
    page.fill("#s-booking-share", "40")
    page.get_by_role("button", name="Lưu thay đổi").click()
    page.wait_for_selector("#notice:not([hidden])")
    saved = page.request.get(f"{server.url}/api/v1/admin/sites/NA-TRUONGVINH").json()
    assert (saved["booking_enabled"], saved["booking_share"], saved["booking_slot_minutes"]) == (True, 40, 30)
    assert saved["remote_ticket_enabled"] is False and saved["booking_grace_minutes"] == 15
    check_accessibility(page)
    screenshot(page, "admin-site-booking")
    assert page.goto(f"{server.url}/book/NA-TRUONGVINH").status == 200
    page.wait_for_selector("[data-service]")
