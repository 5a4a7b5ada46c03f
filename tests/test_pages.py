"""The four screens, driven in headless Chromium (Debian's) by Playwright, as people use them.

Screenshots go to test-artifacts/ (ignored by git). Every page is checked with axe-core for
labels on interactive elements and WCAG AA text contrast.
"""

from __future__ import annotations

import re
from datetime import datetime

from queue_server.database import db
from queue_server.demo import ROTATION
from queue_server.sites.models import Rotation

from .browser import COUNT_PAGE_WEBSOCKETS, check_accessibility, open_console, open_kiosk, screenshot
from .helpers import VN, issue_over_http, staff, staff_session


def test_a_citizen_takes_a_number_an_officer_calls_it_and_the_hall_and_phone_follow(
    app, server, kiosk_token, contexts
):
    with app.app_context():
        staff(db.session, [1, 2, 3])  # officers at the land counters: the kiosk names them
    hall = contexts(viewport={"width": 1920, "height": 1080})
    hall.goto(f"{server.url}/display/NA-HCC")
    hall.wait_for_selector(".display-counter")

    kiosk = open_kiosk(contexts, server, kiosk_token)
    assert "#token" not in kiosk.url  # the token leaves the address bar at once
    screenshot(kiosk, "kiosk-services-portrait")
    kiosk.get_by_role("button", name=re.compile("^Đất đai")).click()
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    assert kiosk.inner_text("#result-number") == "3001"
    assert "Quầy phục vụ: 1, 2, 3" in kiosk.inner_text("#result-counters")
    kiosk.wait_for_function("() => document.getElementById('result-qr').naturalWidth > 0")
    screenshot(kiosk, "kiosk-ticket")
    track_path = kiosk.evaluate("document.getElementById('result-qr').src").rsplit("/qr.svg", 1)[0]

    phone = contexts(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(track_path)
    assert phone.inner_text("#number") == "3001"
    assert phone.inner_text("#ahead") == "Ông/Bà là người tiếp theo"

    officer = contexts(viewport={"width": 1440, "height": 900})
    officer.goto(f"{server.url}/console")
    officer.fill("#username", "officer1")
    officer.fill("#password", "officer-demo")
    officer.click("#login-form button[type=submit]")
    officer.get_by_role("listitem").filter(has_text="Quầy 3").click()
    officer.wait_for_selector("#step-console:not([hidden])")
    officer.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    officer.keyboard.press("g")
    officer.wait_for_function("() => document.getElementById('current-number').textContent === '3001'")
    officer.wait_for_function("() => document.getElementById('waiting-count').textContent === '0'")

    hall.wait_for_function(
        "() => document.querySelector('[data-counter=\"3\"] .display-counter-number').textContent === '3001'",
        timeout=10_000,
    )
    assert "3001" in hall.inner_text("#latest")
    hall.wait_for_function("() => window.HALL.announcer.spoken.length + window.HALL.announcer.pending() >= 1")
    phone.wait_for_function(
        "() => document.getElementById('status').textContent.includes('quầy số 3')", timeout=3000
    )
    assert phone.get_attribute("#status", "data-status") == "called"

    screenshot(officer, "console-serving")
    screenshot(hall, "display-hall")
    screenshot(phone, "tracking-called")
    for page in (kiosk, hall, officer, phone):
        check_accessibility(page)


def test_the_hall_reconnects_after_a_restart_with_a_single_connection(server, kiosk_token, contexts):
    hall = contexts(viewport={"width": 1920, "height": 1080})
    hall.add_init_script(COUNT_PAGE_WEBSOCKETS)
    hall.goto(f"{server.url}/display/NA-HCC")
    hall.wait_for_selector(".display-counter")
    server.stop()
    hall.wait_for_selector("#offline:not([hidden])", timeout=10000)
    server.start()
    hall.wait_for_selector("#offline", state="hidden", timeout=15000)
    issue_over_http(server.url, kiosk_token)
    hall.wait_for_function(
        "() => [...document.querySelectorAll('#waiting li')]"
        ".some(li => li.textContent.includes('Đất đai') && li.textContent.includes('1'))",
        timeout=5000,
    )
    assert hall.evaluate("window.openSockets") == 1


def test_calls_are_announced_one_after_another_and_a_recall_again(server, kiosk_token, contexts):
    for _ in range(2):
        issue_over_http(server.url, kiosk_token)
    hall = contexts(viewport={"width": 1920, "height": 1080})
    hall.goto(f"{server.url}/display/NA-HCC")
    hall.wait_for_selector(".display-counter")
    officer = staff_session(server.url, "officer1")
    first = officer.post(f"{server.url}/api/v1/counters/1/call-next", timeout=10).json()["ticket"]
    officer.post(f"{server.url}/api/v1/counters/2/call-next", timeout=10).raise_for_status()
    officer.post(f"{server.url}/api/v1/tickets/{first['id']}/recall", timeout=10).raise_for_status()
    hall.wait_for_function("() => window.HALL.announcer.spoken.length === 3", timeout=20000)
    spoken = hall.evaluate("window.HALL.announcer.spoken")
    assert [(s["number"], s["counter"]) for s in spoken] == [("3001", 1), ("3002", 2), ("3001", 1)]
    assert all(s["audio"] == "played" for s in spoken), spoken


def test_the_console_puts_forward_the_counter_the_officer_is_rostered_at_today(server, contexts):
    """The demo swaps officer1 and officer2 between counters 8 and 9 every week."""
    week = Rotation(**ROTATION).week_of(datetime.now(VN).date())
    mine, theirs = (8, 9) if week == 1 else (9, 8)
    page = contexts(viewport={"width": 1366, "height": 768})
    page.goto(f"{server.url}/console")
    page.fill("#username", "officer1")
    page.fill("#password", "officer-demo")
    page.click("#login-form button[type=submit]")
    marked = page.locator(".console-counter-mine")
    marked.wait_for()
    assert marked.count() == 1 and marked.get_attribute("data-counter") == str(mine)
    assert marked.inner_text().splitlines() == [
        page.locator(f"[data-counter='{mine}'] .console-counter-name").inner_text(),
        "Đang mở",
        "Trực: Trần Văn Hùng",
        "Theo lịch trực hôm nay",
    ]
    assert page.evaluate("document.activeElement.dataset.counter") == str(mine)
    assert "Trực: Lê Thị Mai" in page.inner_text(f"[data-counter='{theirs}']")
    assert "Trực" not in page.inner_text("[data-counter='3']")
    screenshot(page, "console-choose-counter")
    check_accessibility(page)
    page.click("[data-counter='3']")  # any counter may still be chosen
    page.wait_for_selector("#step-console:not([hidden])")
    assert page.inner_text("#title") == "Quầy 3 · NA-HCC"


def test_two_officers_calling_together_never_get_the_same_ticket(server, kiosk_token, contexts):
    first, second = (issue_over_http(server.url, kiosk_token) for _ in range(2))
    one = open_console(contexts, server, "officer1", 1)
    two = open_console(contexts, server, "officer2", 2)
    for page in (one, two):
        page.wait_for_function("() => document.getElementById('waiting-count').textContent === '2'")
    one.keyboard.press("g")
    two.keyboard.press("g")
    for page in (one, two):
        page.wait_for_function("() => document.getElementById('current-number').textContent !== '—'")
        page.wait_for_function("() => document.getElementById('waiting-count').textContent === '0'")
    assert {one.inner_text("#current-number"), two.inner_text("#current-number")} == {
        first["number"],
        second["number"],
    }


def test_a_console_follows_the_queue_from_the_live_events_without_reading_it_again(
    server, kiosk_token, contexts
):
    """Fifty consoles re-reading the queue on every ticket issued or called would load a busy
    centre's server more than the calls themselves: the events carry the tickets."""
    page = open_console(contexts, server, "officer1", 3)
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '0'")
    reads = []
    page.on("request", lambda request: "/queue" in request.url and reads.append(request.url))
    first, second = (issue_over_http(server.url, kiosk_token) for _ in range(2))
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '2'")
    assert [li.split(" · ")[0] for li in page.locator("#waiting li").all_inner_texts()] == [
        first["number"],
        second["number"],
    ]
    staff_session(server.url, "officer2").post(
        f"{server.url}/api/v1/counters/1/call-next", timeout=10
    ).raise_for_status()  # another counter serving the same service calls the first
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    page.keyboard.press("g")
    page.wait_for_function(
        f"() => document.getElementById('current-number').textContent === '{second['number']}'"
    )
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '0'")
    assert reads == []


def test_the_counter_screen_shows_its_own_calls(server, kiosk_token, contexts):
    ticket = issue_over_http(server.url, kiosk_token)
    screen = contexts(viewport={"width": 800, "height": 480})
    screen.goto(f"{server.url}/display/NA-HCC/counter/3")
    screen.wait_for_function("() => document.getElementById('current').textContent === '—'")
    staff_session(server.url, "officer1").post(f"{server.url}/api/v1/counters/3/call-next", timeout=10)
    screen.wait_for_function(f"() => document.getElementById('current').textContent === '{ticket['number']}'")
    screenshot(screen, "display-counter")
    check_accessibility(screen)


def test_a_supervisor_sees_each_device_and_a_printer_running_out_of_paper_at_once(
    server, kiosk_token, contexts, tmp_path
):
    from hardware.printers import open_printer
    from kiosk.agent import Agent

    agent = Agent(server.url, kiosk_token, open_printer(f"sim://{tmp_path}"), heartbeat_seconds=0)
    agent.run_once()
    page = contexts(viewport={"width": 1280, "height": 800})
    page.goto(f"{server.url}/console")
    page.fill("#username", "supervisor")
    page.fill("#password", "giam-sat-demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/manage$"))  # a supervisor lands on the managers' home
    page.goto(f"{server.url}/admin/devices")
    page.wait_for_selector("#devices tr td[data-state='ok']")
    (tmp_path / "state").write_text("paper_out")
    agent.run_once()
    page.wait_for_selector("#devices tr td[data-state='paper_out']", timeout=3000)
    assert "hết giấy" in page.inner_text("#devices")
    screenshot(page, "admin-devices")
    check_accessibility(page)


def test_shared_screens_speak_vietnamese_whatever_the_browser_and_phones_follow_their_owner(
    server, kiosk_token, browser
):
    context = browser.new_context(locale="en-US")
    try:
        page = context.new_page()
        page.goto(f"{server.url}/kiosk/NA-HCC#token={kiosk_token}")
        assert page.inner_text("h1") == "Lấy số thứ tự"
        issue_over_http(server.url, kiosk_token)
        ticket = issue_over_http(server.url, kiosk_token)
        page.goto(ticket["track_url"])
        assert page.text_content(".track-label") == "Your number"
        page.wait_for_function(
            "() => document.getElementById('ahead').textContent === '1 person ahead of you'"
        )
    finally:
        context.close()


def test_the_dossier_tracking_page_shows_dates_and_steps_without_personal_data(server, contexts):
    officer = staff_session(server.url, "officer1")
    created = officer.post(
        f"{server.url}/api/v1/dossiers",
        json={
            "site": "NA-HCC",
            "procedure": "1.001756",
            "applicant": {"name": "Đặng Thị Thu", "id_number": "040190099999", "address": "Xóm 5, Nghi Lộc"},
        },
    ).json()
    officer.post(
        f"{server.url}/api/v1/dossiers/{created['code']}/actions/request_supplement",
        json={"items": ["Bản sao giấy khai sinh"], "reason": "Thiếu giấy khai sinh"},
    )
    phone = contexts(viewport={"width": 390, "height": 844})
    phone.goto(created["tracking_url"])
    text = phone.inner_text("main")
    assert created["code"] in text and "Cần bổ sung hồ sơ" in text and "Bản sao giấy khai sinh" in text
    assert "Tạm dừng" in text
    for personal in ("Đặng Thị Thu", "040190099999", "Nghi Lộc"):
        assert personal not in phone.content()
    screenshot(phone, "tracking-dossier")
    check_accessibility(phone)
    missing = phone.goto(f"{server.url}/d/{'x' * 22}")
    assert missing.status == 404
