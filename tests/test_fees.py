"""A dossier's fee as a payment record (queue_server/dossiers/fees.py): paid at the counter and
confirmed at intake, or due and confirmed later with its method and receipt, its amount
changed or waived with a reason, refunded; every move in the history, only by the receiving or
returning centre's staff, and only from a status that allows it."""

from __future__ import annotations

import csv
import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

from queue_server import vietqr
from queue_server.database import utcnow
from queue_server.dossiers.models import Dossier, Procedure
from queue_server.notify.models import Notification

from .browser import OFFICE, PHONE, check_accessibility, screenshot, signed_in_page
from .helpers import (
    APPLICANT,
    act,
    enable_channels,
    error_of,
    intake,
    login,
    pdf_text,
    read_codes,
    receive_dossier,
    site,
    staff_session,
    take_in_over_http,
)
from .test_vietqr import ACCOUNT, AGRIBANK, check


def fee(client, code, move, **body):
    return client.post(f"/api/v1/dossiers/{code}/fee/{move}", json=body)


def events(client, code, prefix="fee_"):
    return [
        e for e in client.get(f"/api/v1/dossiers/{code}").json["events"] if e["action"].startswith(prefix)
    ]


def test_a_fee_paid_at_the_counter_is_confirmed_by_the_receiving_officer_at_intake(officer):
    dossier = intake(officer).json
    assert (dossier["fee_status"], dossier["fee_payment"]) == ("paid", "cash")
    assert dossier["fee_paid_at"] == dossier["received_at"]
    assert dossier["fee_confirmed_by"] == "Trần Văn Hùng"
    assert error_of(fee(officer, dossier["code"], "confirm", method="cash"), 409) == "invalid_fee_move"


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_fee_due_is_confirmed_later_with_its_method_and_receipt(officer):
    dossier = intake(officer, fee_payment="unpaid").json
    code = dossier["code"]
    assert (dossier["fee_status"], dossier["fee_paid_at"], dossier["fee_confirmed_by"]) == (
        "unpaid",
        None,
        None,
    )
    assert error_of(fee(officer, code, "confirm"), 400) == "invalid_method"
    assert fee(officer, code, "confirm", method="gold").status_code == 422
    future = (utcnow() + timedelta(hours=2)).isoformat()
    assert error_of(fee(officer, code, "confirm", method="bank", paid_at=future), 400) == "invalid_paid_at"
    paid = fee(officer, code, "confirm", method="bank", receipt_number=" BL-2026/000123 ")
    assert paid.status_code == 200, paid.json
    assert (paid.json["fee_status"], paid.json["fee_payment"]) == ("paid", "bank")
    assert paid.json["fee_receipt_number"] == "BL-2026/000123"
    assert paid.json["fee_confirmed_by"] == "Trần Văn Hùng" and paid.json["fee_paid_at"]
    (event,) = events(officer, code)
    assert event["action"] == "fee_confirm" and event["actor"] == "Trần Văn Hùng"
    assert event["data"]["method"] == "bank" and event["data"]["amount"] == 200000
    assert event["data"]["from_fee_status"] == "unpaid"
    # Confirmed once: a second confirmation is refused, the dossier's status is untouched.
    assert error_of(fee(officer, code, "confirm", method="cash"), 409) == "invalid_fee_move"
    assert paid.json["status"] == "received"


def test_the_amount_changes_or_the_fee_is_waived_only_with_a_reason(officer):
    code = intake(officer, fee_payment="unpaid").json["code"]
    assert error_of(fee(officer, code, "change", amount=100000), 400) == "missing_field"
    assert error_of(fee(officer, code, "change", amount=200000, reason="Giữ nguyên"), 400) == "unchanged"
    assert fee(officer, code, "change", amount=0, reason="x").status_code == 422
    changed = fee(officer, code, "change", amount=100000, reason="Giảm 50% theo quy định")
    assert (changed.json["fee"], changed.json["fee_status"]) == (100000, "unpaid")
    assert error_of(fee(officer, code, "waive", reason="  "), 400) == "missing_field"
    waived = fee(officer, code, "waive", reason="Người có công với cách mạng")
    assert (waived.json["fee_status"], waived.json["fee_payment"]) == ("exempt", "exempt")
    change, waive = events(officer, code)
    assert change["data"] == {
        "previous_amount": 200000,
        "amount": 100000,
        "reason": "Giảm 50% theo quy định",
        "from_fee_status": "unpaid",
    }
    assert waive["action"] == "fee_waive" and waive["data"]["reason"] == "Người có công với cách mạng"
    assert error_of(fee(officer, code, "confirm", method="cash"), 409) == "invalid_fee_move"


def test_a_fee_paid_in_error_is_refunded_and_a_refused_dossiers_due_fee_is_never_collected(officer):
    paid = intake(officer).json["code"]
    assert error_of(fee(officer, paid, "refund"), 400) == "missing_field"
    refunded = fee(officer, paid, "refund", reason="Nộp hai lần", receipt_number="PC-0007")
    assert refunded.json["fee_status"] == "refunded"
    assert error_of(fee(officer, paid, "refund", reason="lại"), 409) == "invalid_fee_move"
    due = intake(officer, fee_payment="unpaid").json["code"]
    refused = act(officer, due, "refuse", reason="Không thuộc thẩm quyền", rules_reference="Điều 9")
    assert refused.json["fee_status"] == "not_collected"
    assert error_of(fee(officer, due, "confirm", method="cash"), 409) == "invalid_fee_move"
    assert fee(officer, due, "fly").status_code == 404


def test_only_the_receiving_or_returning_centres_staff_move_a_fee(app, officer):
    code = intake(officer, fee_payment="unpaid").json["code"]
    ward_officer = login(app.test_client(), "officer3")
    assert fee(ward_officer, code, "confirm", method="cash").status_code == 403
    postal = login(app.test_client(), "postal")
    assert fee(postal, code, "confirm", method="cash").status_code == 403
    assert (
        app.test_client().post(f"/api/v1/dossiers/{code}/fee/confirm", json={"method": "cash"}).status_code
        == 401
    )
    assert fee(officer, code, "confirm", method="card").json["fee_status"] == "paid"


def test_an_officer_changes_and_confirms_a_due_fee_on_the_dossier_page(server, contexts):
    officer_session = staff_session(server.url, "officer1")
    code = take_in_over_http(server.url, officer_session, fee=200000, fee_payment="unpaid")
    page = signed_in_page(contexts, server, "officer1")
    page.set_viewport_size(OFFICE)
    page.goto(f"{server.url}/console/dossiers/{code}")
    fee_actions = page.locator("#fee-actions")
    fee_actions.get_by_role("button", name="Xác nhận đã nộp phí, lệ phí").wait_for()
    assert fee_actions.get_by_role("button").all_inner_texts() == [
        "Xác nhận đã nộp phí, lệ phí",
        "Sửa số tiền phí, lệ phí",
        "Miễn phí, lệ phí",
    ]
    fee_actions.get_by_role("button", name="Sửa số tiền phí, lệ phí").click()
    page.fill("#fch-amount", "100000")
    page.fill("#fch-reason", "Giảm 50% theo quy định")
    page.locator("#dialog-fee_change").get_by_role("button", name="Xác nhận").click()
    page.wait_for_function("() => document.getElementById('d-fee').textContent.startsWith('100.000')")

    fee_actions.get_by_role("button", name="Xác nhận đã nộp phí, lệ phí").click()
    page.select_option("#fc-method", "bank")
    page.fill("#fc-receipt", "BL-000123")
    screenshot(page, "dossier-fee-confirm")
    check_accessibility(page)
    page.locator("#dialog-fee_confirm").get_by_role("button", name="Xác nhận").click()
    page.wait_for_function("() => document.getElementById('d-fee-paid').textContent.includes('BL-000123')")
    assert "Chuyển khoản qua ngân hàng · Đã nộp" in page.inner_text("#d-fee")
    assert "Trần Văn Hùng" in page.inner_text("#d-fee-paid")
    assert fee_actions.get_by_role("button").all_inner_texts() == ["Hoàn trả phí, lệ phí"]
    history = page.locator("#d-events tr[data-action='fee_confirm']").inner_text()
    assert "Số tiền: 100.000 đ" in history and "Biên lai số BL-000123" in history
    change = page.locator("#d-events tr[data-action='fee_change']").inner_text()
    assert "trước đó 200.000 đ" in change and "Lý do: Giảm 50% theo quy định" in change
    screenshot(page, "dossier-fee-paid")


def test_the_reports_count_fees_collected_by_day_method_and_procedure_and_the_cashless_share(app, officer):
    supervisor = login(app.test_client(), "supervisor")
    today = utcnow().astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).date().isoformat()
    period = f"site=NA-HCC&from={today}&to={today}"

    def figures():
        return supervisor.get(f"/api/v1/reports?{period}").json["fees"]

    before = figures()
    intake(officer)  # cash at the counter
    by_bank, by_card, due, waived = (intake(officer, fee_payment="unpaid").json["code"] for _ in range(4))
    fee(officer, by_bank, "confirm", method="bank")
    fee(officer, by_card, "confirm", method="card")
    fee(officer, by_card, "refund", reason="Nộp nhầm hồ sơ")
    fee(officer, waived, "waive", reason="Người có công")
    after = figures()

    def added(key):
        return after["totals"][key] - before["totals"][key]

    assert (added("payments"), added("collected"), added("refunded")) == (3, 600000, 200000)
    assert (added("due_count"), added("due")) == (1, 200000)
    by_method = [
        (a["method"], a["collected"] - b["collected"])
        for a, b in zip(after["by_method"], before["by_method"], strict=True)
    ]
    assert dict(by_method) == {
        "cash": 200000,
        "bank": 200000,
        "card": 200000,
        "online": 0,
    }
    assert [method for method, _ in by_method] == ["cash", "bank", "card", "online"]
    (day,) = [row for row in after["by_day"] if row["date"] == today]
    assert day["bank"] >= 200000 and day["payments"] >= 3
    line = next(row for row in after["by_procedure"] if row["procedure"] == "1.001756")
    assert line["procedure_name"] and line["collected"] >= 600000
    if before["totals"]["payments"] == 0:  # the share is of all fees paid: here, 2 of 3
        assert after["totals"]["cashless_share"] == 0.6667
    text = supervisor.get(f"/api/v1/reports.csv?{period}&section=fees").get_data(as_text=True)
    table = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    share = next(row[1] for row in table if row and row[0] == "Tỷ lệ không dùng tiền mặt (%)")
    assert float(share.replace(",", ".")) == round(after["totals"]["cashless_share"] * 100, 1)
    assert ["Ngày", "Số hồ sơ đã nộp", "Đã thu (đồng)", "Tiền mặt", "Chuyển khoản qua ngân hàng",
            "Thẻ ngân hàng", "Thanh toán trực tuyến"] in table  # fmt: skip
    workbook = supervisor.get(f"/api/v1/reports.xlsx?{period}")
    assert "Phí, lệ phí" in load_workbook(io.BytesIO(workbook.data)).sheetnames


# -- a fee paid before processing ------------------------------------------------------------------


def pay_first(session, code="1.001756"):
    """The procedure wants its fee before the dossier goes to the agency."""
    procedure = session.scalar(
        select(Procedure).where(Procedure.code == code, Procedure.site_id == site(session).id)
    )
    procedure.payment_before_processing = True
    session.commit()


def when(value: str):
    return datetime.fromisoformat(value)


def backdated(session, days=20) -> Dossier:
    """A dossier of 1.001756 received ``days`` ago with its fee unpaid (an intake's body cannot
    date itself; the post office's offline intake can)."""
    received_at = (utcnow() - timedelta(days=days)).isoformat()
    body = {"applicant": APPLICANT, "fee": 200000, "fee_payment": "unpaid", "received_at": received_at}
    return receive_dossier(session, "1.001756", body)


@pytest.mark.parametrize("database_url", ["sqlite", "postgresql"], indirect=True)
def test_a_dossier_whose_procedure_wants_the_fee_first_waits_for_it_and_its_time_waits_too(session, officer):
    # Without the rule an unpaid dossier goes on; the rule of the day it was received stays.
    ordinary = intake(officer, fee_payment="unpaid").json["code"]
    pay_first(session)
    assert "payment_due" not in officer.get(f"/api/v1/dossiers/{ordinary}").json["flags"]
    assert act(officer, ordinary, "transfer").status_code == 200

    # Received twenty days ago and never paid: it cannot go to the agency, it is not late.
    waiting = backdated(session)
    code, due = waiting.code, waiting.due_at
    assert due < utcnow()
    detail = officer.get(f"/api/v1/dossiers/{code}").json
    assert detail["flags"] == ["payment_due"]  # not overdue, not "not yet transferred"
    receipt = pdf_text(officer.get(f"/api/v1/dossiers/{code}/forms/01.pdf").data)
    assert (
        "Hồ sơ được chuyển giải quyết sau khi nộp phí, lệ phí; ngày hẹn trả kết quả lùi tương ứng"
        " với thời gian chờ nộp." in receipt
    )
    assert error_of(act(officer, code, "transfer"), 409) == "payment_due"
    # Confirmed: the due date moves by the working time the payment took, and it goes on.
    paid = fee(officer, code, "confirm", method="bank")
    assert paid.status_code == 200, paid.json
    moved = when(paid.json["due_at"])
    assert moved > utcnow() and moved > due
    (event,) = events(officer, code)
    assert when(event["data"]["previous_due_at"]) == due and when(event["data"]["moved_due_at"]) == moved
    assert officer.get(f"/api/v1/dossiers/{code}").json["flags"] == []
    assert act(officer, code, "transfer").status_code == 200


def test_the_wait_for_the_fee_counts_where_the_province_says_so_and_a_waived_fee_lets_it_go_on(
    app, session, officer
):
    pay_first(session)
    app.config["DOSSIER_PAYMENT_PAUSES_CLOCK"] = False
    waiting = backdated(session)
    code, due = waiting.code, waiting.due_at
    assert set(officer.get(f"/api/v1/dossiers/{code}").json["flags"]) >= {"payment_due", "overdue"}
    waived = fee(officer, code, "waive", reason="Người có công với cách mạng")
    assert waived.status_code == 200 and when(waived.json["due_at"]) == due
    assert "moved_due_at" not in events(officer, code)[0]["data"]
    assert act(officer, code, "transfer").status_code == 200
    # A supplement may be asked while the fee is due; a refusal leaves it never collected.
    other = intake(officer, fee_payment="unpaid").json["code"]
    assert act(officer, other, "request_supplement", items=["Tờ khai"], reason="Thiếu").status_code == 200
    assert act(officer, other, "refuse", reason="Không đủ điều kiện").json["fee_status"] == "not_collected"


def test_the_citizen_is_told_how_to_pay_when_the_dossier_waits_for_its_fee(session, officer):
    enable_channels(session, "email", "sms")
    pay_first(session)
    code = intake(officer, fee_payment="unpaid", contact_consent=True).json["code"]
    told = session.execute(
        select(Notification.event, Notification.channel, Notification.body)
        .join(Dossier, Dossier.id == Notification.dossier_id)
        .where(Dossier.code == code)
        .order_by(Notification.id)
    ).all()
    assert sorted((event, channel) for event, channel, _ in told) == [
        ("dossier.payment_due", "email"),
        ("dossier.payment_due", "sms"),
        ("dossier.received", "email"),
        ("dossier.received", "sms"),
    ]
    (sms,) = [body for event, channel, body in told if (event, channel) == ("dossier.payment_due", "sms")]
    assert "200.000 dong" in sms and "/d/" in sms
    # A dossier paid at the counter is told nothing of the kind.
    paid = intake(officer, contact_consent=True).json["code"]
    events_told = session.scalars(
        select(Notification.event)
        .join(Dossier, Dossier.id == Notification.dossier_id)
        .where(Dossier.code == paid)
    ).all()
    assert "dossier.payment_due" not in events_told


def test_the_tracking_page_shows_the_fee_due_with_a_vietqr_code_a_banking_app_reads(
    server, session, contexts
):
    centre = site(session)
    centre.payment_bank_bin, centre.payment_account_number = AGRIBANK, ACCOUNT
    centre.payment_account_name, centre.payment_bank_name = "TRUNG TAM PHUC VU HCC", "Agribank Nghệ An"
    session.commit()
    pay_first(session)
    officer_session = staff_session(server.url, "officer1")
    code = take_in_over_http(server.url, officer_session, fee=200000, fee_payment="unpaid")
    key = session.scalar(select(Dossier.tracking_key).where(Dossier.code == code))
    session.commit()  # no read transaction left open on the server's database
    page = contexts(viewport=PHONE)
    page.goto(f"{server.url}/d/{key}")
    text = page.inner_text("main")
    assert "Tạm dừng, chờ ông/bà nộp phí, lệ phí" in text
    assert "Hồ sơ được chuyển giải quyết sau khi ông/bà nộp phí, lệ phí." in text
    assert "200.000 đồng – Chưa nộp" in text and ACCOUNT in text
    memo = vietqr.memo(code)
    assert page.inner_text(".track-memo") == memo
    assert APPLICANT["name"] not in text and APPLICANT["phone"] not in text
    width = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert width[0] <= width[1]
    check_accessibility(page)
    screenshot(page, "dossier-track-pay-first")
    image = Image.open(io.BytesIO(page.locator(".track-vietqr").screenshot()))
    (payload,) = [c for c in read_codes(image) if c.startswith("000201")]
    check(payload, 200000, memo)  # every field a banking app reads, and the CRC
