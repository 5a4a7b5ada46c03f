"""The report page and the live supervisor dashboard, driven in headless Chromium as a centre
manager uses them, against three generated weeks of a busy centre (:mod:`tests.report_data`).

Uses the browser and the live server of ``tests/conftest.py`` and the checks of
:mod:`tests.browser` (screenshots in test-artifacts/, axe-core for labels and contrast).
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from openpyxl import load_workbook

from queue_server.database import db

from .browser import check_accessibility, screenshot
from .helpers import issue_over_http, login, staff_session
from .report_data import DAYS, FIRST, add_bookings, generate

# The page tests' fixtures: a live server, and new pages in the shared headless Chromium.

LAST = FIRST + timedelta(days=DAYS - 1)
PERIOD = f"site=NA-HCC&from={FIRST.isoformat()}&to={LAST.isoformat()}"
CHARTS = ("chart-daily", "chart-services", "chart-channels", "chart-outcomes", "chart-satisfaction")


def shown_number(text: str) -> float:
    """A figure as the page writes it in Vietnamese ("1.234", "12,3 phút", "72,5%")."""
    return float(re.search(r"[\d.,]+", text).group().replace(".", "").replace(",", "."))


def tile(page, key: str) -> str:
    return page.inner_text(f"[data-figure='{key}'] .reports-tile-value")


def painted_pixels(page, canvas_id: str) -> int:
    return page.evaluate(
        """id => {
            const canvas = document.getElementById(id);
            const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
            let painted = 0;
            for (let i = 3; i < pixels.length; i += 4) { if (pixels[i] > 0) { painted++; } }
            return painted;
        }""",
        canvas_id,
    )


def test_a_supervisor_reads_three_busy_weeks_as_tiles_charts_and_tables_and_downloads_them(
    app, server, contexts, tmp_path
):
    with app.app_context():
        generate(db.session)
    add_bookings(app, {"NM-DD": ["checked_in", "checked_in", "cancelled"], "NM-MT": ["no_show"]})
    page = contexts(viewport={"width": 1440, "height": 1000}, accept_downloads=True)
    page.goto(f"{server.url}/reports?{PERIOD}")
    page.wait_for_url(re.compile(r"/console\?next="))  # not logged in: the console's login, then back
    page.fill("#username", "supervisor")
    page.fill("#password", "giam-sat-demo")
    page.click("#login-form button[type=submit]")
    page.wait_for_url(re.compile(r"/reports\?"))
    page.wait_for_selector("#main[aria-busy='false']")
    report = page.request.get(f"{server.url}/api/v1/reports?{PERIOD}").json()
    queue = report["queue"]

    assert page.input_value("#r-preset") == "custom" and page.input_value("#r-from") == "2026-10-05"
    assert "05/10/2026 đến 25/10/2026" in page.inner_text("#period")
    assert tile(page, "issued") == f"{queue['issued']:,}".replace(",", ".")  # "4.609"
    assert tile(page, "served") == f"{queue['served']:,}".replace(",", ".")
    assert shown_number(tile(page, "no_show")) == queue["no_show"]
    assert tile(page, "wait_avg").endswith(" phút")
    assert abs(shown_number(tile(page, "wait_avg")) - queue["wait_avg_s"] / 60) <= 0.051
    assert abs(shown_number(tile(page, "wait_p90")) - queue["wait_p90_s"] / 60) <= 0.051
    assert abs(shown_number(tile(page, "within_target")) - 100 * queue["within_target_share"]) <= 0.051
    on_time = report["dossiers"]["on_time_share"]
    assert abs(shown_number(tile(page, "dossiers_on_time")) - 100 * on_time) <= 0.051
    satisfied = report["satisfaction"]["satisfied_share"]
    assert abs(shown_number(tile(page, "satisfied")) - 100 * satisfied) <= 0.051

    for chart in CHARTS:
        assert painted_pixels(page, chart) > 1000, chart
    issued = f"{queue['issued']:,}".replace(",", ".")
    assert f"tổng {issued} số cấp" in page.get_attribute("#chart-daily", "aria-label")
    monday_9 = page.get_attribute("#heatmap tbody tr:first-child td:nth-of-type(3)", "title")
    first_hour = int(page.inner_text("#heatmap thead th:first-of-type").rstrip("h"))
    assert monday_9 == f"Thứ Hai, {first_hour + 2} giờ: {report['heatmap'][0][first_hour + 2]} số"
    assert page.locator("#counters tr").count() == len(report["counters"])
    assert page.locator("#officers tr").count() == len(report["officers"])
    assert page.locator("#bookings tr").count() == 2
    land = page.locator("#bookings tr[data-service='NM-DD'] td").all_inner_texts()
    assert land == ["05/10/2026", "NM-DD · Đất đai", "3", "2", "0", "0", "1"]
    assert "Đã đặt lịch\n4" in page.inner_text("#booking-facts")
    busiest = report["counters"][0]
    reason, seconds = max(busiest["pause_reasons"].items(), key=lambda item: item[1])
    row = page.inner_text(f"#counters tr[data-counter='{busiest['counter']}']")
    assert f"{reason}: {int(seconds / 60 + 0.5)} phút" in row
    screenshot(page, "reports-page")
    check_accessibility(page)

    with page.expect_download() as download:
        page.click("#download-xlsx")
    assert download.value.suggested_filename == "bao-cao-NA-HCC-2026-10-05-2026-10-25.xlsx"
    download.value.save_as(tmp_path / "report.xlsx")
    book = load_workbook(tmp_path / "report.xlsx")
    assert "Theo quầy" in book.sheetnames and len(book.sheetnames) == 12
    csv = page.request.get(server.url + page.get_attribute("[data-csv='counters']", "href"))
    assert csv.ok and csv.headers["content-type"].startswith("text/csv")

    page.select_option("#r-preset", "today")  # a preset loads at once and stays in the address
    page.wait_for_url(re.compile(r"preset=today"))
    page.wait_for_selector("#main[aria-busy='false']")
    assert tile(page, "issued") == "0"


# The dashboard's row of the land service (đất đai), where the kiosk takes numbers.
NM_DD = "#services tr[data-service='NM-DD']"


def test_the_live_dashboard_follows_a_new_ticket_and_a_paused_counter_as_they_happen(
    server, kiosk_token, contexts
):
    issue_over_http(server.url, kiosk_token, "NM-DD")
    page = contexts(viewport={"width": 1440, "height": 1000})
    page.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "supervisor", "password": "giam-sat-demo"}
    )
    page.goto(f"{server.url}/reports/live/NA-HCC")
    page.wait_for_selector("#main[aria-busy='false']")
    page.wait_for_function("() => document.getElementById('live-status').textContent.startsWith('Đang nhận')")
    before = int(page.get_attribute(f"{NM_DD} td[data-waiting]", "data-waiting"))
    assert before == 1 and page.inner_text(f"{NM_DD} td:nth-child(3)") == "dưới 1 phút"  # longest wait

    issue_over_http(server.url, kiosk_token, "NM-DD")
    page.wait_for_function(
        "([row, n]) => document.querySelector(row + ' td[data-waiting]').dataset.waiting == n",
        arg=[NM_DD, before + 1],
        timeout=10_000,
    )
    assert page.get_attribute("[data-figure='waiting']", "data-value") == "2"

    supervisor = staff_session(server.url, "supervisor")
    counters = supervisor.get(f"{server.url}/api/v1/sites/NA-HCC/counters", timeout=10).json()
    counter_3 = next(c for c in counters if c["number"] == 3)
    paused = supervisor.post(
        f"{server.url}/api/v1/counters/{counter_3['id']}/pause", json={"reason": "Họp giao ban"}, timeout=10
    )
    assert paused.ok
    page.wait_for_selector("#counters li[data-counter='3'][data-state='paused']", timeout=10_000)
    assert "Đang tạm dừng — Họp giao ban, từ " in page.inner_text("#counters li[data-counter='3']")
    assert "11 mở · 1 tạm dừng · 0 đóng" in page.inner_text("[data-figure='counters']")
    screenshot(page, "reports-dashboard")
    check_accessibility(page)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_the_queue_now_counts_todays_service_and_the_longest_wait(app, kiosk):
    first = kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"}).json
    kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "NM-DD"})
    kiosk.post("/api/v1/sites/NA-HCC/tickets", json={"service": "TC-DT"})
    supervisor = login(app.test_client(), "supervisor")
    counters = {c["number"]: c["id"] for c in supervisor.get("/api/v1/sites/NA-HCC/counters").json}
    called = supervisor.post(f"/api/v1/counters/{counters[3]}/call-next").json["ticket"]
    assert called["number"] == first["number"]
    supervisor.post(f"/api/v1/counters/{counters[3]}/call-next")  # finishes the first, calls the second
    supervisor.post(f"/api/v1/counters/{counters[7]}/pause", json={"reason": "Nghỉ giữa giờ"})

    now = supervisor.get("/api/v1/reports/live/NA-HCC").json
    services = {s["code"]: s for s in now["services"]}
    assert (now["issued"], now["served"], now["waiting_total"]) == (3, 1, 1)
    assert services["NM-DD"]["waiting"] == 0 and services["NM-DD"]["served"] == 1
    assert services["NM-DD"]["longest_wait_s"] is None
    assert services["TC-DT"]["waiting"] == 1 and 0 <= services["TC-DT"]["longest_wait_s"] < 60
    counters_now = {c["number"]: c for c in now["counters"]}
    assert counters_now[3]["served"] == 1 and counters_now[3]["current"]["service"] == "NM-DD"
    assert counters_now[7]["state"] == "paused" and counters_now[7]["pause_reason"] == "Nghỉ giữa giờ"
    assert counters_now[7]["paused_since"] is not None and counters_now[3]["paused_since"] is None


def test_officers_get_a_readable_refusal_and_strangers_the_login(app):
    stranger = app.test_client()
    assert stranger.get("/reports/live/NA-HCC").headers["Location"] == "/console?next=/reports/live/NA-HCC"
    officer = login(app.test_client(), "officer1")
    for path in ("/reports", "/reports/live/NA-HCC"):
        refused = officer.get(path)
        assert refused.status_code == 403 and "Không có quyền truy cập" in refused.get_data(as_text=True)
    assert officer.get("/api/v1/reports/live/NA-HCC").status_code == 403
    supervisor = login(app.test_client(), "supervisor")
    assert supervisor.get("/reports/live/NA-TRUONGVINH").status_code == 403
    assert supervisor.get("/reports?site=NA-TRUONGVINH").status_code == 403
    admin = login(app.test_client(), "admin")
    page = admin.get("/reports?site=all").get_data(as_text=True)
    assert '<option value="all">Mọi trung tâm</option>' in page and '"chosen": "all"' in page


def test_todays_report_counts_tickets_still_in_the_queue_as_waiting(server, kiosk_token, contexts):
    """Two numbers taken today and not yet called are waiting, not "never called"."""
    issue_over_http(server.url, kiosk_token, "NM-DD")
    issue_over_http(server.url, kiosk_token, "TC-DT")
    page = contexts(viewport={"width": 1366, "height": 768})
    page.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "supervisor", "password": "giam-sat-demo"}
    )
    page.goto(f"{server.url}/reports?site=NA-HCC&preset=today")
    page.wait_for_selector("#main[aria-busy='false']")
    assert tile(page, "issued") == "2"
    note = page.inner_text("[data-figure='issued'] .reports-tile-note")
    assert note == "Đang chờ: 2 · Không được gọi: 0"
