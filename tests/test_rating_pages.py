"""The rating tablet beside a counter and the rating on the phone's tracking page, driven in
headless Chromium as citizens use them.

Uses the browser and the live server of ``tests/conftest.py`` and the checks of
:mod:`tests.browser` (screenshots in test-artifacts/, axe-core for labels and contrast).
"""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from queue_server import vietqr
from queue_server.auth.models import User
from queue_server.database import db
from queue_server.queueing.models import Ticket
from queue_server.ratings.models import Rating

from .browser import assert_fits, check_accessibility, screenshot
from .helpers import (
    APPLICANT,
    issue_over_http,
    read_codes,
    site,
    staff_session,
    tablet_token,
    take_in_over_http,
)
from .test_vietqr import ACCOUNT, AGRIBANK, check

# The page tests' fixtures: a live server, and new pages in the shared headless Chromium.

TABLET = {"width": 1280, "height": 800}


def open_tablet(contexts, server, token, query=""):
    page = contexts(viewport=TABLET, has_touch=True)
    page.goto(f"{server.url}/rate/NA-HCC/3{query}#token={token}")
    page.wait_for_selector("body[data-live=on]")
    return page


def serve_and_finish(server, kiosk_token) -> dict:
    """A land ticket called and finished at counter 3 by officer1."""
    ticket = issue_over_http(server.url, kiosk_token)
    officer = staff_session(server.url, "officer1")
    assert officer.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10).status_code == 200
    response = officer.post(f"{server.url}/api/v1/tickets/{ticket['id']}/finish", timeout=10)
    assert response.json()["status"] == "done"
    return ticket


def ratings(app) -> list[Rating]:
    with app.app_context():
        return db.session.scalars(select(Rating)).all()


def test_the_tablet_asks_as_soon_as_its_counter_finishes_and_stores_the_citizens_answer(
    app, server, kiosk_token, contexts
):
    tablet = open_tablet(contexts, server, tablet_token(app))
    assert "#token" not in tablet.url  # the token leaves the address bar at once
    assert "Trung tâm Phục vụ hành chính công tỉnh Nghệ An" in tablet.inner_text("#screen-idle")
    screenshot(tablet, "rating-tablet-idle")

    ticket = serve_and_finish(server, kiosk_token)
    tablet.wait_for_selector("#screen-ask:not([hidden])", timeout=10_000)  # pushed, not polled
    assert tablet.inner_text("#ask-number") == "Phiếu số 3001"
    assert "Ông/Bà đánh giá thế nào về việc giải quyết thủ tục?" in tablet.inner_text("#screen-ask")
    for name in ("Rất hài lòng", "Hài lòng", "Không hài lòng"):
        box = tablet.get_by_role("button", name=name, exact=True).bounding_box()
        assert box["height"] >= 64 and box["width"] >= 64
    check_accessibility(tablet)
    screenshot(tablet, "rating-tablet-question")

    tablet.get_by_role("button", name="Hài lòng", exact=True).tap()
    reason = tablet.get_by_label("Giải quyết nhanh chóng")
    assert tablet.locator(".rate-chip", has=reason).bounding_box()["height"] >= 64
    reason.tap()
    send = tablet.get_by_role("button", name="Gửi đánh giá")
    assert send.bounding_box()["height"] >= 64
    screenshot(tablet, "rating-tablet-reasons")
    send.tap()
    tablet.wait_for_selector("#screen-thanks:not([hidden])")
    screenshot(tablet, "rating-tablet-thanks")

    (rating,) = ratings(app)
    with app.app_context():
        served = db.session.get(Ticket, ticket["id"])
        officer1 = db.session.scalar(select(User).where(User.username == "officer1"))
        assert (rating.officer_id, rating.counter_id, rating.service_id) == (
            officer1.id,
            served.counter_id,
            served.service_id,
        )
    assert (rating.level, rating.reasons, rating.channel) == ("satisfied", ["quick"], "tablet")


def test_when_nobody_answers_the_tablet_goes_back_to_waiting_and_stores_nothing(
    app, server, kiosk_token, contexts
):
    tablet = open_tablet(contexts, server, tablet_token(app), "?timeout=2&lang=en")
    serve_and_finish(server, kiosk_token)
    tablet.wait_for_selector("#screen-ask:not([hidden])", timeout=1000)
    assert tablet.get_by_role("button", name="Not satisfied").is_visible()
    screenshot(tablet, "rating-tablet-question-en")
    tablet.wait_for_selector("#screen-idle:not([hidden])", timeout=4000)
    assert tablet.locator("#screen-ask").is_hidden()
    assert ratings(app) == []


def test_the_citizen_rates_on_the_phone_once_the_ticket_is_done(app, server, kiosk_token, contexts):
    ticket = issue_over_http(server.url, kiosk_token)
    phone = contexts(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone.goto(ticket["track_url"])
    assert phone.locator("#rating").is_hidden()

    officer = staff_session(server.url, "officer1")
    officer.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10)
    officer.post(f"{server.url}/api/v1/tickets/{ticket['id']}/finish", timeout=10)
    phone.wait_for_selector("#rate-form:visible", timeout=3000)
    check_accessibility(phone)
    phone.get_by_role("button", name="Không hài lòng").tap()
    phone.get_by_label("Thời gian chờ lâu").tap()
    phone.get_by_label("Thủ tục, giấy tờ phức tạp").tap()
    screenshot(phone, "rating-phone-reasons")
    phone.get_by_role("button", name="Gửi đánh giá").tap()
    phone.wait_for_selector("#rating-thanks:visible")
    assert phone.locator("#rate-form").is_hidden()
    screenshot(phone, "rating-phone-thanks")

    (rating,) = ratings(app)
    assert (rating.level, rating.reasons, rating.channel) == (
        "not_satisfied",
        ["long_wait", "complex_procedure"],
        "phone",
    )
    phone.reload()  # rated once: the page now only thanks
    phone.wait_for_selector("#rating-thanks:visible")
    assert phone.locator("#rate-form").is_hidden()
    page = phone.content()
    assert "Trần Văn Hùng" not in page and "officer1" not in page


def test_a_fee_due_for_a_dossier_taken_in_at_the_counter_shows_on_its_tablet_until_confirmed(
    app, server, kiosk_token, contexts
):
    """The counter takes in a dossier for the ticket it serves with the fee unpaid: its rating
    tablet shows the transfer's VietQR code, which a banking app reads, and clears it once the
    officer confirms the payment; another counter's tablet shows nothing."""
    with app.app_context():
        centre = site(db.session)
        centre.payment_bank_bin, centre.payment_account_number = AGRIBANK, ACCOUNT
        centre.payment_account_name, centre.payment_bank_name = "TRUNG TAM PHUC VU HCC", "Agribank Nghệ An"
        db.session.commit()
    tablet = open_tablet(contexts, server, tablet_token(app))
    elsewhere = contexts(viewport=TABLET, has_touch=True)
    elsewhere.goto(f"{server.url}/rate/NA-HCC/4#token={tablet_token(app, 4)}")
    elsewhere.wait_for_selector("body[data-live=on]")

    ticket = issue_over_http(server.url, kiosk_token)
    officer = staff_session(server.url, "officer1")
    assert officer.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10).status_code == 200
    code = take_in_over_http(server.url, officer, fee=200000, fee_payment="unpaid", ticket_id=ticket["id"])
    tablet.wait_for_selector("#screen-pay:not([hidden])", timeout=10_000)
    facts = tablet.inner_text("#screen-pay")
    assert "Mời ông/bà nộp phí, lệ phí" in facts and "200.000 đồng" in facts and code in facts
    assert tablet.inner_text("#pay-memo") == vietqr.memo(code)
    assert APPLICANT["name"] not in facts
    assert_fits(tablet)
    check_accessibility(tablet)
    screenshot(tablet, "rating-tablet-pay")
    image = Image.open(io.BytesIO(tablet.locator("#pay-qr svg").screenshot()))
    (payload,) = [c for c in read_codes(image) if c.startswith("000201")]
    check(payload, 200000, vietqr.memo(code))  # every field a banking app reads, and the CRC
    assert elsewhere.locator("#screen-pay").is_hidden()

    confirmed = officer.post(f"{server.url}/api/v1/dossiers/{code}/fee/confirm", json={"method": "bank"})
    assert confirmed.status_code == 200, confirmed.text
    tablet.wait_for_selector("#screen-paid:not([hidden])", timeout=10_000)
    assert "Đã ghi nhận phí, lệ phí" in tablet.inner_text("#screen-paid")
