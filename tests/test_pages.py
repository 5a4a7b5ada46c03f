"""The four screens, driven in headless Chromium (Debian's) by Playwright, as people use them.

Screenshots go to test-artifacts/ (ignored by git). Every page is checked with axe-core for
labels on interactive elements and WCAG AA text contrast.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

from queue_server.database import db
from queue_server.demo import ROTATION
from queue_server.sites.models import Rotation, Site

from .browser import check_accessibility, screenshot, wedge_scan
from .conftest import issue_over_http, staff_session
from .helpers import VN


def open_kiosk(contexts, server, token, portrait=True):
    size = {"width": 1080, "height": 1920} if portrait else {"width": 1920, "height": 1080}
    kiosk = contexts(viewport=size)
    kiosk.goto(f"{server.url}/kiosk/NA-HCC#token={token}")
    kiosk.wait_for_selector("[data-service]")
    return kiosk


def test_a_citizen_takes_a_number_an_officer_calls_it_and_the_hall_and_phone_follow(
    server, kiosk_token, contexts
):
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
    assert phone.inner_text("#ahead") == "Sắp đến lượt bạn"

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


def test_the_kiosk_landscape_layout_and_priority_path(server, kiosk_token, contexts):
    kiosk = open_kiosk(contexts, server, kiosk_token, portrait=False)
    kiosk.click("#priority-open")
    kiosk.get_by_role("button", name="Người cao tuổi (từ 60 tuổi)").click()
    assert "Người cao tuổi" in kiosk.inner_text("#priority-banner")
    screenshot(kiosk, "kiosk-priority-landscape")
    check_accessibility(kiosk)
    kiosk.get_by_role("button", name=re.compile("^Đăng ký doanh nghiệp")).click()
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    assert kiosk.inner_text("#result-number") == "4001"
    kiosk.click("#result-done")
    assert kiosk.is_visible("#screen-services") and not kiosk.is_visible("#priority-banner")


def test_buttons_are_large_enough_to_touch(server, kiosk_token, contexts):
    kiosk = open_kiosk(contexts, server, kiosk_token)
    sizes = kiosk.eval_on_selector_all(
        "button, a", "els => els.filter(e => e.offsetParent).map(e => [e.offsetWidth, e.offsetHeight])"
    )
    assert sizes and all(width >= 64 and height >= 64 for width, height in sizes)


def test_the_kiosk_issues_nothing_while_the_server_is_down(server, kiosk_token, contexts):
    kiosk = open_kiosk(contexts, server, kiosk_token)
    server.stop()
    kiosk.get_by_role("button", name=re.compile("^Đất đai")).click()
    # The press is sent a few times (the same press id each time) before the kiosk gives up.
    kiosk.wait_for_function("() => !document.body.dataset.sending", timeout=20_000)
    kiosk.wait_for_selector("#banner:not([hidden])")
    assert "Không kết nối được máy chủ" in kiosk.inner_text("#banner")
    assert kiosk.is_hidden("#screen-result")
    server.start()
    kiosk.evaluate("document.getElementById('banner').hidden = true")
    with db.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT COUNT(*) FROM tickets")).scalar() == 0


def test_a_press_made_while_the_server_restarts_gets_its_one_ticket_when_it_is_back(
    server, kiosk_token, contexts
):
    kiosk = open_kiosk(contexts, server, kiosk_token)
    server.stop()
    kiosk.get_by_role("button", name=re.compile("^Đất đai")).click()
    server.start()  # within the kiosk's few seconds of sending the press again
    kiosk.wait_for_selector("#screen-result:not([hidden])", timeout=20_000)
    with db.engine.connect() as conn:
        from sqlalchemy import text

        assert conn.execute(text("SELECT COUNT(*) FROM tickets")).scalar() == 1
    assert kiosk.inner_text("#result-number") == "3001"


def test_a_closed_centre_tells_the_citizen_when_to_come_back(app, server, contexts):
    from queue_server.auth.services import issue_device_token

    with app.app_context():
        ward = db.session.query(Site).filter_by(code="NA-TRUONGVINH").one()
        ward.opening_hours = []
        _, token = issue_device_token(db.session, "kiosk", "NA-TRUONGVINH")
        db.session.commit()
    kiosk = contexts(viewport={"width": 1080, "height": 1920})
    kiosk.goto(f"{server.url}/kiosk/NA-TRUONGVINH#token={token}")
    kiosk.get_by_role("button", name=re.compile("^Hộ tịch")).click()
    kiosk.wait_for_selector("#screen-refused:not([hidden])")
    assert "ngoài giờ làm việc" in kiosk.inner_text("#refused-text")
    screenshot(kiosk, "kiosk-closed")


def test_the_hall_reconnects_after_a_restart_with_a_single_connection(server, kiosk_token, contexts):
    hall = contexts(viewport={"width": 1920, "height": 1080})
    hall.add_init_script(
        """(() => {
            const Native = window.WebSocket;
            window.openSockets = 0;
            window.WebSocket = function (...args) {
                const socket = new Native(...args);
                window.openSockets += 1;
                socket.addEventListener('close', () => { window.openSockets -= 1; });
                return socket;
            };
            window.WebSocket.prototype = Native.prototype;
            Object.assign(window.WebSocket, Native);
        })();"""
    )
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


def test_the_kiosk_speaks_english_when_asked_and_remembers_it(server, kiosk_token, contexts):
    kiosk = contexts(viewport={"width": 1920, "height": 1080})
    kiosk.goto(f"{server.url}/kiosk/NA-HCC?lang=en#token={kiosk_token}")
    kiosk.wait_for_selector("[data-service]")
    assert kiosk.inner_text("h1") == "Take a number"
    assert kiosk.get_by_role("button", name=re.compile("^Business registration")).is_visible()
    kiosk.goto(f"{server.url}/kiosk/NA-HCC")
    assert kiosk.inner_text("h1") == "Take a number"
    assert kiosk.get_attribute("html", "lang") == "en"


def open_console(contexts, server, username, counter_number):
    page = contexts(viewport={"width": 1440, "height": 900})
    page.goto(f"{server.url}/console")
    page.fill("#username", username)
    page.fill("#password", "officer-demo")
    page.click("#login-form button[type=submit]")
    page.get_by_role("listitem").filter(has_text=f"Quầy {counter_number} ").first.click()
    page.wait_for_selector("#step-console:not([hidden])")
    return page


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


def test_the_kiosk_goes_back_to_the_start_by_itself(server, kiosk_token, contexts):
    kiosk = contexts(viewport={"width": 1080, "height": 1920})
    kiosk.clock.install()
    kiosk.goto(f"{server.url}/kiosk/NA-HCC#token={kiosk_token}")
    kiosk.wait_for_selector("[data-service]")
    kiosk.get_by_role("button", name=re.compile("^Đất đai")).click()
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    kiosk.clock.run_for(21_000)
    kiosk.wait_for_selector("#screen-services:not([hidden])")
    assert kiosk.is_hidden("#screen-result")


def test_the_kiosk_prints_through_its_agent_and_tells_the_citizen_what_happened(
    server, kiosk_token, contexts, tmp_path
):
    import threading

    from hardware.printers import open_printer
    from kiosk.agent import Agent

    agent = Agent(server.url, kiosk_token, open_printer(f"sim://{tmp_path}"))
    stop = threading.Event()

    def run():
        while not stop.is_set():
            agent.run_once()
            stop.wait(0.2)

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    try:
        kiosk = open_kiosk(contexts, server, kiosk_token)
        kiosk.get_by_role("button", name=re.compile("^Đất đai")).click()
        kiosk.wait_for_function("() => document.getElementById('result-print').dataset.state === 'printed'")
        assert "Đã in phiếu" in kiosk.inner_text("#result-print")
        assert len(list(tmp_path.glob("job-*.png"))) == 1
        (tmp_path / "state").write_text("paper_out")
        kiosk.click("#result-done")
        kiosk.get_by_role("button", name=re.compile("^Đất đai")).click()
        kiosk.wait_for_function("() => document.getElementById('result-print').dataset.state === 'failed'")
        said = kiosk.inner_text("#result-print")
        assert "Máy in đang hết giấy" in said and "sẽ được in khi máy in sẵn sàng" in said
        assert "paper" not in said  # the agent's own words stay out of the citizen's screen
        assert kiosk.inner_text("#result-number") == "3002"  # the ticket exists all the same
        screenshot(kiosk, "kiosk-printer-problem")
        (tmp_path / "state").write_text("ok")  # the new roll is in: the waiting ticket prints
        deadline = time.monotonic() + 15
        while len(list(tmp_path.glob("job-*.png"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert len(list(tmp_path.glob("job-*.png"))) == 2
    finally:
        stop.set()
        thread.join(5)


def test_a_ticket_scanned_at_the_kiosk_shows_where_it_stands(server, kiosk_token, contexts):
    issue_over_http(server.url, kiosk_token)
    mine = issue_over_http(server.url, kiosk_token)
    kiosk = open_kiosk(contexts, server, kiosk_token)
    wedge_scan(kiosk, mine["track_url"])
    kiosk.wait_for_selector("#screen-refused:not([hidden])")
    assert kiosk.inner_text("#refused-text") == "Phiếu số 3002: đang chờ, còn 1 người trước bạn."
    kiosk.click("#refused-done")
    wedge_scan(kiosk, "not-a-code-at-all")
    kiosk.wait_for_function(
        "() => document.getElementById('refused-text').textContent.includes('Không đọc được')"
    )


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


def test_a_receipt_scanned_at_the_kiosk_shows_the_dossier_and_offers_a_result_ticket(
    server, kiosk_token, contexts
):
    officer = staff_session(server.url, "officer1")
    created = officer.post(
        f"{server.url}/api/v1/dossiers",
        json={
            "site": "NA-HCC",
            "procedure": "1.001756",
            "applicant": {"name": "Đặng Thị Thu", "phone": "0987654321"},
        },
    ).json()
    code, link = created["code"], created["tracking_url"]
    kiosk = open_kiosk(contexts, server, kiosk_token)
    wedge_scan(kiosk, code)  # the receipt's barcode
    kiosk.wait_for_selector("#screen-dossier:not([hidden])")
    assert kiosk.inner_text("#dossier-status") == "Đã tiếp nhận"
    assert "Hẹn trả kết quả" in kiosk.inner_text("#dossier-dates")
    assert kiosk.is_hidden("#dossier-take")
    kiosk.click("#dossier-done")
    for action in ("transfer", "start_processing", "result_ready"):
        officer.post(f"{server.url}/api/v1/dossiers/{code}/actions/{action}", json={})
    wedge_scan(kiosk, link)  # the receipt's QR code
    kiosk.wait_for_selector("#dossier-take:not([hidden])")
    assert kiosk.inner_text("#dossier-status") == "Đã có kết quả"
    body = kiosk.inner_text("body")
    assert "Đặng Thị Thu" not in body and "0987654321" not in body
    screenshot(kiosk, "kiosk-dossier-ready")
    kiosk.click("#dossier-take")
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    assert kiosk.inner_text("#result-number") == "K001"


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
