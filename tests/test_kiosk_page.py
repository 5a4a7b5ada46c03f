"""The kiosk's screens, driven in headless Chromium as citizens use them, at both kiosk sizes.

The home screen never scrolls: every service is on it, or on one of its pages ("Trang sau");
the wait it shows counts only counters an officer works at; while the centre is closed it says
when it opens before anyone taps. Screenshots go to test-artifacts/.
"""

from __future__ import annotations

import re
import time
from datetime import datetime, timedelta
from datetime import time as clock

import pytest
import requests
from sqlalchemy import select, text

from queue_server.database import db
from queue_server.sites.models import (
    Counter,
    CounterSchedule,
    CounterState,
    Department,
    OpeningHours,
    Service,
    Site,
)

from .browser import KIOSK_SIZES, assert_fits, check_accessibility, open_kiosk, screenshot, wedge_scan
from .helpers import VN, counter, device_token, issue_over_http, staff, staff_session

WEEKDAYS = ["thứ Hai", "thứ Ba", "thứ Tư", "thứ Năm", "thứ Sáu", "thứ Bảy", "Chủ nhật"]


def tiles_on_every_page(kiosk) -> list[list[dict]]:
    """The service tiles of each page of the home screen, going through them with "Trang sau"."""
    pages = []
    while True:
        pages.append(
            kiosk.eval_on_selector_all(
                "#services [data-service]",
                """els => els.map(e => {
                    const box = e.getBoundingClientRect();
                    return {code: e.dataset.service, text: e.innerText, top: box.top, bottom: box.bottom,
                            left: box.left, right: box.right, height: box.height,
                            field: e.closest('section').querySelector('h3').textContent,
                            font: parseFloat(
                                getComputedStyle(e.querySelector('.kiosk-button-name')).fontSize)};
                })""",
            )
        )
        if kiosk.is_hidden("#pager") or kiosk.is_disabled("#page-next"):
            return pages
        kiosk.click("#page-next")


def in_viewport(kiosk, selector: str) -> bool:
    return kiosk.eval_on_selector(
        selector,
        """e => { const b = e.getBoundingClientRect();
                  return b.width > 0 && b.top >= 0 && b.left >= 0
                      && b.bottom <= innerHeight && b.right <= innerWidth; }""",
    )


@pytest.mark.parametrize("size", KIOSK_SIZES)
def test_every_demo_service_is_on_the_home_screen_in_large_tiles_under_their_fields(
    app, server, kiosk_token, contexts, size
):
    with app.app_context():
        services = db.session.scalars(
            select(Service).join(Site).where(Site.code == "NA-HCC", Service.active.is_(True))
        ).all()
        demo = {service.code: service.field for service in services}
    kiosk = open_kiosk(contexts, server, kiosk_token, size)
    kiosk.wait_for_function("() => document.querySelectorAll('nav.kiosk-lookups button').length === 2")
    pages = tiles_on_every_page(kiosk)
    tiles = [tile for page in pages for tile in page]
    assert len(demo) == 16
    assert sorted(tile["code"] for tile in tiles) == sorted(demo)
    assert len(pages) == 1, "the demo's 16 services fit on one page"
    assert kiosk.is_hidden("#pager")
    for tile in tiles:
        assert tile["height"] >= 90 and tile["font"] >= 26, tile
        assert tile["field"] == demo[tile["code"]]
        assert tile["bottom"] <= KIOSK_SIZES[size]["height"] and tile["right"] <= KIOSK_SIZES[size]["width"]
    # The whole width: tiles in four columns in landscape, two in portrait.
    assert len({round(tile["left"]) for tile in tiles}) == (4 if size == "landscape" else 2)
    for reachable in ("#priority-open", "nav.kiosk-lang a[lang=en]", "nav.kiosk-lookups button"):
        assert in_viewport(kiosk, reachable), reachable
    lookups = kiosk.eval_on_selector_all(
        "nav.kiosk-lookups button", "els => els.map(e => e.getBoundingClientRect().height)"
    )
    assert all(height >= 90 for height in lookups)
    assert kiosk.inner_text("#prompt") == "Chọn dịch vụ"
    # Each demo service has its icon (sites/icons.py), drawn from a file the server has.
    icons = kiosk.eval_on_selector_all(
        "#services [data-service] .kiosk-icon",
        """els => els.map(e => ({icon: e.dataset.icon, mask: getComputedStyle(e).maskImage,
                                 width: e.getBoundingClientRect().width}))""",
    )
    assert len(icons) == 16 and all(icon["width"] >= 40 for icon in icons)
    for icon in icons:
        drawing = f"{server.url}/kiosk/static/icons/{icon['icon']}.svg"
        assert icon["mask"] == f'url("{drawing}")'
        assert requests.get(drawing, timeout=10).status_code == 200
    assert_fits(kiosk)
    check_accessibility(kiosk)
    screenshot(kiosk, f"kiosk-{size}")


def make_site_with_services(app, count: int) -> str:
    """A centre with ``count`` services in fields of five, all served by one counter."""
    with app.app_context():
        site = Site(code="TEST-40", name="Trung tâm thử nghiệm bốn mươi dịch vụ", enforce_opening_hours=False)
        department = Department(site=site, code="D", name="Sở thử nghiệm")
        counter = Counter(site=site, number=1, name="Quầy 1")
        counter.schedules.append(CounterSchedule(weekdays="1234567", department=department))
        db.session.add_all([site, department, counter])
        for index in range(count):
            db.session.add(
                Service(
                    site=site,
                    department=department,
                    code=f"S{index:02d}",
                    name=f"Thủ tục thử nghiệm số {index + 1}",
                    field=f"Lĩnh vực {index // 5 + 1}",
                    sort_order=index,
                    prefix=f"{chr(65 + index // 26)}{chr(65 + index % 26)}",
                )
            )
        db.session.commit()
    return "TEST-40"


def test_more_services_than_fit_are_paged_with_large_buttons_never_scrolled(app, server, contexts):
    code = make_site_with_services(app, 40)
    kiosk = open_kiosk(contexts, server, device_token(app, "kiosk", code), "portrait", site=code)
    assert kiosk.is_visible("#pager")
    count = int(re.fullmatch(r"Trang 1/(\d+)", kiosk.inner_text("#page-of")).group(1))
    assert count >= 2
    assert kiosk.is_disabled("#page-prev") and kiosk.is_enabled("#page-next")
    for button in ("#page-prev", "#page-next"):
        box = kiosk.locator(button).bounding_box()
        assert box["height"] >= 90 and box["width"] >= 200
    assert_fits(kiosk)
    check_accessibility(kiosk)
    screenshot(kiosk, "kiosk-paging-portrait")
    pages = tiles_on_every_page(kiosk)
    assert len(pages) == count and all(pages)
    assert kiosk.inner_text("#page-of") == f"Trang {count}/{count}"
    assert kiosk.is_disabled("#page-next") and kiosk.is_enabled("#page-prev")
    codes = [tile["code"] for page in pages for tile in page]
    assert codes == [f"S{index:02d}" for index in range(40)]  # each once, in order
    assert all(tile["height"] >= 90 for page in pages for tile in page)
    assert_fits(kiosk)
    # A field continued on the next page keeps its heading there.
    headings = kiosk.eval_on_selector_all("#services h3", "els => els.map(e => e.textContent)")
    assert headings and headings[0] == pages[-1][0]["field"]
    kiosk.click("#page-prev")
    assert kiosk.inner_text("#page-of") == f"Trang {count - 1}/{count}"
    kiosk.click(f"[data-service='{pages[-2][-1]['code']}']")
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    kiosk.click("#result-done")  # back to the start: the first page
    kiosk.wait_for_function("() => document.getElementById('page-of').textContent.startsWith('Trang 1/')")


def test_a_kiosk_left_on_another_page_goes_back_to_the_first(app, server, contexts):
    code = make_site_with_services(app, 40)
    kiosk = contexts(viewport=KIOSK_SIZES["landscape"])
    kiosk.clock.install()
    kiosk.goto(f"{server.url}/kiosk/{code}#token={device_token(app, 'kiosk', code)}")
    kiosk.wait_for_selector("[data-service]")
    kiosk.click("#page-next")
    assert kiosk.inner_text("#page-of").startswith("Trang 2/")
    assert_fits(kiosk)
    kiosk.clock.run_for(46_000)  # nobody touched it for the idle time
    kiosk.wait_for_function("() => document.getElementById('page-of').textContent.startsWith('Trang 1/')")


def test_the_wait_is_honest_when_no_officer_is_at_the_counter(app, server, kiosk_token, contexts):
    """Counter 7 alone serves trade (CT-TM): open, but nobody works at it yet."""
    kiosk = open_kiosk(contexts, server, kiosk_token, "portrait")
    trade = kiosk.locator("[data-service='CT-TM']")
    assert "Không phải chờ" not in kiosk.inner_text("#services")
    assert "Chưa có cán bộ tiếp nhận" in trade.inner_text()
    trade.click()  # a number all the same: the centre is open, the officer expected
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    assert kiosk.inner_text("#result-number") == "5001"
    assert "Chưa có cán bộ tiếp nhận dịch vụ này" in kiosk.inner_text("#result-counters")
    assert kiosk.inner_text("#result-wait") == ""
    screenshot(kiosk, "kiosk-result-unstaffed-portrait")
    track = kiosk.evaluate("document.getElementById('result-qr').src").rsplit("/qr.svg", 1)[0]
    phone = contexts(viewport={"width": 390, "height": 844}, is_mobile=True)
    phone.goto(track)
    phone.wait_for_function("() => document.getElementById('wait').textContent !== ''")
    assert phone.inner_text("#wait") == "Chưa có cán bộ tiếp nhận"
    assert phone.inner_text("#ahead") == "Ông/Bà là người tiếp theo"

    with app.app_context():
        staff(db.session, [7])
    kiosk.click("#result-done")
    kiosk.wait_for_function(
        "() => document.querySelector(\"[data-service='CT-TM']\").innerText.includes('Chờ khoảng 7 phút')"
    )
    assert "Đang chờ: 1" in trade.inner_text()
    assert "Chưa có cán bộ tiếp nhận" in kiosk.inner_text("[data-service='NM-DD']")
    with app.app_context():
        counter(db.session, 7).state = CounterState.PAUSED
        db.session.commit()
    kiosk.evaluate("window.KIOSK.startOver()")
    kiosk.wait_for_function(
        "() => document.querySelector(\"[data-service='CT-TM']\").innerText.includes('Chưa có cán bộ')"
    )


@pytest.mark.parametrize("size", KIOSK_SIZES)
def test_a_priority_ticket_says_so_and_why_on_the_result(app, server, kiosk_token, contexts, size):
    with app.app_context():
        staff(db.session, [4, 5])
    kiosk = open_kiosk(contexts, server, kiosk_token, size)
    kiosk.click("#priority-open")
    assert kiosk.inner_text("#screen-priority h2") == "Ông/Bà thuộc đối tượng ưu tiên nào?"
    check_accessibility(kiosk)
    kiosk.get_by_role("button", name="Người cao tuổi (từ 60 tuổi)").click()
    assert "Người cao tuổi" in kiosk.inner_text("#priority-banner")
    assert_fits(kiosk)
    kiosk.get_by_role("button", name=re.compile("^Đăng ký doanh nghiệp")).click()
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    assert kiosk.inner_text("#result-number") == "4001"
    assert kiosk.inner_text("#result-priority") == "Ưu tiên: Người cao tuổi (từ 60 tuổi)"
    assert kiosk.inner_text("#result-label").lower() == "số thứ tự của ông/bà"
    assert kiosk.inner_text("#result-ahead") == "Ông/Bà là người tiếp theo"
    assert kiosk.inner_text("#result-counters") == "Quầy phục vụ: 4, 5"
    kiosk.wait_for_function("() => document.getElementById('result-qr').naturalWidth > 0")
    screenshot(kiosk, f"kiosk-result-priority-{size}")
    assert_fits(kiosk)
    check_accessibility(kiosk)
    kiosk.click("#result-done")
    assert kiosk.is_visible("#screen-services") and not kiosk.is_visible("#priority-banner")
    kiosk.get_by_role("button", name=re.compile("^Đăng ký doanh nghiệp")).click()
    kiosk.wait_for_selector("#screen-result:not([hidden])")
    assert kiosk.inner_text("#result-number") == "4002"
    assert kiosk.is_hidden("#result-priority")
    assert kiosk.inner_text("#result-ahead") == "Có 1 người đang chờ trước ông/bà"


def close_ward_until(app, days_ahead: int) -> tuple[str, datetime]:
    """The ward opens only on the week day ``days_ahead`` from today, 7:30-11:30: closed now."""
    opens = datetime.combine(datetime.now(VN).date() + timedelta(days=days_ahead), clock(7, 30), tzinfo=VN)
    with app.app_context():
        ward = db.session.scalar(select(Site).where(Site.code == "NA-TRUONGVINH"))
        ward.opening_hours = [OpeningHours(weekday=opens.weekday(), opens=clock(7, 30), closes=clock(11, 30))]
        db.session.commit()
    return device_token(app, "kiosk", "NA-TRUONGVINH"), opens


def test_outside_opening_hours_the_home_screen_says_when_the_centre_opens(app, server, contexts):
    token, opens = close_ward_until(app, 2)
    kiosk = open_kiosk(contexts, server, token, "landscape", site="NA-TRUONGVINH")
    kiosk.wait_for_selector("#closed-notice:not([hidden])")
    expected = f"Trung tâm mở cửa lúc 7:30 {WEEKDAYS[opens.weekday()]}, {opens:%d/%m}."
    assert kiosk.inner_text("#closed-when") == expected
    assert "Trung tâm đang ngoài giờ làm việc." in kiosk.inner_text("#closed-notice")
    assert all(kiosk.eval_on_selector_all("[data-service]", "els => els.map(e => e.disabled)"))
    assert in_viewport(kiosk, "#closed-notice")
    assert_fits(kiosk)
    check_accessibility(kiosk)
    screenshot(kiosk, "kiosk-closed-landscape")
    english = open_kiosk(contexts, server, token, "landscape", site="NA-TRUONGVINH", query="?lang=en")
    english.wait_for_selector("#closed-notice:not([hidden])")
    assert english.inner_text("#closed-when") == f"The centre opens at 7:30 on {opens:%A}, {opens:%d/%m}."


def test_the_opening_api_follows_the_rule_that_refuses_numbers(app, client):
    assert client.get("/api/v1/sites/NA-HCC/opening").get_json() == {"open": True, "opens_at": None}
    token, opens = close_ward_until(app, 3)
    assert client.get("/api/v1/sites/NA-TRUONGVINH/opening").get_json() == {
        "open": False,
        "opens_at": opens.isoformat(),
    }
    refused = client.post(
        "/api/v1/sites/NA-TRUONGVINH/tickets",
        json={"service": "HT"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert refused.status_code == 409
    assert refused.get_json()["error"]["come_back_at"] == opens.isoformat()
    assert client.get("/api/v1/sites/NOWHERE/opening").status_code == 404


def test_a_tap_while_closed_tells_the_citizen_when_to_come_back(app, server, contexts):
    token, opens = close_ward_until(app, 2)
    kiosk = open_kiosk(contexts, server, token, "portrait", site="NA-TRUONGVINH")
    kiosk.wait_for_selector("#closed-notice:not([hidden])")
    # A tap that raced the notice (a tile enabled a moment before) is refused by the server.
    kiosk.evaluate("document.querySelector('[data-service=HT]').disabled = false")
    kiosk.click("[data-service=HT]")
    kiosk.wait_for_selector("#screen-refused:not([hidden])")
    said = kiosk.inner_text("#refused-text")
    assert "ngoài giờ làm việc" in said
    assert f"Vui lòng quay lại lúc 7:30 {WEEKDAYS[opens.weekday()]}, {opens:%d/%m}." in said
    screenshot(kiosk, "kiosk-closed-refused-portrait")


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
        assert conn.execute(text("SELECT COUNT(*) FROM tickets")).scalar() == 1
    assert kiosk.inner_text("#result-number") == "3001"


def test_a_press_the_server_is_too_busy_for_goes_again_when_it_says_there_is_room(
    server, kiosk_token, contexts
):
    """A 503 ``busy`` says when there will be room (``retry_after_ms``, here 300 ms): the kiosk
    sends the same press again after about that long, not after a fixed two seconds, and the
    citizen gets one number."""
    kiosk = open_kiosk(contexts, server, kiosk_token)
    sent: list[tuple[float, str]] = []

    def busy_once(route):
        sent.append((time.monotonic(), route.request.post_data_json["client_id"]))
        if len(sent) > 1:
            return route.continue_()
        busy = {"code": "busy", "message": "The server is busy.", "retry_after_ms": 300}
        route.fulfill(status=503, headers={"Retry-After": "1"}, json={"error": busy})

    kiosk.route("**/api/v1/sites/NA-HCC/tickets", busy_once)
    # The waits the page asks its timers for: the choice of the wait is the kiosk's, how long
    # the machine then takes to come back to it is not (a busy CI run took 1.45 s over 0.3).
    kiosk.evaluate(
        """() => {
            const setTimeoutBefore = window.setTimeout;
            window.askedWaits = [];
            window.setTimeout = (callback, ms, ...args) => {
                window.askedWaits.push(ms);
                return setTimeoutBefore(callback, ms, ...args);
            };
        }"""
    )
    kiosk.get_by_role("button", name=re.compile("^Đất đai")).click()
    kiosk.wait_for_selector("#screen-result:not([hidden])", timeout=10_000)
    assert kiosk.inner_text("#result-number") == "3001"
    (first, press), (again, resent) = sent
    assert resent == press and again - first >= 0.3
    asked = kiosk.evaluate("() => window.askedWaits")
    assert any(300 <= ms <= 360 for ms in asked) and 2000 not in asked, asked  # 300 ms, up to a fifth more
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM tickets")).scalar() == 1


def test_the_kiosk_speaks_english_when_asked_and_remembers_it(server, kiosk_token, contexts):
    kiosk = open_kiosk(contexts, server, kiosk_token, "landscape", query="?lang=en")
    assert kiosk.inner_text("h1") == "Take a number"
    assert kiosk.get_by_role("button", name=re.compile("^Business registration")).is_visible()
    assert_fits(kiosk)
    screenshot(kiosk, "kiosk-english-landscape")
    kiosk.goto(f"{server.url}/kiosk/NA-HCC")
    assert kiosk.inner_text("h1") == "Take a number"
    assert kiosk.get_attribute("html", "lang") == "en"


def test_the_kiosk_goes_back_to_the_start_by_itself(server, kiosk_token, contexts):
    kiosk = contexts(viewport=KIOSK_SIZES["portrait"])
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
    assert kiosk.inner_text("#refused-text") == "Phiếu số 3002: đang chờ, còn 1 người trước ông/bà."
    kiosk.click("#refused-done")
    wedge_scan(kiosk, "not-a-code-at-all")
    kiosk.wait_for_function(
        "() => document.getElementById('refused-text').textContent.includes('Không đọc được')"
    )


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
