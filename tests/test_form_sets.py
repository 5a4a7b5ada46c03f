"""Form sets by the day a dossier was received: Thông tư 01/2018 before Thông tư 03/2025 applies
(15/9/2025 by default), Thông tư 03/2025's seven forms from then on; every form of both sets
rendered and read back with pdftotext; the tracking book numbered per book and year, and the
receipt quoting that same entry."""

from __future__ import annotations

from datetime import date

import pytest

from queue_server.database import db
from queue_server.dossiers import forms, formsets, lifecycle, registers
from queue_server.dossiers.models import Dossier

from .helpers import local, login, officer, pdf_text, receive_dossier, site

TRACK_URL = "https://hcc.nghean.gov.vn/d/abc"


def received(session, when, procedure="1.009994", **data) -> Dossier:
    """A dossier of the province taken in at the centre at ``when`` (local time)."""
    body = {"applicant": {"name": "Trần Thị Thu"}, "fee": 75000, "fee_payment": "cash", **data}
    return receive_dossier(session, procedure, body, now=when)


def walk(session, dossier: Dossier, day: date, steps) -> None:
    """Take ``steps`` (action, data, hour) on ``day``."""
    for action, data, hour in steps:
        lifecycle.apply(
            session, dossier, action, officer(session), data, now=local(*day.timetuple()[:3], hour, 0)
        )
    session.commit()


def read(dossier: Dossier, name: str) -> str:
    extra = {"track_url": TRACK_URL} if name in ("01", "receipt") else {}
    return pdf_text(forms.render_pdf(name, dossier, **extra), "-raw")


def test_the_set_is_the_one_in_force_the_day_the_dossier_was_received(session):
    before = received(session, local(2025, 9, 14, 9, 0))
    after = received(session, local(2025, 9, 16, 9, 0))
    assert before.form_set == "TT01/2018" and after.form_set == "TT03/2025"
    assert [f.form.number for f in forms.available(before)] == ["01", "05"]
    assert [(f.form.number, f.form.kind) for f in forms.available(after)] == [
        ("01", "receipt"),
        ("06", "control_sheet"),
    ]
    assert "Mẫu 01 (Thông tư 01/2018/TT-VPCP)" in read(before, "01")
    assert "Mẫu 01 (Thông tư 03/2025/TT-VPCP)" in read(after, "01")
    # "Mẫu 05" is the control sheet of the first and does not exist yet for the second.
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in read(before, "05")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ Mẫu 06" not in read(before, "05")
    assert "Mẫu 06 (Thông tư 03/2025/TT-VPCP)" in read(after, "06")


def test_the_day_thong_tu_03_applies_is_a_setting(app, session):
    app.config["FORMS_TT03_FROM"] = date(2025, 10, 1)
    assert received(session, local(2025, 9, 20, 9, 0)).form_set == "TT01/2018"
    assert received(session, local(2025, 10, 1, 7, 30)).form_set == "TT03/2025"


def test_every_form_of_thong_tu_03_reads_back_with_its_number_title_and_fields(session):
    dossier = received(session, local(2026, 11, 16, 9, 32))
    walk(
        session,
        dossier,
        date(2026, 11, 16),
        [("request_supplement", {"items": ["Bản vẽ mặt bằng móng"], "reason": "Thiếu bản vẽ"}, 10)],
    )
    walk(session, dossier, date(2026, 11, 18), [("resubmit", {}, 9), ("transfer", {}, 10)])
    walk(
        session,
        dossier,
        date(2026, 11, 20),
        [
            (
                "apologise",
                {
                    "reason": "Cần thẩm định thực địa",
                    "new_due_at": "2026-12-21",
                    "signed_by": "Phạm Quốc Hùng",
                    "notified_by": ["sms"],
                },
                8,
            )
        ],
    )
    walk(
        session, dossier, date(2026, 11, 25), [("stop", {"requested_via": "post", "reason": "Rút hồ sơ"}, 8)]
    )
    printable = {f.form.number: f for f in forms.available(dossier)}
    assert sorted(printable) == ["01", "02", "04", "05", "06"]
    assert printable["05"].filename == f"{dossier.code}-mau-05-thong-bao-dung-giai-quyet-ho-so"

    receipt = read(dossier, "01")
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in receipt
    assert f"Quyển số: 1, Số thứ tự: {dossier.book_entry:02d}" in receipt
    # Back complete on Wednesday 18/11 at 09:00: fifteen working days from then (restarted;
    # 24/11 is Vietnam Cultural Day), not from the first receipt.
    assert "Thời gian nhận đủ hồ sơ bổ sung: 09 giờ 00 phút, ngày 18/11/2026" in receipt
    assert "Thời gian trả kết quả giải quyết hồ sơ: 09 giờ 00 phút, ngày 10/12/2026" in receipt
    assert "75.000 đồng (đã hoàn trả)" in receipt  # refunded when stopped

    supplement = read(dossier, "02")
    assert (
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in supplement and "Mẫu 02 (Thông tư 03/2025" in supplement
    )
    assert "Số: 1/PYCBS" in supplement and "Bản vẽ mặt bằng móng" in supplement
    assert "tính lại từ đầu" in supplement

    apology = read(dossier, "04")
    assert "VĂN BẢN XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT" in apology
    assert "Số: 1/VBXL" in apology and "SỞ XÂY DỰNG" in apology
    assert "đề nghị gia hạn thời gian giải quyết hồ sơ đến: 17 giờ 00 phút, ngày 21/12/2026" in apology
    assert "tin nhắn SMS" in apology and "Phạm Quốc Hùng" in apology

    stop = read(dossier, "05")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in stop and "Mẫu 05 (Thông tư 03/2025/TT-VPCP)" in stop
    assert "Số: 1/TB-DGQ" in stop and "(qua bưu điện)" in stop and dossier.code in stop
    assert "Ngày 25/11/2026" in stop and "Lý do: Rút hồ sơ" in stop
    assert "75.000 đồng (đã hoàn trả)" in stop

    sheet = read(dossier, "06")
    assert "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ" in sheet and "Mẫu 06 (Thông tư 03/2025" in sheet
    assert "hẹn trả mới 17 giờ 00 phút, ngày 21/12/2026" in sheet
    assert "Dừng giải quyết theo yêu cầu: 08 giờ 00 phút, ngày 25/11/2026" in sheet


def test_the_refusal_of_each_set_reads_back(session):
    for when, number in (
        (local(2025, 9, 12, 9, 0), "Thông tư 01/2018"),
        (local(2026, 11, 16, 9, 0), "Thông tư 03"),
    ):
        dossier = received(session, when)
        walk(
            session,
            dossier,
            when.date(),
            [("refuse", {"reason": "Không thuộc thẩm quyền", "rules_reference": "Điều 9"}, 10)],
        )
        text = read(dossier, "refusal")
        assert "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ" in text and f"Mẫu 03 ({number}" in text
        assert "Căn cứ quy định tại Điều 9" in text and "Không thuộc thẩm quyền" in text
        assert "75.000 đồng (đã hoàn trả)" in text


def test_thong_tu_01_apology_and_a_stop_notice_from_the_set_in_force_when_stopped(session):
    old = received(session, local(2025, 9, 12, 9, 0), procedure="1.001756")
    walk(session, old, date(2025, 9, 12), [("transfer", {}, 10)])
    walk(
        session,
        old,
        date(2025, 9, 15),
        [("apologise", {"reason": "Chờ xác minh", "new_due_at": "2025-10-06T10:00:00+07:00"}, 9)],
    )
    apology = read(old, "04")
    assert "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ" in apology and "Mẫu 04 (Thông tư 01/2018" in apology
    assert "10 giờ 00 phút, ngày 06/10/2025" in apology
    walk(session, old, date(2025, 9, 22), [("stop", {"requested_via": "in_person"}, 9)])
    # Thông tư 01/2018 has no stop notice: the one in force when stopped is printed.
    assert [f.form.number for f in forms.available(old)][-1] == "05"
    assert [(f.form_set.code, f.form.kind) for f in forms.available(old)][-1] == ("TT03/2025", "stop_notice")
    stop = read(old, "stop_notice")
    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in stop and "Mẫu 05 (Thông tư 03/2025" in stop
    # By number the dossier's own set answers: its Mẫu 05 is the control sheet.
    assert "PHIẾU KIỂM SOÁT" in read(old, "05")


def test_the_tracking_book_numbers_per_book_and_year_and_the_receipt_quotes_the_entry(app):
    with app.app_context():
        session = db.session
        first = received(session, local(2026, 12, 30, 9, 0))
        second = received(session, local(2026, 12, 30, 10, 0))
        centre = site(session)
        book = registers.open_book(session, centre, local(2026, 12, 30, 11, 0), "Nguyễn Thị Lan")
        session.commit()
        third = received(session, local(2026, 12, 31, 9, 0))
        next_year = received(session, local(2027, 1, 4, 9, 0))
        assert (book.volume, book.first_entry) == (2, 3)
        assert [(d.book_year, d.book_volume, d.book_entry) for d in (first, second, third, next_year)] == [
            (2026, 1, 1),
            (2026, 1, 2),
            (2026, 2, 3),  # a new book continues the year's numbering
            (2027, 1, 1),  # a new year starts again at 01
        ]
        assert "Quyển số: 2, Số thứ tự: 03" in read(third, "01")
        rows = forms.tracking_book_dossiers(session, centre, date(2026, 12, 28), date(2026, 12, 31))
        pdf = forms.render_tracking_book_pdf(session, centre, rows, date(2026, 12, 28), date(2026, 12, 31))
        text = pdf_text(pdf, "-raw")
        assert "SỔ THEO DÕI HỒ SƠ" in text and "Mẫu 07 (Thông tư 03/2025/TT-VPCP)" in text
        assert "(quyển số 1/2026, quyển số 2/2026)" in text
        assert f"03 {third.code}" in text and f"01 {first.code}" in text
    officer_client = login(app.test_client(), "officer1")
    volumes = officer_client.get("/api/v1/sites/NA-HCC/tracking-books").json
    assert [(v["year"], v["volume"], v["first_entry"]) for v in volumes] == [
        (2027, 1, 1),
        (2026, 2, 3),
        (2026, 1, 1),
    ]
    assert officer_client.post("/api/v1/sites/NA-HCC/tracking-books").status_code == 403
    opened = login(app.test_client(), "supervisor").post("/api/v1/sites/NA-HCC/tracking-books")
    assert opened.status_code == 201, opened.json
    assert (opened.json["year"], opened.json["volume"], opened.json["first_entry"]) == (2026, 3, 4)
    xlsx = officer_client.get("/api/v1/sites/NA-HCC/tracking-book.xlsx?from=2026-12-28&to=2026-12-31")
    disposition = xlsx.headers["Content-Disposition"]
    assert 'filename="NA-HCC-mau-07-so-theo-doi-ho-so-20261228-20261231.xlsx"' in disposition


def test_a_centre_sets_its_headings_place_and_symbols_per_form_set(app):
    supervisor = login(app.test_client(), "supervisor")
    url = "/api/v1/sites/NA-HCC/form-settings/TT03/2025"
    shown = supervisor.get(url).json
    assert shown["governing_body"] == "Ủy ban nhân dân tỉnh Nghệ An"
    assert shown["symbols"]["stop_notice"] == "TB-DGQ"
    assert [f["number"] for f in shown["forms"]] == ["01", "02", "03", "04", "05", "06", "07"]
    changed = supervisor.put(
        url,
        json={
            "centre_name": "Trung tâm PVHCC tỉnh Nghệ An",
            "place_name": "Vinh",
            "symbols": {"stop_notice": "TB-TTPVHCC"},
        },
    )
    assert changed.status_code == 200 and changed.json["place_name"] == "Vinh"
    bad = supervisor.put(url, json={"symbols": {"receipt": "X"}})
    assert bad.status_code == 400 and bad.json["error"]["code"] == "invalid_symbols"
    assert supervisor.get("/api/v1/sites/NA-HCC/form-settings/TT99").status_code == 404
    assert login(app.test_client(), "officer1").put(url, json={"place_name": "X"}).status_code == 403

    with app.app_context():
        dossier = received(db.session, local(2026, 11, 16, 9, 0))
        walk(db.session, dossier, date(2026, 11, 17), [("stop", {}, 9)])
        text = read(dossier, "05")
        assert "TRUNG TÂM PVHCC TỈNH NGHỆ AN" in text and "Vinh, ngày 17 tháng 11 năm 2026" in text
        assert "Số: 1/TB-TTPVHCC" in text
        # The older set keeps its own words.
        assert "Nghệ An, ngày" in read(received(db.session, local(2025, 9, 12, 9, 0)), "01")


def test_a_centre_may_replace_a_form_template(app, session, tmp_path):
    folder = tmp_path / "forms" / "tt03_2025"
    folder.mkdir(parents=True)
    (folder / "stop_notice.html").write_text(
        '{% extends "_base.html" %}{% block content %}<p>Mẫu riêng của trung tâm: {{ dossier.code }}</p>'
        "{% endblock %}",
        encoding="utf-8",
    )
    app.config["FORM_TEMPLATES_DIR"] = tmp_path / "forms"
    dossier = received(session, local(2026, 11, 16, 9, 0))
    walk(session, dossier, date(2026, 11, 17), [("stop", {}, 9)])
    assert f"Mẫu riêng của trung tâm: {dossier.code}" in read(dossier, "stop_notice")
    assert "GIẤY TIẾP NHẬN" in read(dossier, "receipt")  # the others are the built-in ones


@pytest.mark.parametrize("name", ["08", "tracking_book", "nothing"])
def test_forms_a_dossier_does_not_have_are_refused(session, name):
    dossier = received(session, local(2026, 11, 16, 9, 0))
    with pytest.raises(Exception) as raised:
        forms.render_html(name, dossier, track_url=TRACK_URL)
    assert getattr(raised.value, "status", None) in (404, 409)


def test_each_set_lists_its_forms_by_number_and_title():
    assert [f.label for f in formsets.TT03_2025.forms] == [
        "Mẫu 01 - Giấy tiếp nhận hồ sơ và hẹn trả kết quả",
        "Mẫu 02 - Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
        "Mẫu 03 - Phiếu từ chối tiếp nhận giải quyết hồ sơ",
        "Mẫu 04 - Văn bản xin lỗi và đề nghị gia hạn thời gian giải quyết",
        "Mẫu 05 - Thông báo dừng giải quyết hồ sơ",
        "Mẫu 06 - Phiếu kiểm soát quá trình giải quyết hồ sơ",
        "Mẫu 07 - Sổ theo dõi hồ sơ",
    ]
    assert [f.number for f in formsets.TT01_2018.forms] == ["01", "02", "03", "04", "05", "06"]
