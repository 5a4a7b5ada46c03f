"""A site's bank statement, imported by its supervisor (queue_server/payments/): CSV and XLSX
files as the banks write them (a title block, Vietnamese headers, amounts written several
ways), each line's outcome (matched, paid twice, amount differs, unknown, already recorded,
unreadable), the preview that changes nothing, the import that confirms the matched fees
through dossiers/fees.move, a second import that changes nothing, bad files, permissions, the
audit trail, and the page at an office PC's size."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from openpyxl import Workbook
from sqlalchemy import select

from queue_server import vietqr
from queue_server.audit.models import AuditEntry
from queue_server.audit.recorder import Event
from queue_server.database import db, utcnow
from queue_server.dossiers.models import Dossier
from queue_server.payments import reading
from queue_server.payments.models import StatementLine
from queue_server.privacy import retention
from queue_server.storage import current_storage

from .browser import OFFICE, check_accessibility, screenshot, signed_in_page
from .helpers import BOTH_DATABASES, error_of, intake, login, site, staff_session, take_in_over_http

ACCOUNT = "3600201009999"
TITLE = [
    ["NGÂN HÀNG NÔNG NGHIỆP VÀ PHÁT TRIỂN NÔNG THÔN VIỆT NAM"],
    ["SAO KÊ TÀI KHOẢN"],
    [f"Số tài khoản: {ACCOUNT}"],
    ["Tên tài khoản: TRUNG TAM PHUC VU HANH CHINH CONG TINH NGHE AN"],
    ["Từ ngày 01/12/2026 đến ngày 03/12/2026"],
    [],
]
HEADER = [
    "STT",
    "Ngày giao dịch",
    "Số bút toán",
    "Số tiền ghi nợ",
    "Số tiền ghi có (VND)",
    "Diễn giải",
    "Tên người chuyển",
]
PAYER = "NGUYEN THI HOA"


def collecting_account(app, number: str = ACCOUNT) -> None:
    with app.app_context():
        centre = site(db.session)
        centre.payment_bank_bin, centre.payment_account_number = "970405", number
        db.session.commit()


@pytest.fixture
def supervisor(app):
    collecting_account(app)
    return login(app.test_client(), "supervisor")


def due(officer, fee=200000) -> str:
    """A dossier whose fee is due; its code."""
    return intake(officer, fee=fee, fee_payment="unpaid").json["code"]


def memo_text(code: str) -> str:
    """The memo as a bank passes it on: lower case, with text around it."""
    return f"MBVCB.1234567.{vietqr.memo(code).lower()}.NGUYEN THI HOA chuyen tien nop phi ho so"


def csv_file(rows, delimiter=";", encoding="utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter).writerows(TITLE + [HEADER] + rows)
    return out.getvalue().encode(encoding)


def xlsx_file(rows, title=TITLE) -> bytes:
    book = Workbook()
    sheet = book.active
    for row in title + [HEADER] + rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def line(n, reference, amount, description, when="02/12/2026 09:15:00", debit=""):
    return [n, when, reference, debit, amount, description, PAYER]


def upload(client, data: bytes, name="saoke.csv", step="preview", **columns):
    url = "/api/v1/sites/NA-HCC/statements" + ("/preview" if step == "preview" else "")
    body = {"file": (io.BytesIO(data), name), **columns}
    return client.post(url, data=body, content_type="multipart/form-data")


def outcomes(answer) -> dict[str, str]:
    return {line["reference"]: line["outcome"] for line in answer["lines"]}


def fee_events(client, code):
    return [e for e in client.get(f"/api/v1/dossiers/{code}").json["events"] if e["action"] == "fee_confirm"]


@BOTH_DATABASES
def test_a_csv_statement_is_previewed_then_imported_with_every_outcome(app, officer, supervisor):
    matched, twice, differs, counter_paid = (
        due(officer),
        due(officer),
        due(officer),
        intake(officer).json["code"],
    )
    data = csv_file(
        [
            line(1, "FT2633601", "200.000", memo_text(matched)),
            line(2, "FT2633602", "200,000", f"NOP PHI {vietqr.memo(twice)}"),
            line(3, "FT2633603", "200000 VND", f"{vietqr.memo(twice)} lan 2"),  # the same fee again
            line(4, "FT2633604", "150.000", vietqr.memo(differs)),
            line(5, "FT2633605", "200.000", f"ck {vietqr.memo(counter_paid)}"),  # paid at the counter
            line(6, "FT2633606", "50.000", "ung ho quy vac xin"),
            line(7, "FT2633607", "", "phi quan ly tai khoan", debit="11.000"),
            line(8, "FT2633608", "hai tram", vietqr.memo(differs)),
            line(9, "FT2633609", "200.000", vietqr.memo(differs), when="31/02/2026"),
            line(10, "FT2633601", "200.000", memo_text(matched)),  # the bank repeated a line
            ["", "", "", "11.000", "1.000.000", "Tổng cộng", ""],
        ]
    )
    preview = upload(supervisor, data)
    assert preview.status_code == 200, preview.json
    answer = preview.json
    assert answer["account_number"] == ACCOUNT and answer["kind"] == "csv"
    assert (
        answer["columns"]["credit"] == "Số tiền ghi có (VND)"
        and answer["columns"]["payer"] == "Tên người chuyển"
    )
    assert outcomes(answer) == {
        "FT2633601": "already_recorded",  # the last line with that reference; the first matched
        "FT2633602": "matched",
        "FT2633603": "paid_twice",
        "FT2633604": "amount_differs",
        "FT2633605": "paid_twice",
        "FT2633606": "unknown",
        "FT2633608": "unreadable",
        "FT2633609": "unreadable",
    }
    by_row = {line["row"]: line for line in answer["lines"]}
    assert (by_row[8]["outcome"], by_row[8]["dossier"]) == ("matched", matched)
    assert by_row[8]["booked_at"] == "2026-12-02T09:15:00+07:00" and by_row[8]["payer"] == PAYER
    assert (by_row[15]["error"], by_row[16]["error"]) == ("unreadable_amount", "unreadable_date")
    assert by_row[11]["amount_due"] == 200000 and by_row[11]["amount"] == 150000
    counts = answer["counts"]
    assert (counts["matched"], counts["paid_twice"], counts["debit"], counts["skipped"]) == (2, 2, 1, 1)
    assert answer["amounts"]["matched"] == 400000
    # The preview changed nothing.
    assert officer.get(f"/api/v1/dossiers/{matched}").json["fee_status"] == "unpaid"

    imported = upload(supervisor, data, step="import")
    assert imported.status_code == 201, imported.json
    assert imported.json["applied"] == 400000 and imported.json["imported_by"] == "Nguyễn Thị Lan"
    for code, reference in ((matched, "FT2633601"), (twice, "FT2633602")):
        dossier = officer.get(f"/api/v1/dossiers/{code}").json
        assert (dossier["fee_status"], dossier["fee_payment"], dossier["fee_receipt_number"]) == (
            "paid",
            "bank",
            reference,
        )
        assert dossier["fee_confirmed_by"] == "Nguyễn Thị Lan"
        (event,) = fee_events(officer, code)
        assert event["data"]["receipt_number"] == reference and event["data"]["method"] == "bank"
    assert officer.get(f"/api/v1/dossiers/{differs}").json["fee_status"] == "unpaid"

    # The import is kept with its lines, by outcome.
    (listed,) = supervisor.get("/api/v1/sites/NA-HCC/statements").json["imports"]
    assert listed["counts"]["matched"] == 2 and listed["file_name"] == "saoke.csv"
    detail = supervisor.get(f"/api/v1/statements/{listed['id']}").json
    assert [line["outcome"] for line in detail["lines"]] == [
        "matched", "matched", "paid_twice", "amount_differs", "paid_twice", "unknown",
    ]  # fmt: skip
    assert detail["statement"]["amounts"] == {
        "matched": 400000,
        "paid_twice": 400000,
        "amount_differs": 150000,
        "unknown": 50000,
        "already_recorded": 0,
        "unreadable": 0,
    }
    twice_lines = supervisor.get(f"/api/v1/statements/{listed['id']}?outcome=paid_twice").json["lines"]
    assert {line["dossier"] for line in twice_lines} == {twice, counter_paid}

    # A second import of the same file changes nothing.
    again = upload(supervisor, data)
    assert set(outcomes(again.json).values()) == {"already_recorded", "unreadable"}
    second = upload(supervisor, data, step="import")
    assert second.status_code == 201 and second.json["applied"] == 0
    assert len(fee_events(officer, matched)) == 1
    assert supervisor.get(f"/api/v1/statements/{second.json['id']}").json["lines"] == []


def test_an_xlsx_statement_with_real_dates_and_numbers_is_read(app, officer, supervisor):
    from datetime import datetime

    code = due(officer, fee=75000)
    title = [["SAO KÊ TÀI KHOẢN"], ["Số tài khoản", "3600 2010 09999"], []]
    data = xlsx_file(
        [
            [1, datetime(2026, 12, 2, 10, 30), "0012345", None, 75000, f"Nop phi {vietqr.memo(code)}", PAYER],
            [2, "2026-12-02", "0012346", None, 75000.0, "khong ro", ""],
        ],
        title,
    )
    answer = upload(supervisor, data, name="saoke.xlsx").json
    assert answer["kind"] == "xlsx" and answer["account_number"] == ACCOUNT
    assert outcomes(answer) == {"0012345": "matched", "0012346": "unknown"}
    assert upload(supervisor, data, name="saoke.xlsx", step="import").status_code == 201
    dossier = officer.get(f"/api/v1/dossiers/{code}").json
    assert dossier["fee_status"] == "paid" and dossier["fee_receipt_number"] == "0012345"


def test_a_comma_separated_windows_1258_file_and_columns_named_by_the_supervisor(app, officer, supervisor):
    code = due(officer)
    header = ["Ngay", "Ref", "So tien", "Noi dung"]
    out = io.StringIO()
    csv.writer(out).writerows(
        [["Sao kê"], header, ["02/12/2026", "A1", "200,000", f"{vietqr.memo(code)} Nguyễn"]]
    )
    # Windows-1258 has ê but writes its tone apart (a combining tilde): read back as "Nguyễn".
    data = out.getvalue().replace("Nguyễn", "Nguy\u00ea\u0303n").encode("cp1258")
    assert error_of(upload(supervisor, data), 400) == "missing_column"
    refused = upload(supervisor, data).json["error"]
    assert refused["missing"] == ["credit", "reference"]
    answer = upload(supervisor, data, credit="So tien", reference="ref")
    assert answer.status_code == 200, answer.json
    (only,) = answer.json["lines"]
    assert only["outcome"] == "matched" and only["description"].endswith("Nguyễn")


def test_bad_files_are_refused_with_a_reason(app, officer, supervisor):
    assert error_of(upload(supervisor, b"\x89PNG\r\n\x1a\n\x00\x00"), 400) == "unsupported_file"
    assert error_of(upload(supervisor, b"\xd0\xcf\x11\xe0old xls"), 400) == "unsupported_file"
    assert error_of(upload(supervisor, b"PK\x03\x04broken"), 400) == "unsupported_file"
    no_file = supervisor.post(
        "/api/v1/sites/NA-HCC/statements/preview", data={}, content_type="multipart/form-data"
    )
    assert error_of(no_file, 400) == "missing_file"
    collecting_account(app, "1111222233")
    assert error_of(upload(supervisor, csv_file([])), 400) == "wrong_account"
    app.config["STATEMENT_MAX_BYTES"] = 1000
    assert error_of(upload(supervisor, csv_file([]) + b" " * 1000), 413) == "statement_too_large"
    collecting_account(app, None)
    assert error_of(upload(supervisor, csv_file([])), 409) == "no_payment_account"


def test_only_the_sites_supervisors_import_and_read_statements(app, officer, supervisor):
    data = csv_file([line(1, "X1", "200.000", "abc")])
    assert upload(officer, data).status_code == 403
    assert upload(app.test_client(), data).status_code == 401
    assert (
        supervisor.post(
            "/api/v1/sites/NA-TRUONGVINH/statements/preview",
            data={"file": (io.BytesIO(data), "s.csv")},
            content_type="multipart/form-data",
        ).status_code
        == 403
    )
    imported = upload(supervisor, data, step="import").json
    assert officer.get(f"/api/v1/statements/{imported['id']}").status_code == 403
    assert officer.get("/api/v1/sites/NA-HCC/statements").status_code == 403
    admin = login(app.test_client(), "admin")
    assert admin.get(f"/api/v1/statements/{imported['id']}").status_code == 200


def test_the_import_is_in_the_audit_trail_and_reading_its_lines_is_recorded(app, officer, supervisor):
    code = due(officer)
    data = csv_file([line(1, "R1", "200.000", vietqr.memo(code))])
    imported = upload(supervisor, data, step="import").json
    supervisor.get(f"/api/v1/statements/{imported['id']}")
    with app.app_context():
        entries = db.session.scalars(select(AuditEntry).order_by(AuditEntry.id)).all()
        changes = [c for e in entries for c in (e.changes or []) if c.get("table") == "statement_imports"]
        assert changes and changes[0]["op"] == "insert"
        reads = [
            e for e in entries if e.event == Event.PERSONAL_DATA_READ and "bank statement" in str(e.details)
        ]
        assert len(reads) == 1 and all(code in e.details["dossiers"] for e in reads)
        # The payer's name and the description are not copied into the trail.
        assert not any(PAYER in str(e.changes) or PAYER in str(e.details) for e in entries)


@pytest.mark.parametrize(
    ("text", "amount"),
    [
        ("200.000", 200000),
        ("200,000", 200000),
        ("200000 VND", 200000),
        ("1.234.567,00", 1234567),
        ("1,234,567.00", 1234567),
        ("200000,00", 200000),
        ("(50.000)", -50000),
        ("", 0),
        (75000.0, 75000),
    ],
)
def test_amounts_as_banks_write_them(text, amount):
    assert reading.parse_amount(text) == amount


@pytest.mark.parametrize("text", ["hai trăm", "200.00.0", "200,5", "12.5"])
def test_amounts_that_are_not_whole_dong_are_unreadable(text):
    with pytest.raises(reading.Unreadable):
        reading.parse_amount(text)


def test_a_supervisor_imports_a_statement_on_the_page(server, contexts, tmp_path, app):
    collecting_account(app)
    officer_session = staff_session(server.url, "officer1")
    codes = [
        take_in_over_http(server.url, officer_session, fee=200000, fee_payment="unpaid") for _ in range(2)
    ]
    path = tmp_path / "sao-ke-12-2026.xlsx"
    path.write_bytes(
        xlsx_file(
            [
                line(1, "FT001", "200.000", memo_text(codes[0])),
                line(2, "FT002", "200.000", f"nop phi {vietqr.memo(codes[0])}"),
                line(3, "FT003", "180.000", vietqr.memo(codes[1])),
                line(4, "FT004", "20.000", "chuyen nham"),
            ]
        )
    )
    page = signed_in_page(contexts, server, "supervisor", "giam-sat-demo")
    page.set_viewport_size(OFFICE)
    page.goto(f"{server.url}/reports/statements?site=NA-HCC")
    page.locator("#imports").get_by_text("Chưa có lần nhập nào.").wait_for()
    # The file input speaks the page's language, not the browser's ("Choose File").
    assert page.inner_text("#upload .file-pick").split() == "Chọn tệp… Chưa chọn tệp nào".split()
    page.set_input_files("#statement-file", str(path))
    assert page.inner_text("#upload .file-pick-name") == path.name
    screenshot(page, "statements-chosen")
    page.get_by_role("button", name="Xem trước").click()
    page.locator("#preview-lines tr").nth(3).wait_for()
    rows = page.locator("#preview-lines tr").all_inner_texts()
    assert "Khớp, xác nhận đã nộp" in rows[0] and codes[0] in rows[0]
    assert "Nộp hai lần, cần hoàn trả" in rows[1]
    assert "Sai số tiền" in rows[2] and "Phải nộp 200.000" in rows[2]
    assert "Không rõ hồ sơ" in rows[3]
    screenshot(page, "statements-preview")
    check_accessibility(page)
    page.get_by_role("button", name="Xác nhận").click()
    page.locator("#notice").get_by_text("1 hồ sơ được xác nhận").wait_for()
    page.locator("#detail-lines tr").nth(3).wait_for()
    imports = page.locator("#imports tr").all_inner_texts()
    assert len(imports) == 1 and "sao-ke-12-2026.xlsx" in imports[0] and "200.000" in imports[0]
    page.select_option("#detail-outcome", "paid_twice")
    page.wait_for_function("() => document.querySelectorAll('#detail-lines tr').length === 1")
    assert "FT002" in page.inner_text("#detail-lines")
    screenshot(page, "statements-imported")
    check_accessibility(page)
    supervisor = staff_session(server.url, "supervisor")
    assert supervisor.get(f"{server.url}/api/v1/dossiers/{codes[0]}").json()["fee_status"] == "paid"


def test_the_payers_names_go_with_their_dossier_or_after_the_statements_period(app, officer, supervisor):
    """A line that paid a dossier's fee loses its payer and text when the dossier is anonymised;
    every line after RETENTION_STATEMENT_DAYS from its booking; what the reconciliation and the
    reports read (reference, day, amount, outcome, dossier) stays."""
    paid, other = due(officer), due(officer)
    data = csv_file(
        [
            line(1, "FT2633701", "200.000", memo_text(paid)),
            line(2, "FT2633702", "200.000", memo_text(other)),
            line(3, "FT2633703", "50.000", "ung ho quy vac xin"),
        ]
    )
    assert upload(supervisor, data, step="import").status_code == 201

    def lines():
        with app.app_context():
            rows = db.session.execute(
                select(
                    StatementLine.reference,
                    StatementLine.payer,
                    StatementLine.description,
                    StatementLine.amount,
                    StatementLine.outcome,
                    StatementLine.dossier_id.is_not(None),
                ).order_by(StatementLine.reference)
            ).all()
            db.session.remove()
        return [tuple(row) for row in rows]

    imported = lines()
    assert [row[1] for row in imported] == [PAYER] * 3
    runner = app.test_cli_runner()
    app.config.update(RETENTION_STATEMENT_DAYS=0, RETENTION_DOSSIER_DAYS=0)
    with app.app_context():  # the first dossier was anonymised (its own period, elsewhere)
        db.session.scalar(select(Dossier).where(Dossier.code == paid)).personal_data_purged_at = utcnow()
        db.session.commit()
    dry = runner.invoke(args=["purge-personal-data", "--dry-run"])
    assert "statements: 1 to remove (kept for good, or with their dossier" in dry.output, dry.output
    done = runner.invoke(args=["purge-personal-data"])
    assert "and 1 bank statement lines." in done.output, done.output
    first = lines()
    assert first[0] == ("FT2633701", "", "[đã ẩn danh]", 200000, "matched", True)
    assert first[1:] == imported[1:]

    # A year on (the default period) the other lines go too; a second run finds nothing.
    with app.app_context():
        periods = retention.Periods.from_config({**app.config, "RETENTION_STATEMENT_DAYS": 365})
        counts = retention.purge(db.session, current_storage(), periods, now=utcnow() + timedelta(days=400))
        again = retention.purge(db.session, current_storage(), periods, now=utcnow() + timedelta(days=400))
        db.session.remove()
    assert (counts["statements"], again["statements"]) == (2, 0)
    after = lines()
    assert {(row[1], row[2]) for row in after} == {("", "[đã ẩn danh]")}
    assert [(row[0], row[3], row[4], row[5]) for row in after] == [
        (row[0], row[3], row[4], row[5]) for row in imported
    ]
    assert PAYER not in str(after)


def test_a_line_pays_only_a_dossier_received_within_the_window_before_the_statement(app, officer, supervisor):
    """A month's statement does not read years of fees: a dossier received more than
    STATEMENT_MATCH_DAYS before the statement's first day is not looked for."""
    code = due(officer)
    data = csv_file([line(1, "FT2633801", "200.000", memo_text(code), when="02/12/2031 09:15:00")])
    assert outcomes(upload(supervisor, data).json) == {"FT2633801": "unknown"}  # five years on
    app.config["STATEMENT_MATCH_DAYS"] = 0  # every dossier of the site
    assert outcomes(upload(supervisor, data).json) == {"FT2633801": "matched"}
