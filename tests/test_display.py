"""The hall display and the counter display, in Chromium at the sizes of their screens.

The hall is a TV nobody scrolls: everything fits or pages; its banner shows the call to follow
now, and a reload shows what the live events showed. Changes go through the real API over HTTP
so that the live events flow as in a centre.
"""

from __future__ import annotations

import json
import re
import time

import pytest
import requests

from queue_server.database import db
from queue_server.sites.models import Counter, Service, Site

from .browser import HALL_SIZES, assert_fits, check_accessibility, screenshot
from .helpers import issue_over_http, staff_session

LATEST = "document.getElementById('latest').textContent"
ANNOUNCED = "window.HALL.announcer.spoken.length + window.HALL.announcer.pending()"
FLASHING = """() => document.getElementById('latest').classList.contains('flash')
    && getComputedStyle(document.getElementById('latest')).animationName"""
NOT_YET = "Chưa có số nào được gọi hôm nay"
CALM = "Ông/Bà vui lòng chờ đến lượt"


def open_hall(contexts, server, size, **options):
    page = contexts(viewport=HALL_SIZES[size], **options)
    page.goto(f"{server.url}/display/NA-HCC")
    page.wait_for_selector(".display-counter")
    return page


def wait_latest(page, text: str) -> None:
    page.wait_for_function(f"(text) => {LATEST}.includes(text)", arg=text, timeout=10_000)


def wait_tile(page, counter: int, text: str) -> None:
    page.wait_for_function(
        "([counter, text]) => document.querySelector(`[data-counter='${counter}'] .display-counter-number`)"
        ".textContent === text",
        arg=[counter, text],
    )


def picture(page) -> dict:
    """What the hall shows: the banner, the recent calls, each counter's tile."""
    return page.evaluate(
        """() => ({
            latest: document.getElementById('latest').textContent,
            recent: [...document.querySelectorAll('#recent li')].map(li => li.innerText),
            counters: Object.fromEntries([...document.querySelectorAll('#counters li')]
                .map(li => [li.dataset.counter, li.innerText])),
        })"""
    )


def same_after_reload(contexts, server, live) -> dict:
    """The live page's picture, and a freshly loaded page's (the snapshot's) is the same."""
    shown = picture(live)
    fresh = open_hall(contexts, server, "1080p")
    fresh.wait_for_function("() => document.getElementById('latest').textContent !== ''")
    assert picture(fresh) == shown
    return shown


def issue_priority(server, token: str) -> dict:
    response = requests.post(
        f"{server.url}/api/v1/sites/NA-HCC/tickets",
        json={"service": "NM-DD", "priority": "elderly"},
        headers={"Authorization": f"Bearer {token}"},
        timeout=10,
    )
    assert response.status_code == 201, response.text
    return response.json()


def post(officer, server, path: str, **body) -> dict:
    response = officer.post(f"{server.url}/api/v1{path}", json=body or None, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()


def test_the_snapshot_holds_one_row_per_ticket_called_and_none_for_one_back_in_a_queue(
    kiosk, officer, client
):
    def snapshot():
        return client.get("/api/v1/sites/NA-HCC/queue").get_json()

    assert snapshot()["recent_calls"] == [] and snapshot()["calls_today"] is False
    first, second = (
        kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}).get_json() for _ in "12"
    )
    officer.post("/api/v1/counters/1/call-next")
    officer.post("/api/v1/counters/3/call-next")
    officer.post(f"/api/v1/tickets/{first['id']}/recall")
    officer.post(f"/api/v1/tickets/{first['id']}/recall")
    queue = snapshot()
    assert [(row["number"], row["counter"], row["status"]) for row in queue["recent_calls"]] == [
        (first["number"], 1, "called"),
        (second["number"], 3, "called"),
    ]
    assert (
        queue["recent_calls"][0]["type"] == "ticket.recalled"
        and queue["recent_calls"][0]["priority"] is False
    )
    counters = {counter["number"]: counter for counter in queue["counters"]}
    assert counters[1]["officer"] == {"name": "Trần Văn Hùng", "photo_url": None}
    assert counters[4]["officer"] is None
    officer.post(f"/api/v1/tickets/{second['id']}/transfer", json={"service": "NM-MT"})
    officer.post(f"/api/v1/tickets/{first['id']}/finish")
    queue = snapshot()
    assert [(row["number"], row["status"]) for row in queue["recent_calls"]] == [(first["number"], "done")]
    assert queue["calls_today"] is True


def test_the_hall_fits_its_screen_and_shows_the_latest_call_large(server, kiosk_token, contexts):
    halls = {size: open_hall(contexts, server, size) for size in HALL_SIZES}
    calm = open_hall(contexts, server, "1080p", reduced_motion="reduce")
    for size, hall in halls.items():
        wait_latest(hall, NOT_YET)
        assert hall.locator("[data-counter]").count() == 12
        assert_fits(hall)
        check_accessibility(hall)
        screenshot(hall, f"hall-before-first-call-{size}")

    ordinary = issue_over_http(server.url, kiosk_token)
    priority = issue_priority(server, kiosk_token)
    officer = staff_session(server.url, "officer1")
    assert post(officer, server, "/counters/1/call-next")["ticket"]["number"] == priority["number"]
    for hall in halls.values():
        wait_latest(hall, priority["number"])
        assert "Ưu tiên" in hall.inner_text("#latest")
        assert "Ưu tiên" in hall.inner_text("[data-counter='1']")
        assert hall.evaluate(FLASHING) == "called"  # the new call flashes for a few seconds
    wait_latest(calm, priority["number"])
    assert calm.evaluate(FLASHING) == "none"  # not where the viewer asks for less motion
    post(officer, server, "/counters/2/call-next")
    for size, hall in halls.items():
        wait_latest(hall, ordinary["number"])
        assert hall.inner_text("#latest").split() == ["Mời", "số", ordinary["number"], "đến", "quầy", "2"]
        assert "Ưu tiên" not in hall.inner_text("#latest")
        assert hall.inner_text("[data-counter='2'] .display-counter-number") == ordinary["number"]
        assert "Đất đai" in hall.inner_text("[data-counter='2']")
        rows = hall.locator("#recent li").all_inner_texts()
        assert [row.split()[0] for row in rows] == [ordinary["number"], priority["number"]]
        assert "Ưu tiên" in rows[1] and "Ưu tiên" not in rows[0]
        assert "Đất đai" in hall.inner_text("#waiting")
        sizes = hall.evaluate(
            """() => {
                const height = (selector) => document.querySelector(selector).getBoundingClientRect().height;
                const font = (element) => parseFloat(getComputedStyle(element).fontSize);
                const number = document.querySelector('.display-latest-number');
                const others = [...document.querySelectorAll('body *')].filter(e => !number.contains(e)
                    && !e.classList.contains('display-latest-counter') && e.textContent.trim());
                return {number: height('.display-latest-number'), font: font(number),
                        largestOther: Math.max(...others.map(font))};
            }"""
        )
        least = 150 * HALL_SIZES[size]["height"] / 1080
        assert sizes["number"] >= least, sizes
        assert sizes["font"] > 2 * sizes["largestOther"], sizes  # the dominant element
        assert_fits(hall)
        check_accessibility(hall)
        screenshot(hall, f"hall-{size}")


def test_the_banner_and_the_recent_calls_follow_recalls_pauses_and_transfers_live_and_after_reload(
    server, kiosk_token, contexts
):
    first, second = (issue_over_http(server.url, kiosk_token) for _ in range(2))
    hall = open_hall(contexts, server, "1080p")
    hall.evaluate(
        """() => {
            window.hallCalls = [];
            document.addEventListener('hall:call', (event) => window.hallCalls.push(event.detail));
        }"""
    )
    officer = staff_session(server.url, "officer1")
    post(officer, server, "/counters/1/call-next")
    post(officer, server, "/counters/3/call-next")
    wait_latest(hall, f"{second['number']} đến quầy 3")

    # A recall moves the ticket's row to the top; it adds none.
    post(officer, server, f"/tickets/{first['id']}/recall")
    wait_latest(hall, f"{first['number']} đến quầy 1")
    hall.wait_for_function(f"() => {ANNOUNCED} === 3")
    assert hall.evaluate("window.hallCalls") == [  # the signage's hook: every call and recall
        {"number": first["number"], "counter": 1},
        {"number": second["number"], "counter": 3},
        {"number": first["number"], "counter": 1},
    ]
    shown = same_after_reload(contexts, server, hall)
    assert [row.split()[0] for row in shown["recent"]] == [first["number"], second["number"]]

    # Counter 1 pauses with 3001 called there: the banner goes back to the call still to follow.
    post(officer, server, "/counters/1/pause", reason="Nghỉ giữa giờ")
    wait_latest(hall, f"{second['number']} đến quầy 3")
    assert first["number"] not in hall.inner_text("#latest")
    assert hall.inner_text("[data-counter='1'] .display-counter-number") == "Tạm dừng"
    shown = same_after_reload(contexts, server, hall)
    assert first["number"] not in shown["latest"]

    # 3002 is sent on to another service: it leaves counter 3 and the recent calls.
    post(officer, server, f"/tickets/{second['id']}/transfer", service="NM-MT")
    wait_latest(hall, CALM)
    wait_tile(hall, 3, "")
    rows = hall.locator("#recent li").all_inner_texts()
    assert [row.split()[0] for row in rows] == [first["number"]]
    same_after_reload(contexts, server, hall)

    # Called again at counter 2, it has one row again, at the new counter; finished, it stays
    # in the recent calls but leaves the banner.
    called = post(officer, server, "/counters/2/call-next")["ticket"]
    assert called["id"] == second["id"]
    wait_latest(hall, f"{second['number']} đến quầy 2")
    post(officer, server, f"/tickets/{second['id']}/finish")
    wait_latest(hall, CALM)
    rows = hall.locator("#recent li").all_inner_texts()
    assert [row.split()[0] for row in rows] == [second["number"], first["number"]]
    assert "Quầy 2" in rows[0]
    same_after_reload(contexts, server, hall)
    # Counter 1 closes: its ticket is finished, "Đóng" on its tile.
    post(officer, server, "/counters/1/close")
    wait_tile(hall, 1, "Đóng")
    assert_fits(hall)
    check_accessibility(hall)
    screenshot(hall, "hall-after-changes-1080p")


@pytest.fixture
def busy_centre(app, database_url, live_server_factory, monkeypatch):
    """NA-HCC with 64 counters and 40 services, served with pages turning every 2 s."""
    with app.app_context():
        site = db.session.query(Site).filter_by(code="NA-HCC").one()
        model = db.session.query(Service).filter_by(site_id=site.id, code="NM-DD").one()
        for number in range(13, 65):
            db.session.add(Counter(site=site, number=number, name=f"Quầy {number}"))
        for index in range(24):
            db.session.add(
                Service(
                    site=site,
                    department_id=model.department_id,
                    code=f"TH-{index:02}",
                    name=f"Thủ tục thử nghiệm số {index + 1}",
                    prefix=f"T{index:02}",
                    sort_order=100 + index,
                )
            )
        db.session.commit()
    monkeypatch.setenv("DISPLAY_PAGE_SECONDS", "2")
    return live_server_factory(database_url)


def visible(page, selector: str, key: str) -> list[str]:
    return page.eval_on_selector_all(
        selector, f"items => items.filter(item => item.offsetParent).map(item => item.{key})"
    )


def test_a_centre_with_more_counters_and_services_than_fit_pages_through_them(
    busy_centre, kiosk_token, contexts
):
    officer = staff_session(busy_centre.url, "officer1")
    for counter in (3, 1, 2):
        issue_over_http(busy_centre.url, kiosk_token)
        post(officer, busy_centre, f"/counters/{counter}/call-next")
    for size, viewport in HALL_SIZES.items():
        hall = contexts(viewport=viewport)
        hall.goto(f"{busy_centre.url}/display/NA-HCC")
        hall.wait_for_selector(".display-counter")
        assert hall.locator("[data-counter]").count() == 64
        # Counters serving someone come first, in large tiles, the others after them.
        first_page = hall.wait_for_function(
            """() => document.getElementById('counters').dataset.page === '1'
                && [...document.querySelectorAll('#counters li')].filter(li => li.offsetParent)
                    .map(li => li.dataset.counter + (li.classList.contains('busy') ? ' busy' : ''))"""
        ).json_value()
        assert first_page[:5] == ["1 busy", "2 busy", "3 busy", "4", "5"]
        pages = int(hall.get_attribute("#counters", "data-pages"))
        assert pages > 1 and hall.is_visible("#counters-page")
        assert int(hall.get_attribute("#waiting", "data-pages")) > 1 and hall.is_visible("#waiting-page")
        shown, services, turned, checked = set(), set(), set(), False
        deadline = time.monotonic() + 30  # pages turn every 2 s: all of them within 30 s
        while (len(shown) < 64 or len(services) < 40) and time.monotonic() < deadline:
            # Read together: the page turns every 2 s, between two separate reads on a busy machine.
            page, indicator = hall.evaluate(
                "() => [document.getElementById('counters').dataset.page,"
                " document.getElementById('counters-page').textContent]"
            )
            assert indicator == f"{page}/{pages}"
            turned.add(page)
            assert_fits(hall)
            # Nothing shown is cut off by its box.
            assert hall.evaluate(
                """() => [...document.querySelectorAll('#counters li, #waiting li, #recent li')]
                    .filter(li => li.offsetParent).every(li => {
                        const box = li.parentElement.getBoundingClientRect();
                        const own = li.getBoundingClientRect();
                        return own.bottom <= box.bottom + 1 && own.right <= box.right + 1;
                    })"""
            )
            shown.update(visible(hall, "#counters li", "dataset.counter"))
            services.update(visible(hall, "#waiting li span", "textContent"))
            if not checked:
                check_accessibility(hall)
                screenshot(hall, f"hall-paging-{size}")
                checked = True
            time.sleep(0.5)
        assert turned == {str(page) for page in range(1, pages + 1)}
        assert shown == {str(number) for number in range(1, 65)}
        assert len(services) == 40


def open_counter_screen(contexts, server, size, number=3):
    page = contexts(viewport=HALL_SIZES[size])
    page.goto(f"{server.url}/display/NA-HCC/counter/{number}")
    page.wait_for_function("() => document.getElementById('current').textContent === '—'")
    return page


def test_the_counter_display_shows_the_number_the_service_the_officer_and_why_it_is_paused(
    server, kiosk_token, contexts
):
    priority = issue_priority(server, kiosk_token)
    screens = {size: open_counter_screen(contexts, server, size) for size in HALL_SIZES}
    officer = staff_session(server.url, "officer1")
    post(officer, server, "/counters/3/call-next")
    for size, screen in screens.items():
        screen.wait_for_function(
            "(number) => document.getElementById('current').textContent === number", arg=priority["number"]
        )
        assert screen.inner_text("#service") == "Đất đai"
        assert screen.is_visible("#priority") and screen.inner_text("#priority") == "Ưu tiên"
        assert screen.inner_text("#officer-name") == "Trần Văn Hùng"
        assert screen.is_hidden("#officer-photo")
        assert_fits(screen)
        check_accessibility(screen)
        screenshot(screen, f"counter-display-{size}")
    # The officer's name comes with the snapshot too.
    again = open_counter_screen(contexts, server, "768p", number=1)
    assert again.is_hidden("#officer")
    again.goto(f"{server.url}/display/NA-HCC/counter/3")
    again.wait_for_function(
        "(number) => document.getElementById('current').textContent === number", arg=priority["number"]
    )
    assert again.inner_text("#officer-name") == "Trần Văn Hùng"

    post(officer, server, "/counters/3/pause", reason="Họp giao ban")
    for size, screen in screens.items():
        screen.wait_for_function("() => document.getElementById('state').textContent === 'Tạm dừng'")
        assert screen.inner_text("#reason") == "Họp giao ban"
        assert screen.inner_text("#current") == "—" and screen.is_hidden("#priority")
        assert_fits(screen)
        check_accessibility(screen)
        screenshot(screen, f"counter-display-paused-{size}")
    post(officer, server, "/counters/3/close")
    screen = screens["1080p"]
    screen.wait_for_function("() => document.getElementById('state').textContent === 'Quầy đang đóng'")
    assert screen.inner_text("#reason") == "" and screen.is_hidden("#officer")
    screenshot(screen, "counter-display-closed-1080p")


PHOTO = (
    "data:image/svg+xml,<svg xmlns='http://www.w3.org/2000/svg' width='3' height='4'>"
    "<rect width='3' height='4' fill='gray'/></svg>"
)


def test_the_counter_display_shows_the_officer_s_photo_with_its_name_as_alt_text(server, contexts):
    """Photos come later (``photo_url`` is None for now): the snapshot is given one on its way."""

    def with_photo(page_socket):
        server_socket = page_socket.connect_to_server()

        def forward(message):
            if isinstance(message, str) and message.startswith('42["snapshot"'):
                event, snapshot = json.loads(message[2:])
                for counter in snapshot["counters"]:
                    counter["officer"] = {"name": "Trần Văn Hùng", "photo_url": PHOTO}
                message = "42" + json.dumps([event, snapshot])
            page_socket.send(message)

        server_socket.on_message(forward)

    screen = contexts(viewport=HALL_SIZES["1080p"])
    screen.route_web_socket(re.compile("/socket.io/"), with_photo)
    screen.goto(f"{server.url}/display/NA-HCC/counter/4")
    screen.wait_for_selector("#officer-photo", state="visible")
    assert screen.get_attribute("#officer-photo", "alt") == "Ảnh cán bộ Trần Văn Hùng"
    assert screen.get_attribute("#officer-photo", "src") == PHOTO
    assert_fits(screen)
    check_accessibility(screen)
    screenshot(screen, "counter-display-photo-1080p")
