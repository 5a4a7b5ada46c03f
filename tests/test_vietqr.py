"""The VietQR code of a fee still due (queue_server/vietqr.py, dossiers/fees.py): its fields
read back as a banking app reads them (EMVCo's tag-length-value, NAPAS's account template, the
CRC), from the string, from the printed Mẫu 01 and from the thermal receipt."""

from __future__ import annotations

import pytest

from hardware.layouts import ReceiptPrint, render_receipt
from queue_server import vietqr
from queue_server.dossiers import forms
from queue_server.dossiers.rules import FeePayment, FeeStatus

from .browser import OFFICE, check_accessibility, screenshot
from .helpers import read_codes, site
from .test_forms import CODE, TRACK_URL, first_page, pdf_pages, pdf_text
from .test_forms import dossier as dossier  # noqa: F401 - the fixture

AGRIBANK = "970405"
ACCOUNT = "3600201009999"


def parse(data: str) -> dict[str, str]:
    """EMVCo's data objects, by ID: two digits of ID, two of length, the value."""
    objects, at = {}, 0
    while at < len(data):
        tag, length = data[at : at + 2], int(data[at + 2 : at + 4])
        objects[tag] = data[at + 4 : at + 4 + length]
        at += 4 + length
    assert at == len(data), "the lengths add up to the whole string"
    return objects


def crc16_ccitt_false(data: bytes) -> int:
    """The CRC written out bit by bit (polynomial 0x1021, from 0xFFFF), not the module's."""
    value = 0xFFFF
    for byte in data:
        value ^= byte << 8
        for _ in range(8):
            value = ((value << 1) ^ 0x1021) if value & 0x8000 else value << 1
            value &= 0xFFFF
    return value


def check(payload: str, amount: int | None, memo: str) -> dict[str, str]:
    """Every field a banking app reads, and the CRC; returns the data objects."""
    fields = parse(payload)
    assert fields["00"] == "01"
    assert fields["01"] == ("12" if amount is not None else "11")
    merchant = parse(fields["38"])
    assert merchant["00"] == "A000000727" and merchant["02"] == "QRIBFTTA"
    assert parse(merchant["01"]) == {"00": AGRIBANK, "01": ACCOUNT}
    assert fields["53"] == "704" and fields["58"] == "VN"
    assert fields.get("54") == (str(amount) if amount is not None else None)
    assert parse(fields["62"]) == {"08": memo} if memo else "62" not in fields
    assert list(fields)[-1] == "63" and payload[-8:-4] == "6304"
    assert fields["63"] == f"{crc16_ccitt_false(payload[:-4].encode()):04X}"
    return fields


def test_the_crc_is_ccitt_false():
    assert vietqr.crc("123456789") == "29B1"  # the CRC catalogue's check value


def test_a_transfer_with_its_amount_and_memo_reads_back_field_by_field():
    account = vietqr.Account(AGRIBANK, ACCOUNT)
    check(vietqr.payload(account, 75000, "0000006H402310270361"), 75000, "0000006H402310270361")
    check(vietqr.payload(account), None, "")  # a code for any amount, typed by the payer


def test_the_memo_is_the_codes_letters_and_digits_within_25():
    assert vietqr.memo(CODE) == "0000006H402310270361"
    long_code = "000.00.31.H40.A1.B2-260312-AB00012"
    assert vietqr.memo(long_code) == "00031H40A1B2260312AB00012"  # the last 25 of 27


@pytest.mark.parametrize(
    ("bin_", "number", "field"),
    [("97040", ACCOUNT, "payment_bank_bin"), (AGRIBANK, "12 34", "payment_account_number"),
     (AGRIBANK, "1" * 20, "payment_account_number")],
)  # fmt: skip
def test_an_account_the_code_cannot_carry_is_refused(bin_, number, field):
    with pytest.raises(vietqr.InvalidAccount) as refused:
        vietqr.Account(bin_, number)
    assert refused.value.field == field


def collect_by_transfer(session, dossier, **account):
    centre = site(session)
    centre.payment_bank_bin, centre.payment_account_number = AGRIBANK, ACCOUNT
    centre.payment_account_name = account.get("name", "TRUNG TAM PHUC VU HCC TINH NGHE AN")
    centre.payment_bank_name = account.get("bank", "Agribank chi nhánh Nghệ An")
    dossier.fee_payment, dossier.fee_status = FeePayment.UNPAID, FeeStatus.UNPAID
    session.commit()


def test_mau_01_prints_the_fee_as_a_vietqr_code_a_banking_app_reads(session, dossier):  # noqa: F811
    collect_by_transfer(session, dossier)
    pdf = forms.render_pdf("01", dossier, track_url=TRACK_URL)
    assert pdf_pages(pdf) == 2  # one A5 page per copy still
    text = pdf_text(pdf)
    assert "Phí, lệ phí: 75.000 đồng (chưa nộp). Nộp bằng chuyển khoản" in text
    assert f"tài khoản {ACCOUNT} – TRUNG TAM PHUC VU HCC TINH NGHE AN, Agribank chi nhánh Nghệ An" in text
    assert "nội dung chuyển khoản: 0000006H402310270361" in text
    assert "Quét bằng ứng dụng ngân hàng để nộp 75.000 đồng" in pdf_text(pdf, "-raw")
    codes = read_codes(first_page(pdf, dpi=200))
    (payment,) = [code for code in codes if code.startswith("000201")]
    check(payment, 75000, "0000006H402310270361")
    assert TRACK_URL in codes  # the tracking code is still there, apart


def test_the_thermal_receipt_prints_the_same_code(session, dossier):  # noqa: F811
    collect_by_transfer(session, dossier, name="", bank="")
    receipt = ReceiptPrint(**forms.receipt_payload(dossier, TRACK_URL))
    assert receipt.transfer_lines == (
        "Số tiền: 75.000 đồng",
        f"Tài khoản: {ACCOUNT}",
        "Nội dung chuyển khoản: 0000006H402310270361",
    )
    codes = read_codes(render_receipt(receipt))
    (payment,) = [code for code in codes if code.startswith("000201")]
    check(payment, 75000, "0000006H402310270361")
    assert TRACK_URL in codes
    assert read_codes(render_receipt(receipt, paper_mm=58)) == codes


@pytest.mark.parametrize("status", [FeeStatus.PAID, FeeStatus.EXEMPT, FeeStatus.REFUNDED, FeeStatus.NONE])
def test_no_code_when_nothing_is_due_or_the_site_has_no_account(session, dossier, status):  # noqa: F811
    collect_by_transfer(session, dossier)
    dossier.fee_status = status
    session.commit()
    assert "chuyển khoản" not in pdf_text(forms.render_pdf("01", dossier, track_url=TRACK_URL))
    assert forms.receipt_payload(dossier, TRACK_URL)["transfer_qr"] == ""
    dossier.fee_status = FeeStatus.UNPAID
    site(session).payment_bank_bin = site(session).payment_account_number = None
    session.commit()
    assert forms.receipt_payload(dossier, TRACK_URL)["transfer_qr"] == ""


def test_a_supervisor_sets_the_collecting_account_on_the_site_page(server, contexts):
    page = contexts(viewport=OFFICE)
    page.request.post(
        f"{server.url}/api/v1/auth/login", data={"username": "supervisor", "password": "giam-sat-demo"}
    )
    page.goto(f"{server.url}/admin/sites?site=NA-HCC")
    page.wait_for_function("() => document.getElementById('s-name').value !== ''")
    page.fill("#s-payment-bin", AGRIBANK)
    page.get_by_role("button", name="Lưu thay đổi").click()
    error = page.locator("[data-error-for='payment_account_number']:not([hidden])")
    error.wait_for()
    assert error.inner_text() == "Cần điền cả mã ngân hàng và số tài khoản, hoặc để trống cả hai."
    page.fill("#s-payment-account", ACCOUNT)
    page.fill("#s-payment-name", "TRUNG TAM PHUC VU HCC TINH NGHE AN")
    page.fill("#s-payment-bank", "Agribank chi nhánh Nghệ An")
    page.get_by_role("button", name="Lưu thay đổi").click()
    page.wait_for_selector("#notice:not([hidden])")
    saved = page.request.get(f"{server.url}/api/v1/admin/sites/NA-HCC").json()
    assert (saved["payment_bank_bin"], saved["payment_account_number"]) == (AGRIBANK, ACCOUNT)
    assert saved["payment_bank_name"] == "Agribank chi nhánh Nghệ An"
    page.reload()
    page.wait_for_function(f"() => document.getElementById('s-payment-account').value === '{ACCOUNT}'")
    page.locator("#s-payment-bin").scroll_into_view_if_needed()
    screenshot(page, "admin-site-payment-account")
    check_accessibility(page)
