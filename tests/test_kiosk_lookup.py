"""The kiosk's look-ups: a dossier by its code typed on the keypad, the procedure catalogue
searched without tone marks (the public search, the procedure's phone page, its checklist on
the kiosk's printer), and refused scans said in Vietnamese, never the server's English."""

from __future__ import annotations

import re

import pytest
import requests
from PIL import Image

from hardware.printers import open_printer
from hardware.raster import raster_image
from kiosk.agent import LAYOUTS, Agent
from queue_server.auth.services import issue_device_token
from queue_server.database import db
from queue_server.dossiers import guidance
from queue_server.dossiers.models import Procedure
from queue_server.sites.models import Department

from .browser import KIOSK_SIZES, PHONE, assert_fits, check_accessibility, open_kiosk, screenshot, wedge_scan
from .helpers import PERSONAL, read_codes, site, staff_session, take_in_over_http

SEARCH = "/api/v1/procedures/search"
LAND = "1.004227"  # Đăng ký biến động quyền sử dụng đất... (field Đất đai)
BUILDING = "1.009994"  # Cấp giấy phép xây dựng...: "đất" only among its documents


def codes(found):
    return [procedure.code if isinstance(procedure, Procedure) else procedure["code"] for procedure in found]


def add_procedure(session, code, name, field=None, documents=(), active=True):
    hcc = site(session)
    department = session.query(Department).filter_by(site_id=hcc.id, code="SNNMT").one()
    session.add(
        Procedure(
            site_id=hcc.id,
            department=department,
            code=code,
            name=name,
            field=field,
            processing_amount=5,
            processing_unit="working_days",
            fee=0,
            documents=[{"name": d, "copies": 1} for d in documents],
            postal_allowed=False,
            active=active,
        )
    )
    session.flush()


# --- The search ---------------------------------------------------------------------------


def test_words_fold_tone_marks_and_d_with_stroke():
    assert guidance.words("Đất đai") == ["dat", "dai"]
    assert guidance.words("ĐĂNG KÝ Hộ tịch; 1.004227") == ["dang", "ky", "ho", "tich", "1", "004227"]
    assert guidance.words("") == [] and guidance.words(None) == []


def test_dat_dai_finds_dat_dai_with_or_without_accents(session):
    hcc = site(session)
    assert codes(guidance.search_procedures(session, hcc, "dat dai")) == [LAND]
    assert codes(guidance.search_procedures(session, hcc, "ĐẤT ĐAI")) == [LAND]
    # Words are beginnings of words: "da" begins "đai" and also "đất", twice in the permit's documents.
    assert codes(guidance.search_procedures(session, hcc, "  Đat  da ")) == [LAND, BUILDING]


def test_name_matches_come_before_field_and_document_matches(session):
    hcc = site(session)
    # "đất" is in the land procedure's name and only in a document of the building permit.
    assert codes(guidance.search_procedures(session, hcc, "dat")) == [LAND, BUILDING]
    add_procedure(session, "9.000001", "Giao đất đai cho hộ gia đình", field="Nông nghiệp")
    add_procedure(session, "9.000002", "Thu hồi giấy chứng nhận", field="Đất đai")
    add_procedure(session, "9.000003", "Cấp bản sao", documents=["Tờ khai đất đai"])
    found = codes(guidance.search_procedures(session, hcc, "dat dai"))
    # Name first; then name and field (the shorter name first); then the document.
    assert found == ["9.000001", "9.000002", LAND, "9.000003"]


def test_the_centre_s_own_procedures_come_first_then_the_province_s(session):
    hcc, ward = site(session), site(session, "NA-TRUONGVINH")
    # "Đăng ký khai sinh" is the ward's, shorter than both of the province's, and still last here.
    assert codes(guidance.search_procedures(session, hcc, "dang ky")) == ["2.001610", LAND, "1.001193"]
    assert codes(guidance.search_procedures(session, ward, "dang ky"))[0] == "1.001193"


def test_limits_empty_queries_and_inactive_procedures(session):
    hcc = site(session)
    for number in range(20):
        add_procedure(session, f"8.{number:06d}", f"Thủ tục thử số {number}")
    add_procedure(session, "8.999999", "Thủ tục thử đã bãi bỏ", active=False)
    assert len(guidance.search_procedures(session, hcc, "thu tuc thu")) == guidance.SEARCH_LIMIT
    assert len(guidance.search_procedures(session, hcc, "thu tuc thu", limit=50)) == 20
    assert len(guidance.search_procedures(session, hcc, "thu tuc thu", limit=3)) == 3
    assert "8.999999" not in codes(guidance.search_procedures(session, hcc, "bai bo", limit=50))
    for empty in ("", "   ", "--- ; ."):
        assert guidance.search_procedures(session, hcc, empty) == []
    assert guidance.search_procedures(session, hcc, "khong co thu tuc nao nhu the") == []


def test_the_public_search_needs_no_login_and_gives_the_facts_and_the_page(client):
    answer = client.get(SEARCH, query_string={"site": "NA-HCC", "q": "dat dai"})
    assert answer.status_code == 200
    (land,) = answer.get_json()
    assert land["code"] == LAND and land["site"] == "NA-HCC" and land["field"] == "Đất đai"
    assert land["processing_time_text"] == "10 ngày làm việc"
    assert land["fee_text"] == "Không thu phí, lệ phí"
    assert "Không nộp qua bưu điện" in land["postal_text"]
    assert land["page_url"] == f"http://localhost/p/NA-HCC/{LAND}"
    assert land["documents"][0] == {"name": "Đơn đăng ký biến động đất đai", "copies": 1}
    permit = client.get(SEARCH, query_string={"site": "NA-HCC", "q": "giay phep xay dung"}).get_json()[0]
    assert permit["fee_text"] == "75.000 đồng" and "bưu chính công ích" in permit["postal_text"]
    assert client.get(SEARCH, query_string={"site": "NA-HCC"}).get_json() == []


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ({"site": "NOWHERE", "q": "dat"}, 404, "unknown_site"),
        ({"q": "dat"}, 422, "validation_failed"),
        ({"site": "NA-HCC", "q": "dat", "limit": 0}, 422, "validation_failed"),
        ({"site": "NA-HCC", "q": "dat", "limit": 51}, 422, "validation_failed"),
        ({"site": "NA-HCC", "q": "dat", "limit": "many"}, 422, "validation_failed"),
        ({"site": "NA-HCC", "q": "d" * 101}, 422, "validation_failed"),
    ],
)
def test_bad_searches_get_a_clear_json_error(client, query, status, code):
    answer = client.get(SEARCH, query_string=query, headers={"Accept": "application/json"})
    assert answer.status_code == status and answer.get_json()["error"]["code"] == code


def test_searches_are_rate_limited_per_address(app, client):
    app.config["PROCEDURE_SEARCH_RATE_LIMIT"] = "3 per minute"
    for _ in range(3):
        assert client.get(SEARCH, query_string={"site": "NA-HCC", "q": "dat"}).status_code == 200
    refused = client.get(SEARCH, query_string={"site": "NA-HCC", "q": "dat"})
    assert refused.status_code == 429 and refused.get_json()["error"]["code"] == "too_many_requests"
    assert int(refused.headers["Retry-After"]) >= 1


# --- The checklist on the kiosk's printer -------------------------------------------------


@pytest.mark.parametrize("paper", [58, 80])
def test_the_checklist_job_prints_as_esc_pos_with_a_qr_code_of_the_procedure_page(
    app, kiosk, tmp_path, paper
):
    job = kiosk.post(f"/api/v1/procedures/NA-HCC/{BUILDING}/print-checklist")
    assert job.status_code == 202 and job.get_json()["kind"] == "checklist"
    (fetched,) = kiosk.get("/api/v1/devices/me/print-jobs").get_json()
    payload = fetched["payload"]
    assert payload["page_url"] == f"http://localhost/p/NA-HCC/{BUILDING}"
    assert payload["documents"] == [
        "Đơn đề nghị cấp giấy phép xây dựng (1 bản)",
        "Bản sao giấy tờ về quyền sử dụng đất (1 bản)",
        "Bản vẽ thiết kế xây dựng (2 bản)",
    ]
    assert payload["processing_time"] == "15 ngày làm việc" and payload["fee"] == "75.000 đồng"
    printer = open_printer(f"sim://{tmp_path}?paper={paper}")
    printer.print_image(LAYOUTS["checklist"](payload, paper))
    (bytes_file,) = tmp_path.glob("job-*.bin")
    data = bytes_file.read_bytes()
    assert data.startswith(b"\x1b@") and b"\x1dV" in data  # initialise ... cut
    printed = raster_image(data)
    assert printed.width == {58: 384, 80: 512}[paper]
    assert read_codes(printed) == {payload["page_url"]}
    # A checklist printed minutes later helps nobody at the kiosk: it expires like a ticket.
    with app.app_context():
        from queue_server.printing.models import PrintJob

        assert db.session.get(PrintJob, fetched["id"]).expires_at is not None


def test_only_a_printing_device_of_the_province_prints_a_known_procedure(app, client, kiosk, officer):
    assert kiosk.post("/api/v1/procedures/NA-HCC/9.999999/print-checklist").status_code == 404
    assert kiosk.post(f"/api/v1/procedures/NOWHERE/{LAND}/print-checklist").status_code == 404
    assert client.post(f"/api/v1/procedures/NA-HCC/{LAND}/print-checklist").status_code in (401, 403)
    assert officer.post(f"/api/v1/procedures/NA-HCC/{LAND}/print-checklist").status_code in (401, 403)
    with app.app_context():
        _, ward = issue_device_token(db.session, "kiosk", "NA-TRUONGVINH", "ward kiosk")
        db.session.commit()
    # The ward's kiosk prints the province's procedures too (any centre of it receives them).
    answer = client.post(
        f"/api/v1/procedures/NA-HCC/{LAND}/print-checklist", headers={"Authorization": f"Bearer {ward}"}
    )
    assert answer.status_code == 202


# --- The procedure's phone page -----------------------------------------------------------


def test_an_unknown_procedure_page_is_a_readable_vietnamese_404(client):
    answer = client.get("/p/NA-HCC/9.999999")
    assert answer.status_code == 404 and "Không tìm thấy thủ tục" in answer.get_data(as_text=True)
    assert client.get("/p/NA-HCC/9.999999/qr.svg").status_code == 404


def test_the_procedure_page_reads_on_a_phone(server, contexts):
    page = contexts(viewport=PHONE)
    page.goto(f"{server.url}/p/NA-HCC/{BUILDING}")
    text = page.inner_text("main")
    for shown in (
        "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ",
        "15 ngày làm việc",
        "75.000 đồng",
        "Sở Xây dựng",
        "dịch vụ bưu chính công ích",
        "Bản vẽ thiết kế xây dựng",
        "(2 bản)",
    ):
        assert shown in text
    assert page.locator(".procedure-documents li").count() == 3
    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[0] <= widths[1], f"the page scrolls sideways: {widths}"
    check_accessibility(page)
    screenshot(page, "procedure-phone")
    qr = requests.get(f"{server.url}/p/NA-HCC/{BUILDING}/qr.svg", timeout=10)
    assert qr.status_code == 200 and qr.headers["Content-Type"].startswith("image/svg+xml")


# --- Refused scans in Vietnamese -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("hello world", "unknown_code"),
        ("000.00.06.H56-231399-0361", "bad_date"),
        ("   ", "empty"),
        ("12345||||||", "bad_id_card"),
        ("040190012345||Nguyễn Văn A|99999999|Nam|Vinh|01012021", "bad_id_card"),
    ],
)
def test_a_refused_scan_says_why_by_a_reason_a_screen_can_translate(client, text, reason):
    answer = client.post("/api/v1/scans", json={"text": text})
    assert answer.status_code == 422
    error = answer.get_json()["error"]
    assert error["code"] == "unreadable_scan" and error["reason"] == reason


ENGLISH = re.compile(r"\b(the|not|a|is|no|of|code|scan|ticket|dossier|manifest|card|valid)\b", re.IGNORECASE)


WHAT_IT_READS = "Kiosk này tra cứu được phiếu số thứ tự và giấy tiếp nhận hồ sơ."


def test_no_english_reaches_the_vietnamese_kiosk_on_the_scan_path(server, kiosk_token, contexts):
    page = open_kiosk(contexts, server, kiosk_token, "portrait")
    told = {
        "hello world": "Không đọc được mã này. " + WHAT_IT_READS,
        "000.00.06.H56-231399-0361": (
            "Mã hồ sơ này không đúng. Vui lòng kiểm tra lại hoặc hỏi quầy hướng dẫn."
        ),
        "000.00.06.H56-231027-0361": "Không tìm thấy hồ sơ này tại trung tâm. Vui lòng hỏi quầy hướng dẫn.",
        f"{server.url}/t/{'x' * 20}": "Không tìm thấy phiếu này. Vui lòng lấy số mới nếu cần.",
        "BK.000.00.06.H56-231027-0001": WHAT_IT_READS,
    }
    for scanned, sentence in told.items():
        if page.is_visible("#refused-done"):
            page.click("#refused-done")
        page.wait_for_selector("#screen-services:not([hidden])")
        wedge_scan(page, scanned)
        page.wait_for_selector("#screen-refused:not([hidden])")
        text = page.inner_text("#refused-text")
        assert text == sentence, scanned
        assert not ENGLISH.search(text), text
    assert_fits(page)
    screenshot(page, "kiosk-scan-refused-portrait")


# --- The look-ups on the kiosk ------------------------------------------------------------


def type_on(page, keyboard: str, text: str) -> None:
    for char in text:
        page.click(f"{keyboard} [data-key='{char}']")


@pytest.mark.parametrize("size", list(KIOSK_SIZES))
def test_a_citizen_types_a_dossier_code_and_sees_its_status(server, kiosk_token, contexts, size):
    code = take_in_over_http(server.url, staff_session(server.url, "officer1"))
    page = open_kiosk(contexts, server, kiosk_token, size)
    # The home screen (the services, kiosk.js) is reworked elsewhere; here, its two buttons.
    check_accessibility(page)
    screenshot(page, f"kiosk-home-{size}")
    page.get_by_role("button", name=re.compile("^Tra cứu hồ sơ")).click()
    page.wait_for_selector("#screen-lookup-dossier:not([hidden])")
    assert page.is_disabled("#lookup-code-go")
    keypad = "#screen-lookup-dossier .lookup-keyboard"
    agency, rest = code.split("-", 1)
    page.get_by_role("button", name=f"Mã của trung tâm: {agency}").click()  # typed whole
    assert page.input_value("#lookup-code") == f"{agency}-"
    type_on(page, keypad, rest[:-1] + "9")
    page.click(f"{keypad} [data-edit='delete']")
    type_on(page, keypad, code[-1])
    assert page.input_value("#lookup-code") == code
    assert_fits(page)
    check_accessibility(page)
    screenshot(page, f"kiosk-lookup-dossier-{size}")
    page.click("#lookup-code-go")
    page.wait_for_selector("#screen-dossier:not([hidden])")
    assert page.inner_text("#dossier-code") == code
    assert page.inner_text("#dossier-status") == "Đã tiếp nhận"
    assert "Cấp Phiếu lý lịch tư pháp" in page.inner_text("#dossier-procedure")
    body = page.inner_text("body")
    assert not any(personal in body for personal in PERSONAL)
    assert_fits(page)
    check_accessibility(page)
    screenshot(page, f"kiosk-lookup-dossier-status-{size}")

    # A code nobody received here: said plainly, in Vietnamese.
    page.click("#dossier-done")
    page.get_by_role("button", name=re.compile("^Tra cứu hồ sơ")).click()
    assert page.input_value("#lookup-code") == ""  # the last citizen's code is gone
    type_on(page, keypad, "000.00.06.H56-231027-0361")
    page.click(f"{keypad} [data-edit='clear']")
    assert page.input_value("#lookup-code") == ""
    type_on(page, keypad, "000.00.06.H56-231027-0361")
    page.click("#lookup-code-go")
    page.wait_for_selector("#screen-refused:not([hidden])")
    assert (
        page.inner_text("#refused-text")
        == "Không tìm thấy hồ sơ này tại trung tâm. Vui lòng hỏi quầy hướng dẫn."
    )


@pytest.mark.parametrize("size", list(KIOSK_SIZES))
def test_a_citizen_finds_a_procedure_without_accents_and_prints_its_checklist(
    server, kiosk_token, contexts, tmp_path, size
):
    page = open_kiosk(contexts, server, kiosk_token, size)
    page.get_by_role("button", name=re.compile("^Tra cứu thủ tục")).click()
    page.wait_for_selector("#screen-lookup-procedures:not([hidden])")
    assert "không cần dấu" in page.inner_text("#lookup-results-status")
    keyboard = "#screen-lookup-procedures .lookup-keyboard"
    type_on(page, keyboard, "DAT DAI")
    assert page.input_value("#lookup-query") == "dat dai"
    page.wait_for_selector("#lookup-results[data-query='dat dai']")
    tile = page.locator(f"#lookup-results [data-procedure='{LAND}']")
    assert page.locator("#lookup-results [data-procedure]").count() == 1
    assert "Đăng ký biến động quyền sử dụng đất" in tile.inner_text()
    assert_fits(page)
    check_accessibility(page)
    screenshot(page, f"kiosk-lookup-search-{size}")

    # Nothing found: said so; then a procedure the post office may take.
    page.click(f"{keyboard} [data-edit='clear']")
    type_on(page, keyboard, "XYZ")
    page.wait_for_selector("#lookup-results[data-query='xyz']", state="attached")
    assert page.inner_text("#lookup-results-status").startswith("Không tìm thấy thủ tục nào")
    page.click(f"{keyboard} [data-edit='clear']")
    type_on(page, keyboard, "GIAY PHEP XAY")
    page.wait_for_selector("#lookup-results[data-query='giay phep xay']")
    page.locator(f"#lookup-results [data-procedure='{BUILDING}']").click()
    page.wait_for_selector("#screen-lookup-procedure:not([hidden])")
    assert page.inner_text("#procedure-name") == "Cấp giấy phép xây dựng mới đối với nhà ở riêng lẻ"
    assert page.inner_text("#procedure-time") == "15 ngày làm việc"
    assert page.inner_text("#procedure-fee") == "75.000 đồng"
    assert "bưu chính công ích" in page.inner_text("#procedure-postal")
    assert page.locator("#procedure-documents li").all_inner_texts()[-1] == "Bản vẽ thiết kế xây dựng (2 bản)"
    page.wait_for_function("() => document.getElementById('procedure-qr').naturalWidth > 0")

    page.click("#procedure-print")
    page.wait_for_function("() => document.getElementById('procedure-print-status').textContent !== ''")
    agent = Agent(server.url, kiosk_token, open_printer(f"sim://{tmp_path}"))
    assert agent.run_once() == 1
    page.wait_for_function(
        "() => document.getElementById('procedure-print-status').dataset.state === 'printed'"
    )
    assert page.inner_text("#procedure-print-status") == "Đã in phiếu, vui lòng nhận phiếu ở khe máy in."
    (preview,) = tmp_path.glob("job-*.png")
    assert read_codes(Image.open(preview)) == {f"{server.url}/p/NA-HCC/{BUILDING}"}
    assert_fits(page)
    check_accessibility(page)
    screenshot(page, f"kiosk-lookup-procedure-{size}")

    # Back to the results, which are still there, and back to the start.
    page.click("#procedure-back")
    page.wait_for_selector(f"#lookup-results [data-procedure='{BUILDING}']")
    page.locator("#screen-lookup-procedures [data-lookup-back]").click()
    page.wait_for_selector("#screen-services:not([hidden])")


def test_a_long_catalogue_entry_and_many_results_still_fit_on_one_screen(app, server, kiosk_token, contexts):
    """Real procedures have long names and long lists: six results and ten documents fit."""
    with app.app_context():
        for number in range(6):
            add_procedure(
                db.session,
                f"7.00000{number}",
                f"Thẩm định thiết kế xây dựng triển khai sau thiết kế cơ sở công trình số {number} "
                "do cơ quan chuyên môn về xây dựng thuộc Ủy ban nhân dân cấp tỉnh thực hiện",
                field="Hoạt động xây dựng",
                documents=[
                    f"Tờ trình thẩm định thiết kế xây dựng theo mẫu, kèm hồ sơ khảo sát số {n}"
                    for n in range(10)
                ],
            )
        db.session.commit()
    for size in KIOSK_SIZES:
        page = open_kiosk(contexts, server, kiosk_token, size)
        page.get_by_role("button", name=re.compile("^Tra cứu thủ tục")).click()
        type_on(page, "#screen-lookup-procedures .lookup-keyboard", "THAM DINH")
        page.wait_for_selector("#lookup-results[data-query='tham dinh']")
        assert page.locator("#lookup-results [data-procedure]").count() == 6
        assert_fits(page)
        screenshot(page, f"kiosk-lookup-search-long-{size}")
        page.locator("#lookup-results [data-procedure='7.000000']").click()
        page.wait_for_selector("#screen-lookup-procedure:not([hidden])")
        assert page.locator("#procedure-documents li").count() == 10
        page.wait_for_function("() => document.getElementById('procedure-qr').naturalWidth > 0")
        assert_fits(page)
        check_accessibility(page)
        screenshot(page, f"kiosk-lookup-procedure-long-{size}")
