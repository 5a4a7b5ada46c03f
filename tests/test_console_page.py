"""The officer's console on an office screen (1366x768), driven in Chromium as officers use it.

The console shows the counter's ticket as the server has it: after a reload, after a call made
from elsewhere (another device or tab, the keypad), after the live connection comes back.
"""

from __future__ import annotations

import re
from datetime import timedelta

import requests

from queue_server.auth.services import issue_device_token
from queue_server.database import db
from queue_server.queueing.models import Ticket

from .browser import OFFICE, check_accessibility, screenshot
from .helpers import issue_over_http, login, staff_session

CURRENT = "() => document.getElementById('current-number').textContent === '{}'"
NOTHING_CALLED = "() => document.getElementById('current-service').textContent === 'Chưa gọi số nào.'"


def log_in(page, server, username="officer1", query=""):
    page.goto(f"{server.url}/console{query}")
    page.fill("#username", username)
    page.fill("#password", "officer-demo")
    page.click("#login-form button[type=submit]")


def open_counter(contexts, server, number, username="officer1"):
    page = contexts(viewport=OFFICE)
    log_in(page, server, username)
    page.locator(f"[data-counter='{number}']").click()
    page.wait_for_selector("#step-console:not([hidden])")
    return page


def wait_current(page, number, timeout=10_000):
    page.wait_for_function(CURRENT.format(number), timeout=timeout)


def answer_in_page(page, path, status, body=None):
    """From now on the page's own ``fetch`` answers requests to ``path`` with ``status`` and
    ``body``, without the network, as the server would. Playwright's routes, added and removed
    while the console ran, were flaky in CI: once a routed press reached the server all the same,
    once a routed press got no answer in 30 s."""
    page.evaluate(
        """([path, status, body]) => {
            const network = window.networkFetch || (window.networkFetch = window.fetch);
            const headers = { "Content-Type": "application/json" };
            const text = body === null ? null : JSON.stringify(body);
            window.fetch = (url, init) => String(url).endsWith(path)
                ? Promise.resolve(new Response(text, { status, headers }))
                : network(url, init);
        }""",
        [path, status, body],
    )


def answer_with(body, status=409):
    """A route handler that answers every request with this error."""
    return lambda route: route.fulfill(status=status, json=body)


def assert_no_sideways_scroll(page):
    """The console may scroll down at 1366x768, never sideways."""
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1], f"the console scrolls sideways: {width}"


def test_the_console_keeps_its_counter_and_ticket_across_a_reload_and_shows_calls_made_elsewhere(
    app, server, kiosk_token, contexts
):
    first, second, third, fourth = (issue_over_http(server.url, kiosk_token) for _ in range(4))
    with app.app_context():
        _, keypad = issue_device_token(db.session, "counter", "NA-HCC", "Quầy 3 keypad", counter_number=3)
        db.session.commit()
    page = open_counter(contexts, server, 3)
    assert page.url.endswith("/console?site=NA-HCC&counter=3")
    assert page.inner_text("#title") == "Quầy 3 · NA-HCC"
    assert page.inner_text("#current-service") == "Chưa gọi số nào."
    page.get_by_role("button", name=re.compile("^Gọi số tiếp theo")).click()
    wait_current(page, first["number"])
    assert page.inner_text("#current-service") != "Chưa gọi số nào."

    page.reload()  # the same counter, its ticket read from the server
    page.wait_for_selector("#step-console:not([hidden])")
    assert page.inner_text("#title") == "Quầy 3 · NA-HCC"
    wait_current(page, first["number"], timeout=3000)

    # Another device calls at this counter (a second tab, the keypad's agent: the same API).
    staff_session(server.url, "officer2").post(
        f"{server.url}/api/v1/counters/3/call-next", timeout=10
    ).raise_for_status()
    wait_current(page, second["number"])
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '2'")
    # The counter's keypad, through its agent: a device token, no officer.
    requests.post(
        f"{server.url}/api/v1/counters/3/call-next", headers={"Authorization": f"Bearer {keypad}"}, timeout=10
    ).raise_for_status()
    wait_current(page, third["number"])

    # A bookmark opens the counter straight away.
    other = contexts(viewport=OFFICE)
    log_in(other, server, query="?site=NA-HCC&counter=3")
    other.wait_for_selector("#step-console:not([hidden])")
    wait_current(other, third["number"], timeout=3000)
    # The waiting list comes with the live snapshot, which may arrive after the counter's answer.
    other.wait_for_function(
        "(number) => document.getElementById('waiting').textContent.includes(number)", arg=fourth["number"]
    )

    assert_no_sideways_scroll(page)
    check_accessibility(page)
    screenshot(page, "console-768p")


def test_a_call_made_while_the_live_connection_was_down_shows_once_it_is_back(server, kiosk_token, contexts):
    first = issue_over_http(server.url, kiosk_token)
    page = open_counter(contexts, server, 3)
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    server.stop()
    page.wait_for_function(
        "() => document.getElementById('connection').textContent.startsWith('Mất kết nối')", timeout=10_000
    )
    assert page.is_visible("#connection")
    server.start()
    # Called before the console's connection is back: no event reaches it.
    staff_session(server.url, "officer2").post(
        f"{server.url}/api/v1/counters/3/call-next", timeout=10
    ).raise_for_status()
    page.wait_for_function(
        "() => document.getElementById('connection').textContent === 'Đã kết nối lại.'", timeout=15_000
    )
    wait_current(page, first["number"], timeout=5000)
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '0'")

    # The citizen did not come; after a reload the no-show can still be put back in the queue.
    page.keyboard.press("v")
    page.wait_for_function(NOTHING_CALLED)
    page.reload()
    page.wait_for_selector("#no-shows li")
    assert page.inner_text("#no-shows").startswith(first["number"])
    page.keyboard.press("k")
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    assert page.locator("#no-shows li").count() == 0


def test_a_ticket_issued_joins_the_list_and_its_late_notice_never_brings_it_back_once_called(
    database_url, live_server_factory, kiosk_token, contexts
):
    """Staff hear of a ticket issued up to LIVE_NOTICE_SECONDS late (live/notices.py), and a
    call is told at once: a ticket called in between must not come back to the waiting list
    when its notice arrives after the call."""
    server = live_server_factory(database_url, LIVE_NOTICE_SECONDS="2")
    page = open_counter(contexts, server, 3)
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '0'")
    first = issue_over_http(server.url, kiosk_token)
    page.wait_for_function(
        "(number) => document.getElementById('waiting').textContent.includes(number)", arg=first["number"]
    )
    second = issue_over_http(server.url, kiosk_token)
    # Both called at once, before the second's notice has left the server.
    officer2 = staff_session(server.url, "officer2")
    for _ in range(2):
        officer2.post(f"{server.url}/api/v1/counters/3/call-next", timeout=10).raise_for_status()
    wait_current(page, second["number"])
    page.wait_for_timeout(3000)  # the notice has come by now
    assert page.inner_text("#waiting-count") == "0"
    assert page.inner_text("#waiting") == "Không có ai đang chờ."
    assert page.inner_text("#current-number") == second["number"]


def test_the_counter_chooser_says_who_works_where_and_which_counters_are_paused_or_closed(
    server, kiosk_token, contexts
):
    counters = {c["number"]: c for c in requests.get(f"{server.url}/api/v1/sites/NA-HCC/counters").json()}
    issue_over_http(server.url, kiosk_token, counters[5]["services"][0])
    officer2 = staff_session(server.url, "officer2")
    officer2.post(f"{server.url}/api/v1/counters/5/call-next", timeout=10).raise_for_status()
    officer2.post(f"{server.url}/api/v1/counters/6/pause", json={"reason": "Họp"}).raise_for_status()
    officer2.post(f"{server.url}/api/v1/counters/7/close").raise_for_status()

    page = contexts(viewport=OFFICE)
    log_in(page, server)
    page.wait_for_selector("#step-choose:not([hidden]) [data-counter='12']")
    assert "Đang có cán bộ: Lê Thị Mai" in page.inner_text("[data-counter='5']")
    assert "Đang mở" in page.inner_text("[data-counter='5']")
    assert "Đang có cán bộ" not in page.inner_text("[data-counter='3']")
    assert "Tạm dừng: Họp" in page.inner_text("[data-counter='6']")
    assert "Đã đóng" in page.inner_text("[data-counter='7']")
    assert page.url.endswith("/console")
    assert_no_sideways_scroll(page)
    check_accessibility(page)
    screenshot(page, "console-chooser-768p")

    # A postal clerk works no counter: the chooser offers none.
    clerk = contexts(viewport=OFFICE)
    clerk.goto(f"{server.url}/console")
    clerk.fill("#username", "postal")
    clerk.fill("#password", "buu-dien-demo")
    clerk.click("#login-form button[type=submit]")
    clerk.wait_for_selector("#message:not([hidden])")
    assert clerk.locator("[data-counter]").count() == 0


def test_the_start_of_service_step_is_offered_only_where_the_site_uses_it(server, kiosk_token, contexts):
    first, second = (issue_over_http(server.url, kiosk_token) for _ in range(2))
    page = open_counter(contexts, server, 3)
    page.keyboard.press("g")
    wait_current(page, first["number"])
    assert page.is_hidden("[data-action='start']")
    assert page.is_enabled("[data-action='finish']")

    admin = staff_session(server.url, "admin")
    response = admin.patch(f"{server.url}/api/v1/admin/sites/NA-HCC", json={"use_start_step": True})
    assert response.ok and response.json()["use_start_step"] is True
    page.reload()
    page.wait_for_selector("#step-console:not([hidden])")
    page.keyboard.press("g")
    wait_current(page, second["number"])
    start = page.get_by_role("button", name=re.compile("^Bắt đầu phục vụ"))
    assert start.is_visible() and start.is_enabled()
    assert page.inner_text("#current-status") == "Đã gọi, chờ công dân đến quầy"
    assert page.is_disabled("[data-action='finish']")
    screenshot(page, "console-start-768p")
    start.click()
    page.wait_for_function("() => document.getElementById('current-status').textContent === 'Đang phục vụ'")
    assert page.is_disabled("[data-action='start']")
    assert page.is_enabled("[data-action='finish']")
    ticket = requests.get(f"{server.url}/api/v1/tickets/{second['id']}").json()
    assert ticket["status"] == "serving"
    check_accessibility(page)
    page.get_by_role("button", name=re.compile("^Hoàn thành")).click()
    page.wait_for_function(NOTHING_CALLED)


def test_transfer_choices_are_grouped_and_errors_are_said_in_vietnamese(server, kiosk_token, contexts):
    first = issue_over_http(server.url, kiosk_token)
    staff_session(server.url, "officer2").post(
        f"{server.url}/api/v1/counters/6/pause", json={"reason": "Họp"}
    ).raise_for_status()
    page = open_counter(contexts, server, 3)
    page.keyboard.press("g")
    wait_current(page, first["number"])
    # Offered once the site's snapshot has come (the places to send to are its): a key pressed
    # before that did nothing, and on a loaded machine the dialog never opened.
    page.wait_for_selector("[data-action='transfer']:not([disabled])")
    page.keyboard.press("c")
    page.wait_for_selector("#transfer-dialog[open]")
    groups = page.eval_on_selector_all("#transfer-target optgroup", "groups => groups.map(g => g.label)")
    assert {"Tư pháp", "Xây dựng", "Doanh nghiệp"} <= set(groups)
    assert page.locator("#transfer-target option[value='service:NM-DD']").count() == 0  # its own
    assert groups[-2:] == ["Quầy đang mở", "Quầy đang tạm dừng"]
    paused = page.locator("#transfer-target optgroup[label='Quầy đang tạm dừng'] option")
    assert paused.count() == 1
    assert paused.inner_text().startswith("Quầy 6 – ") and paused.inner_text().endswith("(Họp)")
    check_accessibility(page)
    screenshot(page, "console-transfer-768p")
    target = page.eval_on_selector("#transfer-target optgroup[label='Quầy đang mở'] option", "o => o.value")
    page.select_option("#transfer-target", target)
    page.click("#transfer-dialog button[value=ok]")
    page.wait_for_function(NOTHING_CALLED)
    assert requests.get(f"{server.url}/api/v1/tickets/{first['id']}").json()["status"] == "transferred"

    # The API's English never reaches the officer: its codes are looked up in the page's words.
    answers = {
        "counter_not_open": ("Counter 3 is paused.", "Quầy đang tạm dừng hoặc đã đóng"),
        "something_new": ("An error the console does not know.", "Không thực hiện được. Vui lòng thử lại."),
    }
    for code, (english, vietnamese) in answers.items():
        answer_in_page(
            page, "/api/v1/counters/3/call-next", 409, {"error": {"code": code, "message": english}}
        )
        page.click("[data-action='call-next']")  # (waits until the button is enabled)
        page.wait_for_function(
            "(words) => document.getElementById('message').textContent.startsWith(words)", arg=vietnamese
        )
        text = page.inner_text("#message")
        assert english not in text
        page.evaluate("() => { document.getElementById('message').hidden = true; }")

    # Nobody waiting (the API's 204) is said, and stays said once the counter is read back.
    answer_in_page(page, "/api/v1/counters/3/call-next", 204)
    with page.expect_response("**/api/v1/counters/3"):
        page.click("[data-action='call-next']")
    page.wait_for_selector("#message:not([hidden])")
    page.wait_for_timeout(300)
    assert page.inner_text("#message") == "Không có ai đang chờ."


def test_the_servers_refusal_and_a_lost_connection_are_said_in_the_officers_words(server, contexts):
    """The console's API calls go through the script core (static/js/core.js): the server's own
    refusal (a 409 with an English message) comes back in the console's words, a request that
    cannot be sent says that the server cannot be reached, and the notice of a lost connection
    shows while the browser is offline and clears once it is back."""
    page = open_counter(contexts, server, 3)
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    officer2 = staff_session(server.url, "officer2")
    officer2.post(f"{server.url}/api/v1/counters/3/pause", json={"reason": "Họp"}).raise_for_status()
    answer = officer2.post(f"{server.url}/api/v1/counters/3/call-next")
    assert answer.status_code == 409 and answer.json()["error"]["code"] == "counter_not_open"
    page.wait_for_selector("[data-action='call-next'][disabled]")  # the console has seen the pause
    said = page.evaluate(
        "() => Core.api('POST', '/api/v1/counters/3/call-next').then(() => null, e => [e.status, e.message])"
    )
    assert said == [409, "Quầy đang tạm dừng hoặc đã đóng: bấm “Mở lại quầy” trước khi gọi số."]
    officer2.post(f"{server.url}/api/v1/counters/3/resume").raise_for_status()
    page.wait_for_selector("[data-action='call-next']:not([disabled])")

    # Offline, the call cannot be sent. (An aborted route was tried first: once in a full run
    # the press reached the server all the same, which answered that nobody was waiting.)
    page.context.set_offline(True)
    page.keyboard.press("g")
    page.wait_for_selector("#message:not([hidden])")
    assert page.inner_text("#message") == "Không kết nối được máy chủ."
    page.wait_for_function(
        "() => document.getElementById('connection').textContent === 'Mất kết nối, đang kết nối lại…'",
        timeout=15_000,
    )
    assert page.is_visible("#connection")
    page.context.set_offline(False)
    page.wait_for_function(
        "() => document.getElementById('connection').textContent === 'Đã kết nối lại.'", timeout=15_000
    )
    page.wait_for_selector("#connection", state="hidden", timeout=10_000)
    assert errors == []


def test_a_staff_page_says_an_error_it_has_no_words_for_by_its_status_never_in_english(server, contexts):
    """The staff pages used to show "Không thực hiện được: <the API's English>"; the core says
    an error code the page does not know with its HTTP status instead."""
    page = contexts(viewport=OFFICE)
    log_in(page, server)
    page.wait_for_selector("#step-choose:not([hidden])")
    page.goto(f"{server.url}/console/password")
    english = "Something the staff pages do not know."
    body = {"error": {"code": "something_new", "message": english}}
    page.route("**/api/v1/auth/password", answer_with(body))
    page.fill("#current-password", "officer-demo")
    page.fill("#new-password", "hoa-phuong-do-san-truong")
    page.fill("#repeat-password", "hoa-phuong-do-san-truong")
    page.click("#password-form button[type=submit]")
    page.wait_for_selector("#message:not([hidden])")
    assert page.inner_text("#message") == "Không thực hiện được. Vui lòng thử lại. (Mã lỗi HTTP 409)"


def test_the_counter_and_the_site_snapshot_agree_on_the_counters_ticket(app, kiosk, officer):
    """The console read the counter's API, the screens the site's snapshot; for a ticket left
    called at a counter on an earlier business day they disagreed. Now one rule decides."""
    ticket = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}).get_json()
    officer.post("/api/v1/counters/3/call-next")

    def both():
        own = officer.get("/api/v1/counters/3").get_json()["current"]
        listed = {c["number"]: c for c in officer.get("/api/v1/sites/NA-HCC/counters").get_json()}
        return own and own["id"], listed[3]["current"] and listed[3]["current"]["id"]

    assert both() == (ticket["id"], ticket["id"])
    with app.app_context():
        db.session.get(Ticket, ticket["id"]).business_date -= timedelta(days=1)
        db.session.commit()
    assert both() == (None, None)


def test_only_staff_who_work_the_counters_see_who_is_at_which(app, client, kiosk, officer):
    url = "/api/v1/sites/NA-HCC/counters/officers"
    assert client.get(url).status_code == 401
    assert kiosk.get(url).status_code == 403
    assert login(app.test_client(), "postal").get(url).status_code == 403
    assert officer.get(url).get_json() == []
    kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    officer.post("/api/v1/counters/3/call-next")
    [working] = officer.get(url).get_json()
    assert working["counter_id"] == 3 and working["officer_name"] == "Trần Văn Hùng"
    assert "Trần Văn Hùng" not in client.get("/api/v1/sites/NA-HCC/queue").get_data(as_text=True)
    officer.post("/api/v1/counters/3/close")
    assert officer.get(url).get_json() == []


def test_the_counter_lists_its_no_shows_of_today_until_they_are_back_in_the_queue(kiosk, officer):
    ticket = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}).get_json()
    officer.post("/api/v1/counters/3/call-next")
    assert officer.get("/api/v1/counters/3").get_json()["no_shows"] == []
    officer.post(f"/api/v1/tickets/{ticket['id']}/skip")
    [absent] = officer.get("/api/v1/counters/3").get_json()["no_shows"]
    assert absent["number"] == ticket["number"] and absent["status"] == "no_show"
    assert officer.get("/api/v1/counters/4").get_json()["no_shows"] == []
    officer.post(f"/api/v1/tickets/{ticket['id']}/reactivate")
    assert officer.get("/api/v1/counters/3").get_json()["no_shows"] == []


def test_a_supervisor_turns_on_the_start_of_service_step_on_the_site_page(server, contexts):
    page = contexts(viewport=OFFICE)
    page.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "supervisor", "password": "giam-sat-demo"}
    )
    page.goto(f"{server.url}/admin/sites?site=NA-HCC")
    page.wait_for_function("() => document.getElementById('s-name').value !== ''")
    setting = page.get_by_label("Cán bộ bấm “Bắt đầu phục vụ” khi công dân đến quầy")
    assert not setting.is_checked()  # off unless the centre chooses it
    setting.check()
    page.get_by_role("button", name="Lưu thay đổi").click()
    page.wait_for_selector("#notice:not([hidden])")
    assert page.request.get(f"{server.url}/api/v1/admin/sites/NA-HCC").json()["use_start_step"] is True
    check_accessibility(page)
