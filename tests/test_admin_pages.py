"""The administration pages, driven in headless Chromium as supervisors and admins use them.

Uses the browser and the live server of ``tests/conftest.py`` and the checks of
:mod:`tests.browser` (screenshots in test-artifacts/, axe-core for labels and contrast).
"""

from __future__ import annotations

import re
from datetime import date, datetime

import requests

from queue_server.demo import ROTATION
from queue_server.sites.models import Rotation

from .browser import check_accessibility, screenshot
from .helpers import VN

# The page tests' fixtures: a live server, and new pages in the shared headless Chromium.


def counter_8_serves(page, monday: str, day: int = 0) -> str:
    """What counter 8 serves on a day of the week starting on ``monday``, as the rota shows it."""
    return page.inner_text(f".rota-week[data-monday='{monday}'] tr[data-counter='8'] td >> nth={day} >> ul")


def test_a_supervisor_edits_a_service_and_a_merged_counter_schedule_and_the_rota_and_trail_follow(
    server, contexts
):
    page = contexts(viewport={"width": 1440, "height": 1000})
    page.goto(f"{server.url}/admin/services")
    page.wait_for_url(re.compile(r"/console\?next="))  # not logged in: the console's login, then back
    page.fill("#username", "supervisor")
    page.fill("#password", "giam-sat-demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/admin/services$"))

    page.get_by_role("button", name="Sửa dịch vụ TP-QT").click()
    dialog = page.locator("#dialog-service")
    assert page.input_value("#v-start") == "1501"
    page.fill("#v-start", "1001")
    dialog.get_by_role("button", name="Xác nhận").click()
    error = dialog.locator("[data-error-for='number_start']")
    error.wait_for()
    assert error.inner_text() == "Số thứ tự trùng với số của dịch vụ TP-LLTP."
    assert page.get_attribute("#v-start", "aria-invalid") == "true"
    screenshot(page, "admin-service-overlap")
    check_accessibility(page)
    page.fill("#v-start", "1501")
    page.fill("#v-name", "Quốc tịch, hộ tịch nước ngoài")
    page.fill("#v-max", "60")
    assert page.input_value("#v-icon") == "family"  # the kiosk's icon, from the built-in set
    page.select_option("#v-icon", label="Con dấu (chứng thực)")
    dialog.get_by_role("button", name="Xác nhận").click()
    row = page.locator("#services tr[data-service='TP-QT']")
    row.filter(has_text="Quốc tịch, hộ tịch nước ngoài").wait_for()
    assert "60" in row.inner_text() and "1501–1999" in row.inner_text()
    kiosk_services = page.request.get(f"{server.url}/api/v1/sites/NA-HCC/services").json()
    assert next(s["icon"] for s in kiosk_services if s["code"] == "TP-QT") == "stamp"
    screenshot(page, "admin-services")

    page.get_by_role("link", name="Quầy và lịch phục vụ").click()
    page.wait_for_selector(".rota-week tr[data-counter='8']")
    this_week, next_week = page.eval_on_selector_all(".rota-week", "ts => ts.map(t => t.dataset.monday)")
    rotation = Rotation(**ROTATION)  # the demo's merged counters follow it
    week_1, week_2 = (
        (this_week, next_week)
        if rotation.week_of(date.fromisoformat(this_week)) == 1
        else (next_week, this_week)
    )
    # The rota's weeks are the site's: on a UTC machine, Sunday evening is already Monday in Vietnam.
    today = datetime.now(VN).date()
    assert date.fromisoformat(this_week) <= today < date.fromisoformat(next_week)
    captions = page.locator(".rota-week caption").all_inner_texts()
    assert captions[[this_week, next_week].index(week_2)].startswith("Tuần 2/2 của luân phiên Quầy gộp · ")
    assert counter_8_serves(page, week_2) == "Sở Xây dựng" and counter_8_serves(page, week_1) == "Sở Tư pháp"
    on_duty = page.inner_text(f".rota-week[data-monday='{week_1}'] tr[data-counter='8'] td .rota-officers")
    assert on_duty == "Trần Văn Hùng"

    rule = page.locator("#counters tr[data-counter='8'] li").filter(has_text="Tuần 2/2")
    rule.get_by_role("button", name=re.compile("^Sửa lịch của quầy 8")).click()
    page.select_option("#r-target", "service:XD-GPXD")
    page.uncheck("#dialog-schedule [data-weekday][value='7']")
    page.locator("#dialog-schedule").get_by_role("button", name="Xác nhận").click()
    page.wait_for_function(
        "w => document.querySelector(`.rota-week[data-monday='${w}'] tr[data-counter='8'] td ul`).textContent"
        " === 'Cấp giấy phép xây dựng'",
        arg=week_2,
    )
    assert counter_8_serves(page, week_1) == "Sở Tư pháp"
    sunday = page.inner_text(f".rota-week[data-monday='{week_2}'] tr[data-counter='8'] td >> nth=6")
    assert sunday.startswith("Nghỉ")
    edited = "XD-GPXD · Cấp giấy phép xây dựng · T2, T3, T4, T5, T6, T7 · Tuần 2/2 của luân phiên Quầy gộp"
    page.locator("#counters tr[data-counter='8'] li").filter(has_text=edited).wait_for()

    page.click("#add-duty")
    duty = page.locator("#dialog-duty")
    page.select_option("#d-user", "officer2")
    page.select_option("#d-counter", "3")
    page.select_option("#d-week", label="Tuần 1/2 của luân phiên Quầy gộp")
    duty.get_by_role("button", name="Xác nhận").click()
    page.locator("#duties tr[data-user='officer2']").filter(has_text="Quầy 3").wait_for()
    page.wait_for_function(
        "w => document.querySelector(`.rota-week[data-monday='${w}'] tr[data-counter='3'] .rota-officers`)",
        arg=week_1,
    )
    screenshot(page, "admin-counters-rota")
    check_accessibility(page)

    page.get_by_role("link", name="Nhật ký thay đổi").click()
    page.fill("#f-actor", "Nguyễn Thị Lan")
    page.get_by_role("button", name="Tìm").click()
    page.wait_for_selector("#rows tr")
    # Each entry is a sentence with the fields it changed; the request is one click away.
    duty_added = page.locator("#rows tr").first
    assert "Nguyễn Thị Lan thêm lịch trực của cán bộ Lê Thị Mai, Quầy 3" in duty_added.inner_text()
    assert "Cán bộ: Lê Thị Mai" in duty_added.inner_text() and "Quầy: Quầy 3" in duty_added.inner_text()
    assert "Luân phiên: Quầy gộp" in duty_added.inner_text()
    assert "/api/v1/admin/sites/NA-HCC/duties" not in duty_added.inner_text()
    duty_added.get_by_text("Chi tiết").click()
    assert "POST /api/v1/admin/sites/NA-HCC/duties" in duty_added.inner_text()
    latest = page.locator("#rows tr").nth(1)
    assert "Nguyễn Thị Lan đổi lịch phục vụ của quầy" in latest.inner_text()
    assert "Sở, ngành: SXD · Sở Xây dựng → trống" in latest.inner_text()
    assert "Dịch vụ: trống → XD-GPXD · Cấp giấy phép xây dựng" in latest.inner_text()
    service_change = page.locator("#rows tr").filter(has_text="Nguyễn Thị Lan đổi dịch vụ TP-QT")
    assert (
        "Tên: Quốc tịch, hộ tịch có yếu tố nước ngoài → Quốc tịch, hộ tịch nước ngoài"
        in service_change.first.inner_text()
    )
    latest.get_by_text("Chi tiết").click()
    assert "/api/v1/admin/schedules/" in latest.inner_text() and "127.0.0.1" in latest.inner_text()
    screenshot(page, "admin-audit")
    check_accessibility(page)


def test_an_admin_issues_a_device_token_shown_once_and_revokes_it(server, contexts):
    officer = contexts(viewport={"width": 1280, "height": 800})
    officer.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "officer1", "password": "officer-demo"}
    )
    refused = officer.goto(f"{server.url}/admin")
    assert refused.status == 403 and "Không có quyền truy cập" in officer.inner_text("h1")

    page = contexts(viewport={"width": 1440, "height": 1000})
    page.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=server.url)
    page.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "admin", "password": "quan-tri-demo"}
    )
    page.goto(f"{server.url}/admin?site=NA-HCC")
    page.get_by_role("link", name="Thiết bị", exact=True).click()
    page.wait_for_selector("#i-counter option[value='3']", state="attached")
    assert page.is_disabled("#i-counter")  # a kiosk names no counter
    page.select_option("#i-kind", "counter")
    page.fill("#i-name", "Bàn phím quầy 3")
    page.select_option("#i-counter", "3")
    page.get_by_role("button", name="Cấp mã").click()
    page.wait_for_selector("#token-panel:not([hidden])")
    token = page.input_value("#token")
    assert token.startswith("counter_")
    page.get_by_role("button", name="Chép mã").click()
    page.wait_for_function("() => document.getElementById('copy-result').textContent !== ''")
    assert page.evaluate("navigator.clipboard.readText()") == token
    row = page.locator("#devices tr").filter(has_text="Bàn phím quầy 3")
    row.wait_for()
    assert "Quầy 3" in row.inner_text() and "Chưa liên lạc" in row.inner_text()
    screenshot(page, "admin-device-token")
    check_accessibility(page)

    device = {"Authorization": f"Bearer {token}"}
    assert requests.get(f"{server.url}/api/v1/devices/me", headers=device, timeout=10).status_code == 200
    page.reload()
    assert page.is_hidden("#token-panel") and token not in page.content()  # shown once only
    row.get_by_role("button", name=re.compile("^Thu hồi")).click()
    page.locator("#confirm").get_by_role("button", name="Đồng ý").click()
    row.locator("td[data-state='revoked']").wait_for()
    assert (
        "Đã thu hồi" in row.inner_text()
        and row.get_by_role("button", name=re.compile("^Thu hồi")).count() == 0
    )
    refused = requests.get(f"{server.url}/api/v1/devices/me", headers=device, timeout=10)
    assert refused.status_code == 401
    screenshot(page, "admin-devices-revoked")

    page.get_by_role("link", name="Nhật ký thay đổi").click()
    revoke = page.locator("#rows tr").filter(has_text="Thu hồi lúc").first
    revoke.wait_for()
    sentence = revoke.locator(".admin-audit-sentence").inner_text()
    assert sentence == "Quản trị hệ thống đổi thiết bị Bàn phím quầy 3"
    assert "Thu hồi lúc: trống → " in revoke.inner_text()
    revoke.get_by_text("Chi tiết").click()
    assert "/revoke" in revoke.inner_text()


def test_an_admin_sets_opening_hours_and_gives_a_new_officer_an_account(server, contexts):
    page = contexts(viewport={"width": 1280, "height": 900})
    page.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "admin", "password": "quan-tri-demo"}
    )
    page.goto(f"{server.url}/admin/sites?site=NA-TRUONGVINH")
    page.wait_for_function("() => document.getElementById('s-name').value !== ''")
    assert page.locator("#hours tr").count() == 10  # two sessions, Monday to Friday
    page.get_by_role("button", name="Thêm buổi làm việc").click()
    last = page.locator("#hours tr").last
    last.locator("select").select_option(label="Thứ Bảy")
    last.locator("input").nth(0).fill("08:00")
    last.locator("input").nth(1).fill("07:00")
    page.get_by_role("button", name="Lưu thay đổi").click()
    error = page.locator("[data-error-for='opening_hours']")
    error.wait_for()
    assert error.inner_text() == "Giờ đóng cửa phải sau giờ mở cửa."
    last.locator("input").nth(1).fill("11:30")
    page.get_by_role("button", name="Lưu thay đổi").click()
    page.wait_for_selector("#notice:not([hidden])")
    saved = page.request.get(f"{server.url}/api/v1/admin/sites/NA-TRUONGVINH").json()
    assert {"weekday": 5, "opens": "08:00", "closes": "11:30"} in saved["opening_hours"]
    screenshot(page, "admin-site")
    check_accessibility(page)

    page.get_by_role("link", name="Tài khoản").click()
    page.get_by_role("button", name="Thêm tài khoản").click()
    page.fill("#u-username", "officer5")
    page.fill("#u-full_name", "Đinh Văn Sơn")
    page.fill("#u-password", "mat-khau-dai-5")
    assert page.is_checked("#dialog-user input[name='sites'][value='NA-TRUONGVINH']")  # the page's site
    page.check("#dialog-user input[name='sites'][value='NA-HCC']")
    page.locator("#dialog-user").get_by_role("button", name="Xác nhận").click()
    row = page.locator("#users tr[data-user='officer5']")
    row.wait_for()
    assert "Cán bộ một cửa" in row.inner_text() and "NA-TRUONGVINH" in row.inner_text()
    row.get_by_role("button", name="Đặt lại mật khẩu cho officer5").click()
    page.fill("#p-password", "ngan")
    page.locator("#dialog-password").get_by_role("button", name="Xác nhận").click()
    page.locator("#dialog-password [data-error-for='password']").wait_for()
    assert page.inner_text("#dialog-password [data-error-for='password']") == "Mật khẩu cần ít nhất 12 ký tự."
    page.fill("#p-password", "mat-khau-moi-5")
    page.locator("#dialog-password").get_by_role("button", name="Xác nhận").click()
    page.wait_for_function("() => document.getElementById('notice').textContent.includes('officer5')")
    login = requests.post(
        f"{server.url}/api/v1/auth/login",
        json={"username": "officer5", "password": "mat-khau-moi-5"},
        timeout=10,
    )
    assert login.status_code == 200 and login.json()["sites"] == ["NA-HCC", "NA-TRUONGVINH"]
    screenshot(page, "admin-users")
    check_accessibility(page)


def test_a_supervisor_sets_the_headings_and_symbols_of_each_form_set_and_the_province(server, contexts):
    page = contexts(viewport={"width": 1366, "height": 768})
    page.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "supervisor", "password": "giam-sat-demo"}
    )
    page.goto(f"{server.url}/admin/forms?site=NA-HCC")
    newest = page.locator("form[data-form-set='TT03/2025']")
    newest.locator("[data-symbol='stop_notice']").wait_for()
    assert newest.locator("input[name=governing_body]").input_value() == "Ủy ban nhân dân tỉnh Nghệ An"
    titles = newest.locator("tbody tr td:nth-child(2)").all_inner_texts()
    assert titles[4] == "Thông báo dừng giải quyết hồ sơ" and len(titles) == 7
    assert page.locator("form[data-form-set='TT01/2018'] tbody tr").count() == 6
    newest.locator("input[name=place_name]").fill("Vinh")
    newest.locator("[data-symbol='stop_notice']").fill("TB-TTPVHCC")
    screenshot(page, "admin-forms")
    check_accessibility(page)
    newest.get_by_role("button", name="Lưu").click()
    page.wait_for_selector("#notice:not([hidden])")
    saved = page.request.get(f"{server.url}/api/v1/sites/NA-HCC/form-settings/TT03/2025").json()
    assert saved["place_name"] == "Vinh" and saved["symbols"]["stop_notice"] == "TB-TTPVHCC"
    older = page.request.get(f"{server.url}/api/v1/sites/NA-HCC/form-settings/TT01/2018").json()
    assert older["place_name"] == "Nghệ An"  # each set keeps its own words

    page.goto(f"{server.url}/admin/sites?site=NA-HCC")
    page.wait_for_function("() => document.getElementById('s-province').value === 'Nghệ An'")
