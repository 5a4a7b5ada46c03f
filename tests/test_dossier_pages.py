"""The console's dossier and manifest pages, driven in headless Chromium as officers use them.

Uses the browser and the live server of ``tests/conftest.py`` and the checks of
:mod:`tests.browser` (screenshots in test-artifacts/, axe-core for labels and contrast).
"""

from __future__ import annotations

import functools
import re

import pytest
import requests

from .browser import check_accessibility, open_console, screenshot, signed_in_page, wedge_scan
from .helpers import device_token, issue_over_http, staff_session, take_in_over_http

# The page tests' fixtures: a live server, and new pages in the shared headless Chromium.

CCCD = "001085012345|123456789|Nguyễn Văn An|14031985|Nam|Số 12 đường Lê Lợi, phường Vinh, Nghệ An|01012021"
APPLICANT = {"name": "Trần Thị Bình", "id_number": "001190000001", "address": "Số 5 Quang Trung, Vinh"}
take_in = functools.partial(take_in_over_http, applicant=APPLICANT)


def test_an_officer_takes_in_a_dossier_from_the_console_then_transfers_it_and_marks_the_result_ready(
    server, kiosk_token, contexts
):
    ticket = issue_over_http(server.url, kiosk_token)
    page = open_console(contexts, server, "officer1", 1)
    page.wait_for_function("() => document.getElementById('waiting-count').textContent === '1'")
    page.keyboard.press("g")
    page.get_by_role("link", name="Tiếp nhận hồ sơ").click()
    page.wait_for_url(re.compile(rf"/console/dossiers/new\?ticket={ticket['id']}$"))
    assert ticket["number"] in page.inner_text(".staff-ticket")
    # The province's catalogue: each procedure with the centre that handles it.
    page.wait_for_selector("#procedure option[value='NA-HCC|1.001756']", state="attached")

    page.fill("#scan", CCCD)
    page.press("#scan", "Enter")
    page.wait_for_function("() => document.getElementById('a-name').value === 'Nguyễn Văn An'")
    assert page.input_value("#a-id") == "001085012345"
    assert "sinh ngày 14/03/1985" in page.inner_text("#scan-result")
    page.select_option("#procedure", "NA-HCC|1.001756")
    assert page.input_value("#fee") == "200000"
    page.check("#doc-0")
    page.check("#doc-1")
    page.fill("#doc-0 >> xpath=ancestor::tr//input[@data-count='originals']", "2")
    page.fill("#a-phone", "12")
    page.click("#submit")
    error = page.locator("[data-error-for='applicant.phone']")
    error.wait_for()
    assert error.inner_text() == "Số điện thoại có từ 8 đến 15 chữ số."
    assert page.get_attribute("#a-phone", "aria-invalid") == "true"
    screenshot(page, "dossier-intake-error")
    check_accessibility(page)

    page.fill("#a-phone", "0912 345 678")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/console/dossiers/[^/?]+\?created=1$"))
    code = page.url.rsplit("/", 1)[1].split("?")[0]
    page.wait_for_selector("#d-events tr")
    assert code in page.inner_text("#notice")
    assert page.inner_text("#d-status") == "Đã tiếp nhận"
    assert page.inner_text("#d-name") == "Nguyễn Văn An"
    receipt = page.get_by_role("link", name="Mẫu 01 - Giấy tiếp nhận hồ sơ và hẹn trả kết quả")
    pdf = page.request.get(f"{server.url}{receipt.get_attribute('href')}")
    assert pdf.ok and pdf.headers["content-type"] == "application/pdf"
    stored = page.request.get(f"{server.url}/api/v1/dossiers/{code}").json()
    assert stored["ticket_id"] == ticket["id"] and stored["channel"] == "counter"
    assert stored["documents"][0]["originals"] == 2 and len(stored["documents"]) == 2

    page.get_by_role("link", name="Hồ sơ", exact=True).click()
    row = page.locator(f"#rows tr[data-code='{code}']")
    row.wait_for()
    assert "Nguyễn Văn An" in row.inner_text() and "Đã tiếp nhận" in row.inner_text()
    screenshot(page, "dossier-list")
    check_accessibility(page)

    row.get_by_role("link", name=code).click()
    page.get_by_role("button", name="Chuyển cơ quan giải quyết").click()
    assert page.input_value("#tr-agency") == "Sở Tư pháp"
    page.locator("#dialog-transfer").get_by_role("button", name="Xác nhận").click()
    page.wait_for_function(
        "d => document.getElementById('d-status').textContent === d", arg="Đã chuyển cơ quan giải quyết"
    )
    page.get_by_role("button", name="Có kết quả").click()
    page.locator("#dialog-result_ready").get_by_role("button", name="Xác nhận").click()
    page.wait_for_function("() => document.getElementById('d-status').textContent === 'Đã có kết quả'")
    history = page.locator("#d-events tr")
    assert [history.nth(i).get_attribute("data-action") for i in range(history.count())] == [
        "receive",
        "transfer",
        "result_ready",
    ]
    assert "Đã chuyển cơ quan giải quyết → Đã có kết quả" in history.nth(2).inner_text()
    assert page.locator("#actions [data-action='return']").is_visible()
    assert page.locator("#actions [data-action='transfer']").count() == 0
    scan = {"name": "to-khai.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4 scan"}
    page.set_input_files("#upload-file", files=[scan])
    page.get_by_role("button", name="Tải lên", exact=True).click()
    page.get_by_role("link", name="to-khai.pdf").wait_for()
    screenshot(page, "dossier-detail")
    check_accessibility(page)


def test_a_manifest_reception_shows_the_missing_and_the_extra_dossier_and_results_go_back_by_post(
    app, server, contexts
):
    token = device_token(app, "postal", "NA-BC-VINH", "Bưu cục Vinh")
    listed, missing, extra = (take_in(server.url, token, channel="postal") for _ in range(3))
    post = {"Authorization": f"Bearer {token}"}
    manifest = requests.post(
        f"{server.url}/api/v1/manifests",
        json={"direction": "to_centre", "from_site": "NA-BC-VINH", "to_site": "NA-HCC"},
        headers=post,
        timeout=10,
    ).json()["code"]
    at = f"{server.url}/api/v1/manifests/{manifest}"
    for dossier in (listed, missing):
        requests.post(f"{at}/items", json={"dossier": dossier}, headers=post, timeout=10).raise_for_status()
    requests.post(f"{at}/close", headers=post, timeout=10).raise_for_status()

    page = signed_in_page(contexts, server, "officer1")
    page.goto(f"{server.url}/console/manifests")
    page.wait_for_selector(f"#manifests tr[data-manifest='{manifest}']")
    for scanned, shown in ((manifest, listed), (listed, listed), (extra, extra)):
        wedge_scan(page, scanned)
        page.wait_for_selector(f"#reception-items tr[data-dossier='{shown}'][data-state]")
    page.wait_for_selector(f"#reception-items tr[data-dossier='{listed}'][data-state='arrived']")
    items = page.locator("#reception-items tr")
    states = {row.get_attribute("data-dossier"): row.get_attribute("data-state") for row in items.all()}
    assert states == {listed: "arrived", missing: "expected", extra: "extra"}
    assert [page.inner_text(f"#n-{state}") for state in ("arrived", "expected", "extra")] == ["1", "1", "1"]
    page.get_by_role("button", name="Kết thúc nhận").click()
    page.wait_for_selector(f"#reception-items tr[data-dossier='{missing}'][data-state='missing']")
    assert page.inner_text("#reception-summary") == f"Thiếu 1 hồ sơ: {missing}"
    red = items.filter(has_text=missing).locator("td").first.evaluate("td => getComputedStyle(td).color")
    assert red == "rgb(127, 29, 29)"
    screenshot(page, "manifest-reception")
    check_accessibility(page)

    with staff_session(server.url, "officer1") as officer:
        by_post = take_in(server.url, officer, delivery="post", delivery_address="Số 5 Quang Trung, Vinh")
        for action in ("transfer", "result_ready"):
            url = f"{server.url}/api/v1/dossiers/{by_post}/actions/{action}"
            officer.post(url, json={}, timeout=10).raise_for_status()
    # The kinds of manifest a centre sends, each with its own places: results by post go to a
    # post office, the others to the province's other centres.
    page.select_option("#direction", "to_post")
    assert page.locator("#destination option:not([disabled])").all_inner_texts() == [
        "Bưu cục Trung tâm Vinh (NA-BC-VINH)"
    ]
    page.select_option("#direction", "to_centre")
    assert page.input_value("#destination") == "NA-TRUONGVINH"
    page.select_option("#direction", "to_post")
    page.select_option("#destination", "NA-BC-VINH")
    page.get_by_role("button", name="Lập bảng kê", exact=True).click()
    page.get_by_role("button", name=f"Thêm {by_post}").click()
    page.wait_for_selector(f"#outgoing-items tr[data-dossier='{by_post}']")
    page.get_by_role("button", name="Đóng bảng kê").click()
    page.wait_for_selector("#manifests tr[data-status='closed']")
    assert "NA-BC-VINH" in page.inner_text("#manifests tr[data-status='closed']")
    assert "Đã đóng bảng kê" in page.inner_text("#notice")


@pytest.fixture
def watching_server(app, database_url, live_server_factory, monkeypatch):
    """A live server whose deadline watch looks every second. "Due soon" is widened to three
    working days: a procedure of eight working hours is due at the end of the next working day,
    so, received after mid-afternoon, more than eight working hours are left, and with the
    default the test would depend on the time of day it runs."""
    monkeypatch.setenv("DOSSIER_WATCH_SECONDS", "1")
    monkeypatch.setenv("DOSSIER_DUE_SOON_HOURS", "24")
    return live_server_factory(database_url)


def test_a_supervisor_sees_the_flagged_count_and_a_banner_when_a_dossier_falls_due_soon(
    watching_server, contexts
):
    page = signed_in_page(contexts, watching_server, "supervisor", "giam-sat-demo")
    page.goto(f"{watching_server.url}/console/dossiers")
    page.wait_for_function("() => document.getElementById('count-due_soon').textContent === '0'")
    page.wait_for_function("() => window.DOSSIERS.live.socket.connected")
    # Eight working hours: due soon (see watching_server) from the moment it is received.
    with staff_session(watching_server.url, "officer1") as officer:
        code = take_in(watching_server.url, officer, procedure="1.000775")
    page.wait_for_selector("#due-banner:not([hidden])", timeout=5000)
    assert code in page.inner_text("#due-text") and "sắp đến hạn" in page.inner_text("#due-text")
    page.wait_for_function("() => document.getElementById('count-due_soon').textContent === '1'")
    assert "Sắp đến hạn" in page.inner_text(f"#rows tr[data-code='{code}']")
    screenshot(page, "dossier-list-due-soon")
    check_accessibility(page)


def test_an_officer_of_another_centre_is_refused_a_dossier_of_the_province(server, contexts):
    with staff_session(server.url, "officer1") as officer:
        code = take_in(server.url, officer)
    page = contexts(viewport={"width": 1280, "height": 800})
    page.goto(f"{server.url}/console/dossiers/{code}")
    page.wait_for_url(re.compile(r"/console\?next="))
    page.fill("#username", "officer3")
    page.fill("#password", "officer-demo")
    with page.expect_response(lambda response: response.url.endswith(f"/console/dossiers/{code}")) as answer:
        page.click("#login-form button[type=submit]")
    assert answer.value.status == 403
    assert page.inner_text("h1") == "Không có quyền xem hồ sơ này"
    assert page.goto(f"{server.url}/console/dossiers?site=NA-HCC").status == 403
    assert page.goto(f"{server.url}/console/dossiers").status == 200  # the ward's own list


def test_a_ward_officer_refuses_at_intake_and_stops_a_dossier_of_the_province(server, contexts):
    """The ward takes in the province's procedures (the handling centre is named, the citizen
    chooses where to collect); a refusal registers nothing and offers only Mẫu 03; a stop asks
    how the citizen asked and issues Mẫu 05."""
    page = signed_in_page(contexts, server, "officer3")
    page.set_viewport_size({"width": 1366, "height": 768})
    page.goto(f"{server.url}/console/dossiers/new")
    page.wait_for_selector("#procedure option[value='NA-HCC|1.001756']", state="attached")
    page.fill("#a-name", "Hồ Thị Cúc")
    page.select_option("#procedure", "NA-HCC|1.001756")
    assert "Nơi giải quyết: Trung tâm Phục vụ hành chính công tỉnh Nghệ An" in page.inner_text(
        "#procedure-info"
    )
    assert page.is_visible("#return-to-box")
    page.check("input[name=decision][value=refuse]")
    assert page.is_hidden("#result-section") and page.inner_text("#submit") == "Lập phiếu từ chối (Mẫu 03)"
    page.click("#submit")
    error = page.locator("[data-error-for='reason']")
    error.wait_for()
    assert error.inner_text() == "Nhập lý do."
    page.fill("#reason", "Người yêu cầu không thuộc đối tượng")
    page.click("#submit")
    page.wait_for_url(re.compile(r"/console/dossiers/[^/?]+\?created=1$"))
    page.wait_for_selector("#d-events tr")
    assert "Đã lập phiếu từ chối tiếp nhận hồ sơ" in page.inner_text("#notice")
    assert page.inner_text("#d-status") == "Bị từ chối"
    assert page.locator("#forms a").all_inner_texts() == ["Mẫu 03 - Phiếu từ chối tiếp nhận giải quyết hồ sơ"]
    assert page.is_hidden("#receipt-print") and page.locator("#actions button").count() == 0
    screenshot(page, "dossier-refused-at-intake")

    with staff_session(server.url, "officer3") as ward:
        body = {
            "site": "NA-HCC",
            "intake_site": "NA-TRUONGVINH",
            "procedure": "1.001756",
            "applicant": APPLICANT,
        }
        code = ward.post(f"{server.url}/api/v1/dossiers", json=body, timeout=10).json()["code"]
    page.goto(f"{server.url}/console/dossiers/{code}")
    page.wait_for_selector("#d-events tr")
    assert "Giải quyết: Trung tâm Phục vụ hành chính công tỉnh Nghệ An" in page.inner_text("#d-route")
    assert page.locator("#actions [data-action='transfer']").count() == 0  # the province's step
    page.get_by_role("button", name="Dừng giải quyết").click()
    page.select_option("#stop-via", "post")
    page.locator("#dialog-stop").get_by_role("button", name="Xác nhận").click()
    page.wait_for_function("() => document.getElementById('d-status').textContent === 'Đã dừng giải quyết'")
    assert "Mẫu 05 - Thông báo dừng giải quyết hồ sơ" in page.locator("#forms a").all_inner_texts()
    check_accessibility(page)
