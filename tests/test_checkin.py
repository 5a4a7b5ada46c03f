"""Check-in of appointments (booking/checkin.py): a booking becomes a ticket of its service,
called in its slot ahead of walk-ins (queueing/order.py); late arrivals, no-shows, the
scanner's booking links, the kiosk's and the console's API."""

from __future__ import annotations

import io
import re
import secrets
from datetime import timedelta

import pytest
from PIL import Image
from sqlalchemy import select

from hardware.scanning import Scan, parse
from queue_server.audit.models import AuditEntry
from queue_server.booking import checkin
from queue_server.booking.models import Booking, BookingStatus
from queue_server.database import db, utcnow
from queue_server.errors import Conflict, NotFound
from queue_server.queueing import estimates
from queue_server.queueing import operations as ops
from queue_server.queueing.models import Channel, Ticket
from queue_server.sites.calendar import business_date
from queue_server.sites.models import PriorityPolicy, Service

from .browser import (
    KIOSK_SIZES,
    PHONE,
    assert_fits,
    check_accessibility,
    open_kiosk,
    screenshot,
    signed_in_page,
    wedge_scan,
)
from .helpers import (
    BOTH_DATABASES,
    VN,
    counter,
    device_client,
    device_token,
    error_of,
    issue_over_http,
    local,
    login,
    minutes,
    officer,
    read_codes,
    site,
    staff_session,
)

T0 = local(2026, 11, 23, 8, 0)  # a Monday
SLOT = local(2026, 11, 23, 9, 0)


def book(
    session, starts_at=SLOT, service="NM-DD", code="NA-HCC", id_number=None, phone="+84912345678", **extra
):
    centre = site(session, code)
    booking = Booking(
        token=secrets.token_urlsafe(16),
        site=centre,
        service=session.scalar(select(Service).where(Service.site_id == centre.id, Service.code == service)),
        day=business_date(centre, starts_at),
        starts_at=starts_at,
        ends_at=starts_at + minutes(15),
        name="Nguyễn Văn Hẹn",
        phone=phone,
        id_number=id_number,
        created_at=starts_at - timedelta(days=1),
        **extra,
    )
    session.add(booking)
    session.flush()
    return booking


def check_in(session, booking, at, channel=Channel.KIOSK):
    locked = checkin.booking_for_update(session, booking.site, booking.token)
    return checkin.check_in(session, locked, officer(session), channel=channel, now=at)


def walk_in(session, at, priority=None, service="NM-DD"):
    return ops.issue_ticket(session, site(session), service, officer(session), priority=priority, now=at)


def call(session, at, number=3):
    return ops.call_next(session, counter(session, number), officer(session), now=at)


# --- Check-in ---------------------------------------------------------------------------------


@BOTH_DATABASES
def test_a_booking_checked_in_on_its_day_becomes_a_booked_ticket_of_its_service(session):
    booking = book(session)
    result = check_in(session, booking, SLOT + minutes(2))
    ticket = result.ticket
    assert result.created and result.outcome == checkin.Outcome.ON_TIME
    assert ticket.service.code == "NM-DD" and ticket.number == "3001"  # numbered like any other
    assert ticket.appointment_at == SLOT and ticket.appointment_until == SLOT + minutes(15)
    assert booking.status == BookingStatus.CHECKED_IN and booking.ticket_id == ticket.id
    assert booking.checked_in_at == SLOT + minutes(2)


@BOTH_DATABASES
def test_checking_in_twice_gives_the_same_ticket(session):
    booking = book(session)
    first = check_in(session, booking, SLOT)
    session.commit()
    again = check_in(session, booking, SLOT + minutes(1))
    assert not again.created and again.ticket.id == first.ticket.id
    assert session.scalar(select(Ticket.id).where(Ticket.id != first.ticket.id)) is None


def test_an_early_arrival_within_the_window_waits_for_its_slot_and_earlier_is_refused(session):
    booking = book(session)
    with pytest.raises(Conflict) as refused:
        check_in(session, booking, SLOT - minutes(31))
    assert refused.value.code == "too_early"
    assert refused.value.details["come_back_at"] == "2026-11-23T08:30:00+07:00"
    result = check_in(session, booking, SLOT - minutes(30))
    assert result.outcome == checkin.Outcome.EARLY and result.ticket.appointment_at == SLOT


def test_a_late_arrival_gets_an_ordinary_ticket_and_the_booking_is_a_no_show(session):
    booking = book(session)
    result = check_in(session, booking, SLOT + minutes(16))
    assert result.outcome == checkin.Outcome.LATE
    assert result.ticket.appointment_at is None and result.ticket.appointment_until is None
    assert booking.status == BookingStatus.NO_SHOW and booking.ticket_id == result.ticket.id


def test_a_late_arrival_already_swept_as_a_no_show_still_gets_an_ordinary_ticket(session):
    booking = book(session)
    assert checkin.sweep(session, site(session), SLOT + minutes(20)) == 1
    result = check_in(session, booking, SLOT + minutes(25))
    assert result.outcome == checkin.Outcome.LATE and booking.ticket_id == result.ticket.id


def test_wrong_day_cancelled_and_other_site_are_refused(session):
    tomorrow = book(session, starts_at=SLOT + timedelta(days=1))
    with pytest.raises(Conflict) as refused:
        check_in(session, tomorrow, SLOT)
    assert refused.value.code == "wrong_day" and refused.value.details["day"] == "2026-11-24"
    cancelled = book(session, phone="+84912000111", status=BookingStatus.CANCELLED)
    with pytest.raises(Conflict) as refused:
        check_in(session, cancelled, SLOT)
    assert refused.value.code == "booking_cancelled"
    elsewhere = book(session, code="NA-TRUONGVINH", service="HT")
    with pytest.raises(NotFound):
        checkin.booking_for_update(session, site(session), elsewhere.token)
    assert session.scalar(select(Ticket.id)) is None


# --- The call order ---------------------------------------------------------------------------


@BOTH_DATABASES
def test_a_booked_ticket_is_called_ahead_of_earlier_walk_ins_from_its_slot(session):
    early_walk_in = walk_in(session, T0 + minutes(40))
    booked = check_in(session, book(session), T0 + minutes(50)).ticket
    later_walk_in = walk_in(session, T0 + minutes(55))
    session.commit()
    assert estimates.people_ahead(session, early_walk_in, SLOT + minutes(5)) == 1
    assert estimates.people_ahead(session, booked, SLOT + minutes(5)) == 0
    assert call(session, SLOT + minutes(5)) is booked
    assert [call(session, SLOT + minutes(6 + i)) for i in range(2)] == [early_walk_in, later_walk_in]


def test_a_booked_ticket_is_not_called_ahead_before_its_slot(session):
    walk = walk_in(session, T0 + minutes(40))
    booked = check_in(session, book(session), T0 + minutes(50)).ticket
    session.commit()
    assert estimates.people_ahead(session, booked, SLOT - minutes(5)) == 1
    assert call(session, SLOT - minutes(5)) is walk
    assert call(session, SLOT - minutes(4)) is booked


@BOTH_DATABASES
def test_a_booked_ticket_loses_its_advantage_when_its_grace_has_passed(session):
    walk = walk_in(session, T0 + minutes(40))
    booked = check_in(session, book(session), T0 + minutes(50)).ticket
    session.commit()
    assert estimates.people_ahead(session, booked, SLOT + minutes(16)) == 1
    assert call(session, SLOT + minutes(16)) is walk
    assert call(session, SLOT + minutes(17)) is booked


def test_priority_tickets_go_before_booked_ones_which_go_before_walk_ins(session):
    site(session).priority_policy = PriorityPolicy.STRICT
    walk = walk_in(session, T0 + minutes(10))
    booked = check_in(session, book(session), T0 + minutes(50)).ticket
    elderly = walk_in(session, SLOT + minutes(1), priority="elderly")
    session.commit()
    assert [call(session, SLOT + minutes(2 + i)) for i in range(3)] == [elderly, booked, walk]


@BOTH_DATABASES
def test_on_an_interleave_site_booked_tickets_count_in_the_run_that_goes_ahead(session):
    centre = site(session)
    centre.priority_policy, centre.priority_max_run = PriorityPolicy.INTERLEAVE, 2
    walk = walk_in(session, T0 + minutes(10))
    booked = [
        check_in(session, book(session, phone=f"+8491234560{i}"), T0 + minutes(50)).ticket for i in range(2)
    ]
    elderly = walk_in(session, SLOT, priority="elderly")
    session.commit()
    called = [call(session, SLOT + minutes(1 + i)) for i in range(4)]
    assert called == [elderly, booked[0], walk, booked[1]]


@BOTH_DATABASES
def test_each_ticket_is_told_the_place_call_next_gives_it(session):
    """The count ahead of a walk-in (read from the queue's index alone) and of any other ticket
    (worked out row by row) against the order call-next follows: walk-ins taken at the same
    instant, a priority ticket and a booked one taken after them, a booking whose slot has not
    started."""
    site(session).priority_policy = PriorityPolicy.STRICT
    now = SLOT + minutes(5)
    queue = [walk_in(session, T0 + minutes(10)) for _ in range(3)]  # the same instant: by id
    queue.append(walk_in(session, T0 + minutes(20)))
    queue.append(check_in(session, book(session), T0 + minutes(50)).ticket)  # its slot is open
    later = book(session, starts_at=SLOT + minutes(30), phone="+84912345679")
    queue.append(check_in(session, later, SLOT + minutes(1)).ticket)  # its slot is not
    queue.append(walk_in(session, SLOT + minutes(2), priority="elderly"))
    queue.append(walk_in(session, SLOT + minutes(3)))
    session.commit()
    told = {ticket.id: estimates.people_ahead(session, ticket, now) for ticket in queue}
    called = [call(session, now) for _ in queue]
    assert sorted(t.id for t in called) == sorted(told)
    assert [told[ticket.id] for ticket in called] == list(range(len(queue)))


@BOTH_DATABASES
def test_the_phones_standings_follow_the_call_order(session):
    now = utcnow()
    walk = walk_in(session, now - minutes(10))
    booked = check_in(session, book(session, starts_at=now - minutes(1)), now - minutes(5)).ticket
    session.commit()
    standings = estimates.standings(session, [walk.id, booked.id])
    assert standings[booked.id]["people_ahead"] == 0 and standings[walk.id]["people_ahead"] == 1
    assert estimates.ticket_standing(session, walk)["people_ahead"] == 1


# --- No-shows ---------------------------------------------------------------------------------


@BOTH_DATABASES
def test_bookings_not_checked_in_by_the_end_of_their_grace_become_no_shows_and_are_counted(session):
    centre = site(session)
    kept, missed, later = (
        book(session),
        book(session, SLOT - minutes(30), phone="+84912000222"),
        book(session, SLOT + minutes(30), phone="+84912000333"),
    )
    check_in(session, kept, SLOT)
    assert checkin.sweep(session, centre, SLOT - minutes(15)) == 0  # 8:30's grace ends at 8:45
    assert checkin.sweep(session, centre, SLOT + minutes(10)) == 1
    assert missed.status == BookingStatus.NO_SHOW and later.status == BookingStatus.BOOKED
    assert checkin.sweep(session, centre, SLOT + minutes(46)) == 1
    assert later.status == BookingStatus.NO_SHOW and kept.status == BookingStatus.CHECKED_IN
    counts = checkin.day_counts(session, centre, SLOT.date())
    assert counts == {"booked": 0, "checked_in": 1, "cancelled": 0, "no_show": 2}


# --- Scanning ---------------------------------------------------------------------------------


def test_the_scanner_reads_a_booking_link():
    token = "Ab_3-" + "x" * 17
    assert parse(f"https://hcc.nghean.gov.vn/b/{token}") == Scan("booking", token)
    assert parse(f"http://localhost:5000/queue/b/{token}\r") == Scan("booking", token)
    assert parse(f"https://hcc.nghean.gov.vn/t/{token}").kind == "ticket"


# --- The API ----------------------------------------------------------------------------------


def today_booking(session, **extra):
    """A booking of NA-HCC whose slot began a minute ago (the API's clock is the real one)."""
    booking = book(session, starts_at=utcnow().replace(microsecond=0) - minutes(1), **extra)
    session.commit()
    return booking


@BOTH_DATABASES
def test_the_kiosk_checks_in_a_scanned_booking_once(app, session, kiosk):
    booking = today_booking(session)
    text = f"http://localhost/b/{booking.token}"
    first = kiosk.post("/api/v1/kiosk/check-in", json={"text": text})
    assert first.status_code == 201, first.get_json()
    body = first.get_json()
    assert body["outcome"] == "on_time" and body["ticket"]["number"] == "3001"
    assert body["ticket"]["track_url"].startswith("http://localhost/t/")
    again = kiosk.post("/api/v1/kiosk/check-in", json={"text": text})
    assert again.status_code == 200 and again.get_json()["ticket"]["id"] == body["ticket"]["id"]
    assert "Nguyễn" not in first.get_data(as_text=True)  # nothing personal to a kiosk


CARD = "040190012345||Nguyễn Văn Hẹn|01011990|Nam|Vinh, Nghệ An|01012021"


def test_the_kiosk_finds_today_s_bookings_by_the_citizen_s_id_card(app, session, kiosk):
    first = today_booking(session, id_number="040190012345")
    second = today_booking(session, id_number="040190012345", service="NM-MT")
    answer = kiosk.post("/api/v1/kiosk/check-in", json={"text": CARD})
    assert answer.status_code == 200
    assert [choice["id"] for choice in answer.get_json()["choices"]] == [first.id, second.id]
    chosen = kiosk.post("/api/v1/kiosk/check-in", json={"text": CARD, "booking": second.id})
    assert chosen.status_code == 201 and chosen.get_json()["ticket"]["service"] == "NM-MT"
    alone = kiosk.post("/api/v1/kiosk/check-in", json={"text": CARD})
    assert alone.status_code == 201 and alone.get_json()["ticket"]["service"] == "NM-DD"
    assert error_of(kiosk.post("/api/v1/kiosk/check-in", json={"text": CARD}), 404) == "unknown_booking"


def test_check_in_refusals_are_clear_json_errors(app, session, kiosk):
    tomorrow = book(session, starts_at=utcnow() + timedelta(days=1))
    session.commit()
    assert error_of(
        kiosk.post("/api/v1/kiosk/check-in", json={"text": f"http://x/b/{tomorrow.token}"}), 409
    ) == ("wrong_day")
    assert error_of(kiosk.post("/api/v1/kiosk/check-in", json={"text": "http://x/b/" + "z" * 22}), 404) == (
        "unknown_booking"
    )
    assert error_of(kiosk.post("/api/v1/kiosk/check-in", json={"text": "hello"}), 422) == "unreadable_scan"
    assert error_of(kiosk.post("/api/v1/kiosk/check-in", json={"text": "http://x/t/" + "z" * 22}), 422) == (
        "not_a_booking"
    )


def test_only_kiosks_and_the_site_s_staff_check_in(app, session, client):
    booking = today_booking(session)
    url = f"/api/v1/bookings/{booking.id}/check-in"
    display = device_client(app, device_token(app, "display", "NA-HCC", "màn hình"))
    other_kiosk = device_client(app, device_token(app, "kiosk", "NA-TRUONGVINH", "kiosk phường"))
    scanned = {"text": f"http://localhost/b/{booking.token}"}
    assert error_of(display.post("/api/v1/kiosk/check-in", json=scanned), 403) == "device_only"
    assert error_of(other_kiosk.post("/api/v1/kiosk/check-in", json=scanned), 404) == "unknown_booking"
    assert error_of(client.post(url), 401) == "login_required"
    assert error_of(display.post(url), 403) == "forbidden"
    assert error_of(login(app.test_client(), "officer3").post(url), 403) == "forbidden"
    answer = login(app.test_client(), "officer1").post(url)
    assert answer.status_code == 201 and answer.get_json()["ticket"]["channel"] == "counter"


def test_staff_find_the_day_s_bookings_and_the_read_is_recorded(app, session):
    booking = today_booking(session, phone="+84987654321")
    book(session, starts_at=utcnow() + timedelta(days=1), phone="+84900000000")
    session.commit()
    officer_client = login(app.test_client(), "officer1")
    rows = officer_client.get("/api/v1/sites/NA-HCC/bookings", query_string={"q": "4321"}).get_json()
    assert [row["id"] for row in rows] == [booking.id]
    assert rows[0]["name"] == "Nguyễn Văn Hẹn" and rows[0]["phone"] == "+84987***321"
    assert officer_client.get("/api/v1/sites/NA-HCC/bookings", query_string={"q": "văn hẹn"}).get_json()[0][
        "id"
    ] == (booking.id)
    reads = session.scalars(select(AuditEntry).where(AuditEntry.event == "personal_data_read")).all()
    assert any(entry.details.get("what") == "bookings" for entry in reads)
    kiosk = device_client(app, device_token(app, "kiosk", "NA-HCC", "kiosk"))
    assert error_of(kiosk.get("/api/v1/sites/NA-HCC/bookings"), 403) == "forbidden"
    assert (
        error_of(login(app.test_client(), "officer3").get("/api/v1/sites/NA-HCC/bookings"), 403)
        == "forbidden"
    )


# --- At the kiosk, in Chromium ----------------------------------------------------------------


@pytest.mark.parametrize("size", list(KIOSK_SIZES))
def test_a_booking_scanned_at_the_kiosk_prints_a_ticket_called_before_an_earlier_walk_in(
    app, server, kiosk_token, contexts, size
):
    with app.app_context():
        booking = today_booking(db.session)
        token, slot = booking.token, booking.starts_at
    walk = issue_over_http(server.url, kiosk_token)
    kiosk = open_kiosk(contexts, server, kiosk_token, size)
    wedge_scan(kiosk, f"{server.url}/b/{token}")
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    assert kiosk.inner_text("#result-number") == "3002"
    time = slot.astimezone(VN).strftime("%H:%M")
    assert kiosk.inner_text("#result-booking") == (
        f"Ông/Bà đã đến đúng hẹn ({time}): số của ông/bà được gọi trước các số không đặt lịch."
    )
    # Good news, not in the red of warnings.
    colour = kiosk.eval_on_selector("#result-booking", "e => getComputedStyle(e).color")
    assert colour == "rgb(22, 101, 52)"
    assert kiosk.inner_text("#result-ahead") == "Ông/Bà là người tiếp theo"
    kiosk.wait_for_function("() => document.getElementById('result-qr').naturalWidth > 0")
    screenshot(kiosk, f"kiosk-booking-checked-in-{size}")
    assert_fits(kiosk)
    check_accessibility(kiosk)
    kiosk.click("#result-done")
    wedge_scan(kiosk, f"{server.url}/b/{token}")  # scanned again: the same ticket
    kiosk.wait_for_function("() => !document.getElementById('screen-result').hidden")
    assert kiosk.inner_text("#result-number") == "3002"
    officer_session = staff_session(server.url, "officer1")
    called = [
        officer_session.post(f"{server.url}/api/v1/counters/3/call-next").json()["ticket"] for _ in range(2)
    ]
    assert [ticket["number"] for ticket in called] == ["3002", walk["number"]]


def test_an_id_card_with_two_bookings_today_chooses_one_at_the_kiosk(app, server, kiosk_token, contexts):
    with app.app_context():
        today_booking(db.session, id_number="040190012345")
        today_booking(db.session, id_number="040190012345", service="NM-MT")
    kiosk = open_kiosk(contexts, server, kiosk_token, "portrait")
    wedge_scan(kiosk, CARD)
    kiosk.wait_for_selector("#screen-bookings:not([hidden])")
    assert kiosk.locator("[data-booking]").count() == 2
    check_accessibility(kiosk)
    screenshot(kiosk, "kiosk-booking-choices-portrait")
    kiosk.get_by_role("button", name=re.compile("Môi trường")).click()
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    assert kiosk.inner_text("#result-number") == "3501"
    kiosk.click("#result-done")
    wedge_scan(kiosk, "040190012399||Trần Thị B|01011990|Nữ|Vinh|01012021")
    kiosk.wait_for_selector("#screen-refused:not([hidden])")
    assert kiosk.inner_text("#refused-text") == (
        "Không tìm thấy lịch hẹn hôm nay của ông/bà tại trung tâm này. Vui lòng hỏi quầy hướng dẫn."
    )


# --- The day's bookings at the console --------------------------------------------------------


def test_the_bookings_page_shows_the_day_by_slot_with_masked_phones_and_records_the_read(app, session):
    # Without grace, a slot begun a few seconds ago is a no-show and one about to begin is still
    # awaited: both of today at any hour (an hour ago was yesterday between 00:00 and 01:00).
    site(session).booking_grace_minutes = 0
    now = utcnow().replace(microsecond=0)
    book(session, starts_at=now + timedelta(seconds=30), phone="+84987654321")
    book(session, starts_at=now - timedelta(seconds=5), phone="+84911111111")
    session.commit()
    page = login(app.test_client(), "supervisor").get("/console/bookings?site=NA-HCC")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Nguyễn Văn Hẹn" in html and "+84987***321" in html and "+84987654321" not in html
    assert "Không đến: <b>1</b>" in html and "Chưa đến: <b>1</b>" in html  # the earlier one was swept
    assert html.count("data-check-in=") == 1
    reads = session.scalars(select(AuditEntry).where(AuditEntry.event == "personal_data_read")).all()
    assert [entry.details["what"] for entry in reads] == ["bookings"]
    assert login(app.test_client(), "officer3").get("/console/bookings?site=NA-HCC").status_code == 403


def test_an_officer_checks_a_booking_in_from_the_day_s_list(app, server, contexts):
    with app.app_context():
        today_booking(db.session)
    page = signed_in_page(contexts, server, "officer1")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{server.url}/console/bookings?site=NA-HCC")
    check_accessibility(page)
    page.get_by_role("button", name="Xác nhận đã đến").click()
    page.wait_for_selector("#notice:not([hidden])")
    assert page.inner_text("#notice") == "Đã tiếp nhận lịch hẹn: số 3001."
    assert page.inner_text("[data-booking] [data-cell='ticket']") == "3001"
    assert page.inner_text("[data-count='checked_in'] b") == "1"
    screenshot(page, "console-bookings-office")
    assert_fits(page)


# --- Reports ----------------------------------------------------------------------------------


@BOTH_DATABASES
def test_reports_count_bookings_per_day_and_service_and_compare_the_waits(app, session):
    on_time, late = book(session), book(session, SLOT + minutes(15), phone="+84912000444")
    book(session, SLOT + minutes(30), phone="+84912000555")  # never comes
    book(session, SLOT + minutes(45), phone="+84912000666", status=BookingStatus.CANCELLED)
    walk = walk_in(session, T0 + minutes(30))
    booked = check_in(session, on_time, SLOT - minutes(10)).ticket
    check_in(session, late, SLOT + minutes(40))
    session.commit()
    assert call(session, SLOT + minutes(2)) is booked  # waited 2 minutes from its slot
    assert call(session, SLOT + minutes(30)) is walk  # waited 60 minutes
    session.commit()
    supervisor = login(app.test_client(), "supervisor")
    period = {"site": "NA-HCC", "from": "2026-11-23", "to": "2026-11-23"}
    figures = supervisor.get("/api/v1/reports", query_string=period).get_json()["bookings"]
    counts = {"booked": 4, "checked_in": 1, "late": 1, "no_show": 1, "cancelled": 1}
    assert figures["totals"] == counts
    assert figures["by_day"] == [
        {
            "date": "2026-11-23",
            "service": "NM-DD",
            "service_name": "Đất đai",
            "service_name_en": "Land",
            **counts,
        }
    ]
    assert figures["booked_wait_avg_s"] == 120.0 and figures["walk_in_wait_avg_s"] == 3600.0


def test_the_sweep_command_marks_the_no_shows_for_cron(app, session):
    missed, coming = book(session), book(session, utcnow() + timedelta(hours=1), phone="+84912000777")
    session.commit()
    result = app.test_cli_runner().invoke(args=["booking-sweep"])
    assert result.exit_code == 0 and result.output == "NA-HCC: 1 no-shows.\n"
    session.expire_all()
    assert (missed.status, coming.status) == (BookingStatus.NO_SHOW, BookingStatus.BOOKED)


def test_a_booking_made_on_a_phone_and_scanned_at_the_kiosk_is_called_before_a_walk_in(
    app, server, kiosk_token, contexts
):
    """The issue's whole path: a citizen books on the phone page, the kiosk reads the QR code
    of the confirmation, and the officer's call-next takes that ticket before an earlier walk-in
    of the same service."""
    app.config["BOOKING_RATE_LIMIT"] = "1000 per minute"
    phone = contexts(viewport=PHONE)
    phone.goto(f"{server.url}/book/NA-HCC")
    phone.click('[data-service="NM-DD"]')
    phone.locator("[data-day]").first.click()
    phone.locator("[data-slot]:not([disabled])").first.click()
    phone.fill("#name", "Trần Thị Hẹn")
    phone.fill("#phone", "0987 654 321")
    phone.click("#step-form button[type=submit]")
    phone.wait_for_url("**/b/*")
    phone.wait_for_function("() => document.querySelector('.book-qr').complete")
    (link,) = read_codes(Image.open(io.BytesIO(phone.locator(".book-qr").screenshot())))
    token = link.rsplit("/b/", 1)[1]
    with app.app_context():  # the day comes: its slot began a minute ago
        booking = db.session.scalar(select(Booking).where(Booking.token == token))
        assert booking is not None and booking.status == BookingStatus.BOOKED
        booking.starts_at = utcnow().replace(microsecond=0) - minutes(1)
        booking.ends_at = booking.starts_at + minutes(15)
        booking.day = business_date(booking.site, booking.starts_at)
        db.session.commit()
    walk = issue_over_http(server.url, kiosk_token)  # a walk-in of the same service, earlier
    kiosk = open_kiosk(contexts, server, kiosk_token, "portrait")
    wedge_scan(kiosk, link)  # what the kiosk's scanner reads off the phone's screen
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    booked_number = kiosk.inner_text("#result-number")
    assert "đúng hẹn" in kiosk.inner_text("#result-booking")
    officer_session = staff_session(server.url, "officer1")
    called = [
        officer_session.post(f"{server.url}/api/v1/counters/3/call-next").json()["ticket"]["number"]
        for _ in range(2)
    ]
    assert called == [booked_number, walk["number"]]
