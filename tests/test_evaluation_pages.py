"""The dossier's evaluation on the citizen's phone (/d/<key> at 390x844), in headless Chromium
against a live server; the QR code the counter shows at the return; the report page's section."""

from __future__ import annotations

import io

import requests
from PIL import Image
from sqlalchemy import select

from queue_server.database import db
from queue_server.dossiers.models import Dossier
from queue_server.evaluations.models import Evaluation

from .browser import assert_fits, check_accessibility, screenshot
from .helpers import PERSONAL, read_codes, staff_session, tablet_token, take_in_over_http

PHONE = {"width": 390, "height": 844}
TABLET = {"width": 1280, "height": 800}


def returned(server) -> tuple[str, str]:
    """A dossier taken in, decided and handed back at the counter today; its code and page."""
    officer = staff_session(server.url, "officer1")
    code = take_in_over_http(server.url, officer)
    for action, body in [
        ("transfer", {}),
        ("result_ready", {}),
        ("return", {"recipient_name": "Nguyễn Thị Hoa"}),
    ]:
        response = officer.post(
            f"{server.url}/api/v1/dossiers/{code}/actions/{action}", json=body, timeout=10
        )
        assert response.status_code == 200, response.text
    page = officer.get(f"{server.url}/api/v1/dossiers/{code}", timeout=10).json()["tracking_url"]
    return code, page


def signed_in(page, url: str, username: str, password: str) -> None:
    """Open a staff page, which asks to log in first and comes back."""
    page.goto(url)
    page.fill("#username", username)
    page.fill("#password", password)
    page.click("#login-form button[type=submit]")


def test_the_citizen_evaluates_the_returned_dossier_on_the_phone(app, server, contexts):
    code, url = returned(server)
    phone = contexts(viewport=PHONE, is_mobile=True, has_touch=True)
    phone.goto(url)
    phone.wait_for_selector("#evaluation-form:visible")
    assert phone.get_by_role("heading", name="Đánh giá việc giải quyết hồ sơ").is_visible()
    computed = phone.locator(".evaluation-computed")
    assert "Hệ thống tự tính" in phone.locator(".evaluation-computed-title").inner_text()
    assert "1 lần đến nộp, bổ sung hồ sơ" in computed.inner_text()
    assert "Trước hạn" in computed.inner_text() and "Nộp hồ sơ: Tại quầy" in computed.inner_text()
    check_accessibility(phone)

    phone.get_by_label("Đầy đủ, dễ tìm").check()
    phone.get_by_role("button", name="Gửi đánh giá").tap()  # one question left unanswered
    assert phone.locator(".evaluation-error").inner_text() == "Vui lòng chọn câu trả lời cho mọi tiêu chí."
    phone.get_by_label("Lịch sự, tận tình").check()
    phone.get_by_label("Không có phản ánh, kiến nghị").check()
    screenshot(phone, "evaluation-phone-form")
    phone.get_by_role("button", name="Gửi đánh giá").tap()
    phone.wait_for_selector("#evaluation-thanks:visible")
    assert phone.locator("#evaluation-form").is_hidden()
    assert phone.locator("#evaluation-points").inner_text() == "17/18"
    assert phone.locator("#evaluation-verdict").inner_text() == "Tốt"
    screenshot(phone, "evaluation-phone-thanks")

    with app.app_context():
        dossier = db.session.scalar(select(Dossier).where(Dossier.code == code))
        (evaluation,) = db.session.scalars(select(Evaluation)).all()
        assert evaluation.dossier_id == dossier.id and evaluation.channel == "online"
        assert evaluation.answers == {"publicity": "full", "attitude": "courteous", "feedback": "none_given"}

    phone.reload()  # evaluated once: the page now only thanks
    phone.wait_for_selector("#evaluation-thanks:visible")
    assert phone.locator("#evaluation-form").count() == 0
    page = phone.content()
    assert not any(value in page for value in PERSONAL)
    assert "Trần Văn Hùng" not in page and "officer1" not in page


def test_the_report_page_shows_the_evaluations_section(app, server, contexts):
    _, url = returned(server)
    citizen = staff_session(server.url, "officer1")  # any client: the key is the credential
    answers = {"publicity": "partial", "attitude": "neutral", "feedback": "partly"}
    key = url.rsplit("/", 1)[1]
    response = citizen.post(
        f"{server.url}/api/v1/track/d/{key}/evaluation", json={"answers": answers}, timeout=10
    )
    assert response.status_code == 201, response.text
    page = contexts(viewport={"width": 1366, "height": 768})
    signed_in(page, f"{server.url}/reports?preset=today", "supervisor", "giam-sat-demo")
    page.wait_for_url("**/reports?**")
    page.wait_for_selector("#main[aria-busy='false']")
    section = page.locator("section[aria-labelledby=h-evaluations]")
    section.locator("#evaluations-by-field tr[data-group]").first.wait_for()
    row = section.locator("#evaluations-by-field tr[data-group]").first
    assert row.locator("td").nth(1).inner_text() == "1"
    assert row.locator("td").nth(2).inner_text() == "14,0/18"
    assert "Đạt" in section.locator("#evaluation-facts").inner_text()
    section.scroll_into_view_if_needed()
    screenshot(page, "evaluation-report")


def test_the_counter_shows_the_qr_code_to_evaluate_then_the_citizens_answer(app, server, contexts):
    code, url = returned(server)
    page = contexts(viewport={"width": 1366, "height": 768})
    signed_in(page, f"{server.url}/console/dossiers/{code}", "officer1", "officer-demo")
    page.wait_for_selector("#evaluation-ask:not([hidden])")
    page.wait_for_function("() => document.getElementById('evaluation-qr').naturalWidth > 0")
    assert read_codes(Image.open(io.BytesIO(page.locator("#evaluation-qr").screenshot()))) == {url}
    screenshot(page, "evaluation-console-qr")

    key = url.rsplit("/", 1)[1]
    answers = {"publicity": "full", "attitude": "neutral", "feedback": "answered"}
    response = requests.post(
        f"{server.url}/api/v1/track/d/{key}/evaluation", json={"answers": answers}, timeout=10
    )
    assert response.status_code == 201, response.text
    page.reload()
    page.wait_for_selector("#evaluation-card:not([hidden])")
    page.wait_for_function("() => document.getElementById('evaluation-result').textContent !== ''")
    assert page.inner_text("#evaluation-result") == "Công dân đã đánh giá: 16/18 điểm, Tốt."
    assert page.locator("#evaluation-ask").is_hidden()


def test_the_counter_asks_on_its_rating_tablet_which_shows_the_dossiers_page_as_a_qr_code(
    app, server, contexts
):
    """At the return the officer sends the evaluation to the citizen-facing tablet of a counter:
    only that counter's tablet shows the code of the dossier's page; a counter the centre does
    not have is refused in Vietnamese."""
    code, url = returned(server)
    tablet = contexts(viewport=TABLET, has_touch=True)
    tablet.goto(f"{server.url}/rate/NA-HCC/3#token={tablet_token(app)}")
    tablet.wait_for_selector("body[data-live=on]")
    elsewhere = contexts(viewport=TABLET, has_touch=True)
    elsewhere.goto(f"{server.url}/rate/NA-HCC/4#token={tablet_token(app, 4)}")
    elsewhere.wait_for_selector("body[data-live=on]")

    page = contexts(viewport={"width": 1366, "height": 768})
    signed_in(page, f"{server.url}/console/dossiers/{code}", "officer1", "officer-demo")
    page.wait_for_selector("#evaluation-ask:not([hidden])")
    page.fill("#evaluation-counter", "99")
    page.click("#evaluation-tablet button[type=submit]")
    page.get_by_text("Trung tâm không có quầy số này.").wait_for()
    page.fill("#evaluation-counter", "3")
    page.click("#evaluation-tablet button[type=submit]")
    page.get_by_text("Máy đánh giá của quầy 3 đang hiện mã để công dân đánh giá.").wait_for()

    tablet.wait_for_selector("#screen-evaluate:not([hidden])", timeout=10_000)
    assert tablet.inner_text("#evaluate-code") == f"Hồ sơ {code}"
    assert read_codes(Image.open(io.BytesIO(tablet.locator("#evaluate-qr svg").screenshot()))) == {url}
    assert not any(word in tablet.inner_text("body") for word in PERSONAL)
    assert_fits(tablet)
    check_accessibility(tablet)
    screenshot(tablet, "rating-tablet-evaluate")
    assert elsewhere.locator("#screen-evaluate").is_hidden()
