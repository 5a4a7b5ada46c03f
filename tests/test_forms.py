"""The printable forms of Thông tư 01/2018 (Mẫu 01-06), read back the way a person or a scanner
reads the paper: the PDF's text through pdftotext, its codes through a rasterised page and zxing.
Thông tư 03/2025's set, and the choice of set by the day received: tests/test_form_sets.py."""

from __future__ import annotations

import io
import subprocess
from datetime import date, datetime

import pytest
from openpyxl import load_workbook
from PIL import Image

from hardware.layouts import ReceiptPrint, render_receipt
from queue_server.dossiers import forms
from queue_server.dossiers.models import Dossier, DossierEvent, Procedure
from queue_server.errors import ApiError
from queue_server.sites.models import Department

from .helpers import local, login, pdf_text, read_codes, site

TRACK_URL = "https://hcc.nghean.gov.vn/tra-cuu/h/Zr4vY0pQ2mL8sT1x"
CODE = "000.00.06.H40-231027-0361"
APPLICANT = "Nguyễn Thị Hồng Nhung"
PROCEDURE = "Cấp giấy phép xây dựng nhà ở riêng lẻ"
SUPPLEMENT_ITEMS = ["Bản vẽ mặt bằng móng tỷ lệ 1/100", "Giấy tờ chứng minh quyền sử dụng đất (bản sao)"]


def event(action, at, status, **fields) -> DossierEvent:
    return DossierEvent(action=action, at=at, status=status, data=fields.pop("data", {}), **fields)


@pytest.fixture
def dossier(session) -> Dossier:
    """A building-permit dossier that went through every form: received Friday 27/10/2023
    09:32, a supplement asked and given, sent to the department, late, apologised for."""
    centre = site(session)
    department = session.query(Department).filter_by(site_id=centre.id, code="SXD").one()
    procedure = Procedure(
        site_id=centre.id,
        department=department,
        code="TEST-FORMS-1",
        name=PROCEDURE,
        field="Xây dựng",
        processing_amount=15,
        processing_unit="working_days",
        fee=75000,
        documents=[],
    )
    received = local(2023, 10, 27, 9, 32)
    dossier = Dossier(
        client_id="forms-test",
        code=CODE,
        tracking_key="Zr4vY0pQ2mL8sT1x",
        form_set="TT01/2018",
        site_id=centre.id,
        intake_site_id=centre.id,
        book_site_id=centre.id,
        book_year=2023,
        book_volume=1,
        book_entry=361,
        procedure=procedure,
        channel="counter",
        status="result_ready",
        applicant_name=APPLICANT,
        applicant_id_number="040187001234",
        applicant_phone="0912345678",
        applicant_address="Số 12 đường Lê Hồng Phong, phường Trường Vinh, tỉnh Nghệ An",
        applicant_email="nhung.nguyen@example.vn",
        documents=[
            {
                "name": "Đơn đề nghị cấp giấy phép xây dựng",
                "originals": 1,
                "certified_copies": 0,
                "copies": 0,
            },
            {"name": "Bản vẽ thiết kế xây dựng", "originals": 2, "certified_copies": 0, "copies": 0},
            {"name": "Giấy chứng nhận quyền sử dụng đất", "originals": 0, "certified_copies": 1, "copies": 0},
            {"name": "Căn cước công dân", "originals": 0, "certified_copies": 0, "copies": 1},
            {"name": "Tờ khai thuế", "originals": 1, "certified_copies": 0, "copies": 0},
            {"name": "Hợp đồng thi công", "originals": 0, "certified_copies": 0, "copies": 1},
            {"name": "Văn bản ủy quyền", "originals": 1, "certified_copies": 0, "copies": 0},
        ],
        sets=1,
        delivery="post",
        delivery_address="Số 12 đường Lê Hồng Phong, phường Trường Vinh",
        fee=75000,
        fee_payment="bank",
        fee_status="paid",
        received_at=received,
        received_by_name="Trần Văn Bình",
        due_at=local(2023, 11, 17, 9, 32),
        apology_due_at=local(2023, 11, 24, 16, 0),
        finished_at=local(2023, 11, 22, 10, 15),
        outcome="late",
        created_at=received,
        updated_at=received,
    )
    dossier.events = [
        event("receive", received, "received", to_party=centre.name, actor_name="Trần Văn Bình"),
        event(
            "request_supplement",
            local(2023, 10, 27, 9, 50),
            "supplement_requested",
            actor_name="Trần Văn Bình",
            data={
                "items": SUPPLEMENT_ITEMS,
                "reason": "Hồ sơ thiếu bản vẽ móng theo quy định",
                "number": 12,
                "issuer": "NA-HCC",
                "rule": "pause",
            },
        ),
        event("resubmit", local(2023, 10, 30, 8, 10), "resubmitted", actor_name="Trần Văn Bình"),
        event(
            "transfer",
            local(2023, 10, 30, 14, 0),
            "transferred",
            from_party=centre.name,
            to_party="Sở Xây dựng",
            actor_name="Trần Văn Bình",
            note="Chuyển bản giấy kèm phiếu kiểm soát",
        ),
        event(
            "apologise",
            local(2023, 11, 16, 15, 0),
            "apology_issued",
            actor_name="Lê Văn Cường",
            data={"reason": "Cần thẩm định thực địa công trình liền kề", "signed_by": "Phạm Quốc Hùng"},
        ),
        event(
            "result_ready",
            local(2023, 11, 22, 10, 15),
            "result_ready",
            from_party="Sở Xây dựng",
            to_party=centre.name,
            data={"outcome": "late"},
        ),
    ]
    session.add(dossier)
    session.commit()
    return dossier


def pdf_pages(pdf: bytes) -> int:
    out = subprocess.run(["pdfinfo", "-"], input=pdf, capture_output=True, check=True, text=False)
    (line,) = [line for line in out.stdout.decode().splitlines() if line.startswith("Pages:")]
    return int(line.split()[1])


def first_page(pdf: bytes, dpi: int = 150) -> Image.Image:
    out = subprocess.run(
        ["pdftoppm", "-r", str(dpi), "-png", "-f", "1", "-l", "1", "-"],  # no output root: stdout
        input=pdf,
        capture_output=True,
        check=True,
    )
    return Image.open(io.BytesIO(out.stdout))


def test_the_receipt_has_two_copies_with_everything_the_applicant_was_told(dossier):
    pdf = forms.render_pdf("01", dossier, track_url=TRACK_URL)
    assert pdf_pages(pdf) == 2
    text = pdf_text(pdf)
    # The heading: the centre's governing body and its name (its form settings), the place.
    assert "ỦY BAN NHÂN DÂN TỈNH NGHỆ AN TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG TỈNH NGHỆ AN" in pdf_text(
        pdf, "-raw"
    )
    for expected in (
        "Nghệ An, ngày 27 tháng 10 năm 2023",
        "Mẫu 01 (Thông tư 01/2018/TT-VPCP)",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
        "Liên 1: Lưu",
        "Liên 2: Giao người nộp hồ sơ",
        f"Mã hồ sơ: {CODE}",
        f"Tiếp nhận hồ sơ của: {APPLICANT}",
        "040187001234",
        "0912345678",
        "nhung.nguyen@example.vn",
        PROCEDURE,
        "Đơn đề nghị cấp giấy phép xây dựng",
        "Giấy chứng nhận quyền sử dụng đất",
        "Số lượng hồ sơ: 1 (bộ)",
        "15 ngày làm việc",
        "Thời gian nhận hồ sơ: 09 giờ 32 phút, ngày 27/10/2023",
        "09 giờ 32 phút, ngày 17/11/2023",
        "Qua bưu điện: Số 12 đường Lê Hồng Phong",
        "75.000 đồng (chuyển khoản qua ngân hàng)",
        "Quyển số: 1, Số thứ tự: 361",
        "NGƯỜI NỘP HỒ SƠ",
        "NGƯỜI TIẾP NHẬN HỒ SƠ",
        "Trần Văn Bình",
    ):
        assert expected in text, expected
    assert text.count(f"Mã hồ sơ: {CODE}") == 2
    codes = read_codes(first_page(pdf, dpi=300))
    assert TRACK_URL in codes
    assert CODE in codes


def test_the_receipt_qr_reads_at_ordinary_scan_resolution(dossier):
    assert TRACK_URL in read_codes(first_page(forms.render_pdf("01", dossier, track_url=TRACK_URL)))


def test_the_receipt_cannot_be_printed_without_its_tracking_link(dossier):
    with pytest.raises(TypeError):
        forms.render_html("01", dossier)


def test_the_supplement_request_lists_every_missing_item_numbered_with_the_reason(dossier):
    text = pdf_text(forms.render_pdf("02", dossier))
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert "Số: 12/PYCBS" in text  # the centre's 12th supplement request of the year
    assert f"Hồ sơ của: {APPLICANT}" in text
    assert PROCEDURE in text
    for number, item in enumerate(SUPPLEMENT_ITEMS, start=1):
        assert f"{number}. {item}" in text
    assert "Lý do: Hồ sơ thiếu bản vẽ móng theo quy định" in text
    assert "liên hệ với Trần Văn Bình" in text
    assert "Nghệ An, ngày 27 tháng 10 năm 2023" in text
    assert "không tính vào thời hạn giải quyết" in text  # asked under the rule that paused the clock


def test_the_refusal_gives_the_reason_and_the_rules(dossier, session):
    dossier.events.append(
        DossierEvent(
            action="refuse",
            at=local(2023, 10, 27, 10, 5),
            status="refused",
            actor_name="Trần Văn Bình",
            data={
                "reason": "Thửa đất nằm trong quy hoạch hành lang giao thông",
                "rules_reference": "Điều 89 Luật Xây dựng 2014",
                "number": 3,
            },
        )
    )
    session.commit()
    text = pdf_text(forms.render_pdf("03", dossier))
    assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text
    assert "Số: 3/PTCTN" in text
    assert f"Tiếp nhận hồ sơ của: {APPLICANT}" in text
    assert PROCEDURE in text
    assert "Căn cứ quy định tại Điều 89 Luật Xây dựng 2014" in text
    assert "Thửa đất nằm trong quy hoạch hành lang giao thông" in text


def test_the_apology_gives_the_old_and_the_new_date_signed_by_the_head_of_the_agency(dossier):
    text = pdf_text(forms.render_pdf("04", dossier))
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in text
    assert f"Kính gửi: {APPLICANT}" in text
    assert "Ngày 27/10/2023" in text and CODE in text
    assert "09 giờ 32 phút, ngày 17/11/2023" in text
    assert "Lý do: Cần thẩm định thực địa công trình liền kề" in text
    assert "SỞ XÂY DỰNG" in text and "Sở Xây dựng xin lỗi Ông/Bà" in text
    assert "16 giờ 00 phút, ngày 24/11/2023" in text
    assert "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ" in text and "Phạm Quốc Hùng" in text


def test_the_control_sheet_has_one_row_per_hand_over_with_its_timeliness(dossier):
    pdf = forms.render_pdf("05", dossier)
    text = pdf_text(pdf)
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in text
    assert f"Mã hồ sơ: {CODE}" in text and APPLICANT in text
    assert "Thời gian nhận hồ sơ: 09 giờ 32 phút, ngày 27/10/2023" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 32 phút, ngày 17/11/2023" in text
    assert "Cơ quan chủ trì giải quyết: Sở Xây dựng" in text
    # receive, transfer and result_ready hand the paper over, in that order; the others do not.
    table = pdf_text(pdf, "-raw").split("Ghi chú", 1)[1]
    assert table.startswith(
        f" 1 {APPLICANT} 09 giờ 32 phút, ngày 27/10/2023 Trung tâm Phục vụ hành chính công tỉnh Nghệ An"
        " 2 Trung tâm Phục vụ hành chính công tỉnh Nghệ An 14 giờ 00 phút, ngày 30/10/2023 Sở Xây dựng"
        " Chuyển bản giấy kèm phiếu kiểm soát"
        " 3 Sở Xây dựng 10 giờ 15 phút, ngày 22/11/2023 Trung tâm Phục vụ hành chính công tỉnh Nghệ An"
    )
    # Then the page's top margin, drawn last: the form's number in its circular.
    assert table.endswith("Quá hạn Mẫu 05 (Thông tư 01/2018/TT-VPCP)")


def test_forms_that_need_an_event_say_so_when_it_is_missing(dossier):
    with pytest.raises(ApiError) as raised:
        forms.render_html("03", dossier)
    assert raised.value.status == 409 and "refuse" in raised.value.message
    with pytest.raises(ApiError) as raised:
        forms.render_html("07", dossier)  # Thông tư 01/2018 has six forms
    assert raised.value.status == 404
    with pytest.raises(ApiError) as raised:
        forms.render_html("06", dossier)  # the tracking book covers a period, not one dossier
    assert raised.value.status == 409


def test_every_form_of_the_set_renders_to_a_pdf(dossier):
    """Each form renders; how fast is measured by ``python -m bench.forms``."""
    dossier.events.append(
        DossierEvent(action="refuse", at=local(2023, 10, 27, 10, 5), status="refused", data={"reason": "x"})
    )
    listed = [printable.form.number for printable in forms.available(dossier)]
    assert listed == ["01", "02", "03", "04", "05"]
    for number in listed:
        extra = {"track_url": TRACK_URL} if number == "01" else {}
        assert forms.render_pdf(number, dossier, **extra).startswith(b"%PDF-"), number


def second_dossier(session, first: Dossier) -> Dossier:
    received = local(2023, 10, 30, 14, 45)
    other = Dossier(
        client_id="forms-test-2",
        code="000.00.06.H40-231030-0012",
        tracking_key="second",
        form_set="TT01/2018",
        site_id=first.site_id,
        intake_site_id=first.site_id,
        book_site_id=first.site_id,
        book_year=2023,
        book_volume=1,
        book_entry=362,
        procedure=first.procedure,
        channel="counter",
        status="returned",
        applicant_name="Hồ Văn Tuấn",
        applicant_phone="0987654321",
        documents=[],
        received_at=received,
        due_at=local(2023, 11, 20, 14, 45),
        finished_at=local(2023, 11, 10, 9, 0),
        returned_at=local(2023, 11, 13, 8, 30),
        return_method="counter",
        created_at=received,
        updated_at=received,
    )
    session.add(other)
    session.commit()
    return other


def test_the_tracking_book_pdf_lists_every_dossier_of_the_period(dossier, session):
    second_dossier(session, dossier)
    centre = site(session)
    rows = forms.tracking_book_dossiers(session, centre, date(2023, 10, 1), date(2023, 10, 31))
    assert [d.code for d in rows] == [CODE, "000.00.06.H40-231030-0012"]
    assert forms.tracking_book_dossiers(session, centre, date(2023, 10, 28), date(2023, 10, 29)) == []
    pdf = forms.render_tracking_book_pdf(session, centre, rows, date(2023, 10, 1), date(2023, 10, 31))
    text = pdf_text(pdf, "-raw")
    assert "SỔ THEO DÕI HỒ SƠ" in text and "Mẫu 06 (Thông tư 01/2018/TT-VPCP)" in text
    assert "Từ ngày 01/10/2023 đến ngày 31/10/2023 (quyển số 1/2023)" in text
    # Each row under its own entry in the book, as its receipt says.
    assert f"361 {CODE}" in text and "362 000.00.06.H40-231030-0012" in text
    for expected in (CODE, "000.00.06.H40-231030-0012", APPLICANT, "Hồ Văn Tuấn", "0987654321"):
        assert expected in text, expected
    assert "Qua bưu điện" not in text and "Tại quầy" in text
    assert "27/10/2023" in text and "30/10/2023" in text and "13/11/2023" in text
    width, height = first_page(pdf, dpi=20).size
    assert width > height  # landscape


def test_the_tracking_book_is_served_as_pdf_and_xlsx_to_the_centre_s_staff(dossier, app):
    officer = login(app.test_client(), "officer1")
    period = "from=2023-10-25&to=2023-10-31"  # a PDF covers a week at most
    pdf = officer.get(f"/api/v1/sites/NA-HCC/tracking-book.pdf?{period}")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf", pdf.data[:300]
    assert CODE in pdf_text(pdf.data, "-raw")
    disposition = pdf.headers["Content-Disposition"]
    assert 'filename="NA-HCC-mau-06-so-theo-doi-ho-so-20231025-20231031.pdf"' in disposition
    xlsx = officer.get(f"/api/v1/sites/NA-HCC/tracking-book.xlsx?{period}")
    assert xlsx.status_code == 200
    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert any(cell.value == CODE for row in sheet.iter_rows() for cell in row)
    backwards = officer.get("/api/v1/sites/NA-HCC/tracking-book.pdf?from=2023-10-31&to=2023-10-01")
    assert backwards.status_code == 400 and backwards.json["error"]["code"] == "invalid_period"


def test_the_tracking_book_xlsx_has_a_frozen_header_and_real_local_times(dossier, session):
    second_dossier(session, dossier)
    centre = site(session)
    rows = forms.tracking_book_dossiers(session, centre, date(2023, 10, 1), date(2023, 10, 31))
    book = load_workbook(
        io.BytesIO(forms.tracking_book_xlsx(centre, rows, date(2023, 10, 1), date(2023, 10, 31)))
    )
    sheet = book.active
    assert "SỔ THEO DÕI HỒ SƠ" in sheet["A1"].value and sheet["A1"].font.bold
    header = [cell.value for cell in sheet[4]]
    assert header[:3] == ["STT", "Mã hồ sơ", "Tên thủ tục hành chính"]
    assert len(header) == len(forms.BOOK_COLUMNS)
    assert sheet.freeze_panes == "A5"
    data = list(sheet.iter_rows(min_row=5, values_only=True))
    assert len(data) == 2
    first = dict(zip(header, data[0], strict=True))
    assert first["Mã hồ sơ"] == CODE and first["Tên cá nhân, tổ chức"] == APPLICANT
    assert first["Ngày, giờ nhận hồ sơ"] == datetime(2023, 10, 27, 9, 32)
    assert first["Chuyển hồ sơ đến cơ quan giải quyết"] == datetime(2023, 10, 30, 14, 0)
    assert first["Hình thức trả"] is None
    second = dict(zip(header, data[1], strict=True))
    assert second["Trả kết quả cho cá nhân, tổ chức"] == datetime(2023, 11, 13, 8, 30)
    assert first["STT"] == "361"
    assert second["Hình thức trả"] == "Tại quầy trả kết quả"
    assert sheet.cell(row=5, column=8).number_format == forms.DATETIME_FORMAT
    assert sheet.column_dimensions["C"].width > 20


def test_the_thermal_receipt_payload_prints_and_its_qr_reads_back(dossier):
    payload = forms.receipt_payload(dossier, TRACK_URL)
    receipt = ReceiptPrint(**payload)
    assert receipt.dossier_code == CODE and receipt.applicant == APPLICANT
    assert receipt.received_at == "09 giờ 32 phút, ngày 27/10/2023"
    assert receipt.return_by.startswith("Qua bưu điện: ")
    assert receipt.officer == "Trần Văn Bình"
    image = render_receipt(receipt)
    assert image.width == 512
    assert TRACK_URL in read_codes(image)
